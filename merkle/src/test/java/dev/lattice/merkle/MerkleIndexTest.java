package dev.lattice.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.merkle.store.InMemoryNodeStore;
import dev.lattice.merkle.store.NodeStore;
import dev.lattice.merkle.store.SortedBytesNodeStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MerkleIndexTest {

  private static MerkleConfig config(SplittableRandom rng) {
    int[] capacities = {1, 2, 3, 4, 8, 16, 16, 16, 32};
    return new MerkleConfig(capacities[rng.nextInt(capacities.length)],
        Partitioner.upToFirst((byte) 0));
  }

  /**
   * Random puts and removes against a TreeMap model, on both store kinds, with flushes at random
   * points; after each batch the structure is checked, and at the end the incremental index must
   * equal a bulk build of the model, partition by partition.
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.lattice.merkle.Seeds#seeds")
  void incrementalMatchesModelAndBulkBuild(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    MerkleConfig config = config(rng);
    String ctx = "seed " + seed + " leafCapacity " + config.leafCapacity();
    MerkleIndex mem = new MerkleIndex(config, new InMemoryNodeStore());
    SortedBytesNodeStore bytesStore = SortedBytesNodeStore.inTreeMap();
    MerkleIndex bytes = new MerkleIndex(config, bytesStore);
    TreeMap<byte[], byte[]> model = Gen.newMap();
    List<byte[]> keys = new ArrayList<>();
    int ops = 200 + rng.nextInt(seed % 10 == 0 ? 4000 : 800);
    int collections = 1 + rng.nextInt(5);
    for (int op = 0; op < ops; op++) {
      int kind = rng.nextInt(10);
      if (kind < 5 || keys.isEmpty()) {
        byte[] k = Gen.key(rng, collections);
        byte[] d = Gen.digest(rng);
        boolean changed = !Arrays.equals(model.put(k, d), d);
        keys.add(k);
        assertThat(mem.put(k, d)).as(ctx).isEqualTo(changed);
        assertThat(bytes.put(k, d)).as(ctx).isEqualTo(changed);
      } else if (kind < 7) {
        byte[] k = keys.get(rng.nextInt(keys.size()));
        byte[] d = rng.nextBoolean() ? Gen.digest(rng) : model.getOrDefault(k, Gen.digest(rng));
        boolean changed = !Arrays.equals(model.put(k, d), d);
        assertThat(mem.put(k, d)).as(ctx).isEqualTo(changed);
        assertThat(bytes.put(k, d)).as(ctx).isEqualTo(changed);
      } else {
        byte[] k = keys.get(rng.nextInt(keys.size()));
        boolean present = model.remove(k) != null;
        assertThat(mem.remove(k)).as(ctx).isEqualTo(present);
        assertThat(bytes.remove(k)).as(ctx).isEqualTo(present);
      }
      if (rng.nextInt(100) == 0) {
        IndexChecker.check(mem, model, ctx + " op " + op);
      }
      if (rng.nextInt(200) == 0) {
        bytes = new MerkleIndex(config, bytesStore); // reopen: stale digests must be found again
      }
    }
    IndexChecker.check(mem, model, ctx);
    IndexChecker.check(bytes, model, ctx + " (bytes store)");
    MerkleIndex bulk = MerkleIndex.build(config, new InMemoryNodeStore(), model.entrySet());
    IndexChecker.check(bulk, model, ctx + " (bulk)");
    for (byte[] p : bulk.partitions(Scope.all())) {
      assertThat(mem.rootDigest(p)).as(ctx).isEqualTo(bulk.rootDigest(p));
      assertThat(bytes.rootDigest(p)).as(ctx).isEqualTo(bulk.rootDigest(p));
    }
    assertThat(mem.partitions(Scope.all())).as(ctx)
        .usingElementComparator(Arrays::compareUnsigned)
        .containsExactlyElementsOf(bulk.partitions(Scope.all()));
    for (Map.Entry<byte[], byte[]> e : model.entrySet()) {
      assertThat(mem.get(e.getKey())).as(ctx).contains(e.getValue());
    }
  }

  /** Equal key→digest sets give equal roots whatever the insertion and removal history. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.lattice.merkle.Seeds#seeds")
  void rootIsIndependentOfHistory(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    MerkleConfig config = config(rng);
    TreeMap<byte[], byte[]> model = Gen.newMap();
    int n = rng.nextInt(600);
    for (int i = 0; i < n; i++) {
      model.put(Gen.key(rng, 3), Gen.digest(rng));
    }
    List<Map.Entry<byte[], byte[]>> order = new ArrayList<>(model.entrySet());
    MerkleIndex a = new MerkleIndex(config, new InMemoryNodeStore());
    Collections.shuffle(order, new java.util.Random(seed));
    for (Map.Entry<byte[], byte[]> e : order) {
      a.put(e.getKey(), e.getValue());
    }
    // b: a different order, with extra keys inserted and removed again, and digests rewritten.
    MerkleIndex b = new MerkleIndex(config, new InMemoryNodeStore());
    Collections.shuffle(order, new java.util.Random(seed + 1));
    List<byte[]> extra = new ArrayList<>();
    for (Map.Entry<byte[], byte[]> e : order) {
      b.put(e.getKey(), Gen.digest(rng));
      if (rng.nextInt(3) == 0) {
        byte[] k = Gen.key(rng, 3);
        if (!model.containsKey(k)) {
          b.put(k, Gen.digest(rng));
          extra.add(k);
        }
      }
      if (rng.nextInt(5) == 0) {
        b.flush();
      }
    }
    for (Map.Entry<byte[], byte[]> e : order) {
      b.put(e.getKey(), e.getValue());
    }
    extra.forEach(b::remove);
    IndexChecker.check(a, model, "seed " + seed);
    IndexChecker.check(b, model, "seed " + seed);
    for (byte[] p : a.partitions(Scope.all())) {
      assertThat(b.rootDigest(p)).as("seed " + seed).isEqualTo(a.rootDigest(p));
    }
  }

  @Test
  void rejectsBadArguments() {
    MerkleIndex index = new MerkleIndex(MerkleConfig.defaults(), new InMemoryNodeStore());
    assertThatThrownBy(() -> index.put(new byte[0], new byte[32]))
        .isInstanceOfSatisfying(MerkleIndexException.class,
            e -> assertThat(e.reason()).isEqualTo(MerkleIndexException.Reason.KEY_LENGTH));
    assertThatThrownBy(() -> index.put(new byte[MerkleConfig.MAX_KEY_LENGTH + 1], new byte[32]))
        .isInstanceOfSatisfying(MerkleIndexException.class,
            e -> assertThat(e.reason()).isEqualTo(MerkleIndexException.Reason.KEY_LENGTH));
    assertThatThrownBy(() -> index.put(new byte[] {1}, new byte[0]))
        .isInstanceOfSatisfying(MerkleIndexException.class,
            e -> assertThat(e.reason()).isEqualTo(MerkleIndexException.Reason.VALUE_DIGEST_LENGTH));
    assertThatThrownBy(() -> index.put(new byte[] {1}, new byte[65]))
        .isInstanceOfSatisfying(MerkleIndexException.class,
            e -> assertThat(e.reason()).isEqualTo(MerkleIndexException.Reason.VALUE_DIGEST_LENGTH));
    assertThatThrownBy(() -> new MerkleConfig(0, Partitioner.single()))
        .isInstanceOfSatisfying(MerkleIndexException.class,
            e -> assertThat(e.reason()).isEqualTo(MerkleIndexException.Reason.CONFIG));
    MerkleIndex bad = new MerkleIndex(new MerkleConfig(16, k -> k.length + 1), new InMemoryNodeStore());
    assertThatThrownBy(() -> bad.put(new byte[] {1}, new byte[] {1}))
        .isInstanceOfSatisfying(MerkleIndexException.class,
            e -> assertThat(e.reason()).isEqualTo(MerkleIndexException.Reason.PARTITION_LENGTH));
    byte[] k = {7};
    assertThatThrownBy(() -> MerkleIndex.build(MerkleConfig.defaults(), new InMemoryNodeStore(),
            List.of(Map.entry(k, new byte[] {1}), Map.entry(k.clone(), new byte[] {2}))))
        .isInstanceOfSatisfying(MerkleIndexException.class,
            e -> assertThat(e.reason()).isEqualTo(MerkleIndexException.Reason.DUPLICATE_KEY));
    NodeStore used = new InMemoryNodeStore();
    new MerkleIndex(MerkleConfig.defaults(), used).put(k, new byte[] {1});
    assertThatThrownBy(() -> MerkleIndex.build(MerkleConfig.defaults(), used, List.of()))
        .isInstanceOfSatisfying(MerkleIndexException.class,
            e -> assertThat(e.reason()).isEqualTo(MerkleIndexException.Reason.STORE_NOT_EMPTY));
  }

  @Test
  void emptyIndexHasNoPartitions() {
    MerkleIndex index = new MerkleIndex(MerkleConfig.defaults(), new InMemoryNodeStore());
    byte[] k = "users\0a".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    index.put(k, new byte[] {1});
    assertThat(index.partitions(Scope.all())).hasSize(1);
    assertThat(index.remove(k)).isTrue();
    assertThat(index.remove(k)).isFalse();
    assertThat(index.partitions(Scope.all())).isEmpty();
    assertThat(index.store().isEmpty()).isTrue();
  }

  /**
   * Regression (found by seed 0 of incrementalMatchesModelAndBulkBuild): a put that created a
   * new child under an existing inner node marked it dirty but did not set its child-mask bit, so
   * the child was orphaned and the stored node failed to decode.
   */
  @Test
  void putIntoAbsentChildSetsItsMaskBit() {
    MerkleConfig config = new MerkleConfig(1, Partitioner.single());
    MerkleIndex index = new MerkleIndex(config, SortedBytesNodeStore.inTreeMap());
    TreeMap<byte[], byte[]> model = Gen.newMap();
    for (int i = 0; i < 40; i++) {
      byte[] k = {(byte) i, 1};
      model.put(k, new byte[] {(byte) i});
      index.put(k, new byte[] {(byte) i});
    }
    IndexChecker.check(index, model, "regression");
  }
}
