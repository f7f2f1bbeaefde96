package dev.lattice.merkle.tree;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.merkle.Digests;
import dev.lattice.merkle.Gen;
import dev.lattice.merkle.MerkleCodecException;
import dev.lattice.merkle.MerkleConfig;
import dev.lattice.merkle.NodeKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class HashOrderedKeyTest {

  /** Every trie node is exactly the keys between {@code from} and {@code to}. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.lattice.merkle.Seeds#seeds")
  void nodesAreKeyRanges(long seed) throws MerkleCodecException {
    SplittableRandom rng = new SplittableRandom(seed);
    MerkleConfig config = MerkleConfig.defaults();
    TreeMap<byte[], byte[]> ordered = Gen.newMap();
    List<byte[]> keys = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      byte[] k = Gen.key(rng, 5);
      byte[] o = HashOrderedKey.of(config, k);
      assertThat(HashOrderedKey.documentKey(o)).isEqualTo(k);
      ordered.put(o, k);
      keys.add(k);
    }
    for (int i = 0; i < 50; i++) {
      byte[] k = keys.get(rng.nextInt(keys.size()));
      int depth = rng.nextInt(MerkleConfig.MAX_DEPTH + 1);
      long hash = rng.nextInt(4) == 0 ? -1L : Digests.keyHash(k);
      NodeKey at = new NodeKey(Arrays.copyOf(k, config.partitioner().partitionLength(k)), depth,
          hash & NodeKey.mask(depth));
      List<byte[]> inRange = new ArrayList<>(ordered.subMap(HashOrderedKey.from(at), true,
          HashOrderedKey.to(at), false).values());
      List<byte[]> under = new ArrayList<>();
      for (byte[] key : ordered.values()) {
        int len = config.partitioner().partitionLength(key);
        if (Arrays.equals(Arrays.copyOf(key, len), at.partitionRef())
            && at.containsHash(Digests.keyHash(key))) {
          under.add(key);
        }
      }
      assertThat(inRange).as("seed " + seed + " node " + at)
          .usingElementComparator(Arrays::compareUnsigned).containsExactlyElementsOf(under);
    }
  }
}
