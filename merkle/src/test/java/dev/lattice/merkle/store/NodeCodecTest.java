package dev.lattice.merkle.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.lattice.merkle.Gen;
import dev.lattice.merkle.MerkleCodecException;
import dev.lattice.merkle.MerkleConfig;
import dev.lattice.merkle.MerkleIndex;
import dev.lattice.merkle.sync.Fuzz;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class NodeCodecTest {

  /** Every node of a random index survives the byte form, and keys keep their order. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.lattice.merkle.Seeds#seeds")
  void roundTripAndFuzz(long seed) throws MerkleCodecException {
    SplittableRandom rng = new SplittableRandom(seed);
    TreeMap<byte[], byte[]> model = Gen.newMap();
    for (int i = 0; i < 50 + rng.nextInt(300); i++) {
      model.put(Gen.key(rng, 5), Gen.digest(rng));
    }
    InMemoryNodeStore store = new InMemoryNodeStore();
    MerkleIndex index = MerkleIndex.build(new MerkleConfig(1 + rng.nextInt(16),
        dev.lattice.merkle.Partitioner.upToFirst((byte) 0)), store, model.entrySet());
    List<NodeKey> keys = new ArrayList<>();
    List<byte[]> blobs = new ArrayList<>();
    collect(index, NodeKey.root(index.partitions(dev.lattice.merkle.Scope.all()).get(0)), keys);
    for (NodeKey k : keys) {
      Node n = index.node(k);
      byte[] blob = NodeCodec.encode(n);
      blobs.add(blob);
      assertThat(NodeCodec.decode(blob)).as("seed " + seed).isEqualTo(n);
      assertThat(NodeCodec.decodeKey(NodeCodec.encodeKey(k))).as("seed " + seed).isEqualTo(k);
    }
    for (int i = 0; i + 1 < keys.size(); i++) {
      NodeKey x = keys.get(i);
      NodeKey y = keys.get(i + 1);
      int byFields = Arrays.compareUnsigned(x.partitionRef(), y.partitionRef());
      if (byFields == 0) {
        byFields = x.depth() != y.depth() ? Integer.compare(x.depth(), y.depth())
            : Long.compareUnsigned(x.prefix(), y.prefix());
      }
      assertThat(Integer.signum(Arrays.compareUnsigned(NodeCodec.encodeKey(x), NodeCodec.encodeKey(y))))
          .as("seed " + seed + " key order").isEqualTo(Integer.signum(byFields));
    }
    for (int i = 0; i < 30; i++) {
      byte[] input = Fuzz.mutate(rng, blobs.get(rng.nextInt(blobs.size())));
      byte[] keyInput = Fuzz.mutate(rng, NodeCodec.encodeKey(keys.get(rng.nextInt(keys.size()))));
      try {
        NodeCodec.decode(input);
      } catch (MerkleCodecException expected) {
        assertThat(expected.reason()).isNotNull();
      } catch (Throwable t) {
        fail("seed " + seed + " node input " + Arrays.toString(input) + " threw " + t, t);
      }
      try {
        NodeCodec.decodeKey(keyInput);
      } catch (MerkleCodecException expected) {
        assertThat(expected.reason()).isNotNull();
      } catch (Throwable t) {
        fail("seed " + seed + " key input " + Arrays.toString(keyInput) + " threw " + t, t);
      }
    }
  }

  private static void collect(MerkleIndex index, NodeKey at, List<NodeKey> out) {
    out.add(at);
    if (index.node(at) instanceof Node.Inner in) {
      for (int i = 0; i < 16; i++) {
        if ((in.childMask() & (1 << i)) != 0) {
          collect(index, at.child(i), out);
        }
      }
    }
  }
}
