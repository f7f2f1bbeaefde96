package dev.lattice.merkle.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.merkle.Gen;
import dev.lattice.merkle.MerkleCodecException;
import dev.lattice.merkle.MerkleConfig;
import dev.lattice.merkle.MerkleIndexException;
import dev.lattice.merkle.NodeKey;
import dev.lattice.merkle.Partitioner;
import dev.lattice.merkle.Scope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The derived view (bucket sums kept current by updates, plus an enumerator) is node for node
 * the in-memory tree of the same entries, after any sequence of inserts, changes and removals,
 * across persistence of the buckets.
 */
class DerivedTreeTest {

  private static MerkleConfig config(SplittableRandom rng) {
    int[] capacities = {16, 16, 16, 1, 2, 4, 40, 300};
    return new MerkleConfig(capacities[rng.nextInt(capacities.length)],
        rng.nextInt(8) == 0 ? Partitioner.single() : Partitioner.upToFirst((byte) 0));
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.lattice.merkle.Seeds#seeds")
  void derivedViewEqualsMemoryTreeUnderRandomUpdates(long seed) throws MerkleCodecException {
    SplittableRandom rng = new SplittableRandom(seed);
    MerkleConfig config = config(rng);
    int collections = 1 + rng.nextInt(5);
    int target = switch ((int) (seed % 20)) {
      case 0, 10 -> rng.nextInt(20);
      case 7 -> 10_000 + rng.nextInt(20_000); // every bucket populated, inner nodes below them
      default -> rng.nextInt(rng.nextBoolean() ? 300 : 4_000);
    };
    String ctx = "seed " + seed + " (capacity " + config.leafCapacity() + ", ~" + target + " keys)";
    DigestBuckets buckets = new DigestBuckets(config);
    TreeMap<byte[], byte[]> model = Gen.newMap();
    TreeMap<byte[], byte[]> stored = Gen.newMap(); // what the replica's bucket map would hold
    List<byte[]> keys = new ArrayList<>();
    int checks = 1 + rng.nextInt(3);
    int steps = 2 * target + 10;
    for (int step = 0; step < steps; step++) {
      int op = rng.nextInt(10);
      if (op < 5 || keys.isEmpty() || model.size() < target / 2) {
        byte[] k = Gen.key(rng, collections);
        byte[] d = Gen.element(rng);
        buckets.update(k, model.get(k), d);
        if (model.put(k, d) == null) {
          keys.add(k);
        }
      } else if (op < 8) {
        byte[] k = keys.get(rng.nextInt(keys.size()));
        byte[] d = model.containsKey(k) && rng.nextInt(20) == 0 ? model.get(k) : Gen.element(rng);
        buckets.update(k, model.get(k), d);
        model.put(k, d);
      } else {
        byte[] k = keys.get(rng.nextInt(keys.size()));
        buckets.update(k, model.get(k), null);
        model.remove(k);
      }
      if (rng.nextInt(50) == 0) {
        drainInto(buckets, stored);
      }
      if (step == steps - 1 || rng.nextInt(Math.max(1, steps / checks)) == 0) {
        check(config, buckets, model, rng, ctx + " after " + (step + 1) + " updates");
      }
    }
    drainInto(buckets, stored);
    assertThat(buckets.dirtyCount()).isZero();
    DigestBuckets reopened = new DigestBuckets(config);
    for (Map.Entry<byte[], byte[]> e : stored.entrySet()) {
      reopened.load(e.getKey(), e.getValue());
    }
    assertThat(reopened.snapshot()).as(ctx + ": reloaded").isEqualTo(buckets.snapshot());
    assertThat(reopened.size()).isEqualTo(model.size());
    DigestBuckets rebuilt = new DigestBuckets(config);
    model.forEach((k, d) -> rebuilt.update(k, null, d));
    assertThat(rebuilt.snapshot()).as(ctx + ": rebuilt").isEqualTo(buckets.snapshot());
    assertThat(stored.size()).as(ctx + ": only non-empty buckets stored")
        .isEqualTo(nonEmptyBuckets(config, model));
  }

  private static void check(MerkleConfig config, DigestBuckets buckets,
      TreeMap<byte[], byte[]> model, SplittableRandom rng, String ctx) {
    MemoryTree expected = MemoryTree.of(config, model.entrySet());
    TreeChecker.holds(expected, model, ctx + " (memory tree)");
    // A scanning enumerator reads a whole partition per call, so it is always batched, as in a
    // reconciliation; range scans are also read one bucket at a time.
    boolean scanning = rng.nextBoolean();
    Enumerator e = scanning ? Enumerators.scanning(config, model)
        : Enumerators.hashOrdered(config, model);
    DerivedTree derived = DerivedTree.open(buckets.snapshot(), e);
    boolean batched = scanning || rng.nextBoolean();
    TreeChecker.sameTree(expected, derived, rng, batched, ctx + " (derived"
        + (batched ? ", batched" : "") + ")");
    if (batched) {
      assertThat(derived.enumerations()).as(ctx + ": one listing per partition")
          .isLessThanOrEqualTo(derived.partitions(Scope.all()).size());
    }
    assertThat(buckets.snapshot().size()).isEqualTo(model.size());
  }

  static void drainInto(DigestBuckets buckets, TreeMap<byte[], byte[]> stored) {
    buckets.drainDirty((k, v) -> {
      if (v == null) {
        stored.remove(k);
      } else {
        stored.put(k, v);
      }
    });
  }

  private static long nonEmptyBuckets(MerkleConfig config, Map<byte[], byte[]> model) {
    return model.keySet().stream()
        .map(k -> Arrays.toString(Arrays.copyOf(k, config.partitioner().partitionLength(k)))
            + "/" + DigestBuckets.bucketOf(dev.lattice.merkle.Digests.keyHash(k)))
        .distinct().count();
  }

  // ---- an enumerator that disagrees with the snapshot is caught ----

  private static TreeMap<byte[], byte[]> sample(SplittableRandom rng, int n) {
    TreeMap<byte[], byte[]> m = Gen.newMap();
    for (int i = 0; i < n; i++) {
      m.put(Gen.key(rng, 1), Gen.element(rng));
    }
    return m;
  }

  private static DigestBuckets bucketsOf(MerkleConfig config, Map<byte[], byte[]> m) {
    DigestBuckets b = new DigestBuckets(config);
    m.forEach((k, d) -> b.update(k, null, d));
    return b;
  }

  /** Reads every node and entry of every partition. */
  private static void readAll(DerivedTree t) {
    for (byte[] p : t.partitions(Scope.all())) {
      walk(t, NodeKey.root(p));
    }
  }

  private static void walk(DerivedTree t, NodeKey at) {
    if (t.node(at) instanceof dev.lattice.merkle.sync.NodeView.InnerView in) {
      for (int i = 0; i < 16; i++) {
        if ((in.childMask() & (1 << i)) != 0) {
          walk(t, at.child(i));
        }
      }
    }
  }

  @Test
  void enumeratorMissingAKeyIsCaught() {
    SplittableRandom rng = new SplittableRandom(5);
    MerkleConfig config = MerkleConfig.defaults();
    TreeMap<byte[], byte[]> m = sample(rng, 3_000);
    DigestBuckets buckets = bucketsOf(config, m);
    TreeMap<byte[], byte[]> fewer = Gen.newMap();
    fewer.putAll(m);
    fewer.remove(fewer.firstKey());
    DerivedTree t = DerivedTree.open(buckets.snapshot(), Enumerators.hashOrdered(config, fewer));
    assertThatThrownBy(() -> readAll(t)).isInstanceOfSatisfying(MerkleIndexException.class,
        e -> assertThat(e.reason()).isEqualTo(MerkleIndexException.Reason.INCONSISTENT_ENUMERATION));
  }

  @Test
  void enumeratorWithAnotherDigestIsCaught() {
    SplittableRandom rng = new SplittableRandom(6);
    MerkleConfig config = MerkleConfig.defaults();
    TreeMap<byte[], byte[]> m = sample(rng, 3_000);
    DigestBuckets buckets = bucketsOf(config, m);
    TreeMap<byte[], byte[]> changed = Gen.newMap();
    changed.putAll(m);
    changed.put(changed.lastKey(), Gen.element(rng));
    DerivedTree t = DerivedTree.open(buckets.snapshot(), Enumerators.hashOrdered(config, changed));
    assertThatThrownBy(() -> readAll(t)).isInstanceOfSatisfying(MerkleIndexException.class,
        e -> assertThat(e.reason()).isEqualTo(MerkleIndexException.Reason.INCONSISTENT_ENUMERATION));
  }

  @Test
  void enumeratorListingOutsideThePrefixesIsCaught() {
    SplittableRandom rng = new SplittableRandom(7);
    MerkleConfig config = MerkleConfig.defaults();
    TreeMap<byte[], byte[]> m = sample(rng, 3_000);
    DigestBuckets buckets = bucketsOf(config, m);
    Enumerator everything = (partition, prefixes, sink) -> m.forEach(sink);
    DerivedTree t = DerivedTree.open(buckets.snapshot(), everything);
    assertThatThrownBy(() -> readAll(t)).isInstanceOfSatisfying(MerkleIndexException.class,
        e -> assertThat(e.reason()).isEqualTo(MerkleIndexException.Reason.INCONSISTENT_ENUMERATION));
  }

  @Test
  void enumeratorListingAKeyTwiceIsCaught() {
    SplittableRandom rng = new SplittableRandom(8);
    MerkleConfig config = MerkleConfig.defaults();
    TreeMap<byte[], byte[]> m = sample(rng, 100);
    DigestBuckets buckets = bucketsOf(config, m);
    Enumerator inner = Enumerators.scanning(config, m);
    Enumerator twice = (partition, prefixes, sink) -> {
      inner.enumerate(partition, prefixes, sink);
      inner.enumerate(partition, prefixes, sink);
    };
    DerivedTree t = DerivedTree.open(buckets.snapshot(), twice);
    assertThatThrownBy(() -> readAll(t)).isInstanceOfSatisfying(MerkleIndexException.class,
        e -> assertThat(e.reason()).isEqualTo(MerkleIndexException.Reason.INCONSISTENT_ENUMERATION));
  }

  @Test
  void identicalRootsNeedNoEnumeration() {
    SplittableRandom rng = new SplittableRandom(9);
    MerkleConfig config = MerkleConfig.defaults();
    TreeMap<byte[], byte[]> m = sample(rng, 50_000);
    Enumerators.Counting counting = new Enumerators.Counting(Enumerators.scanning(config, m));
    DerivedTree t = DerivedTree.open(bucketsOf(config, m).snapshot(), counting);
    MemoryTree expected = MemoryTree.of(config, m.entrySet());
    for (byte[] p : t.partitions(Scope.all())) {
      NodeKey root = NodeKey.root(p);
      assertThat(t.digest(root)).isEqualTo(expected.digest(root));
      assertThat(TreeChecker.describe(t.node(root))).isEqualTo(TreeChecker.describe(expected.node(root)));
      for (int i = 0; i < 16; i++) {
        assertThat(TreeChecker.describe(t.node(root.child(i))))
            .isEqualTo(TreeChecker.describe(expected.node(root.child(i))));
      }
    }
    assertThat(counting.calls).isEmpty();
    assertThat(t.enumerations()).isZero();
  }

  @Test
  void aPrefetchListsEachPartitionOnceAndEachBucketOnce() {
    SplittableRandom rng = new SplittableRandom(10);
    MerkleConfig config = MerkleConfig.defaults();
    TreeMap<byte[], byte[]> m = Gen.newMap();
    for (int i = 0; i < 40_000; i++) {
      m.put(Gen.key(rng, 3), Gen.element(rng));
    }
    Enumerators.Counting counting = new Enumerators.Counting(Enumerators.hashOrdered(config, m));
    DerivedTree t = DerivedTree.open(bucketsOf(config, m).snapshot(), counting);
    List<NodeKey> deep = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      byte[] k = new ArrayList<>(m.keySet()).get(rng.nextInt(m.size()));
      int len = config.partitioner().partitionLength(k);
      long h = dev.lattice.merkle.Digests.keyHash(k);
      int depth = 1 + rng.nextInt(5);
      deep.add(new NodeKey(Arrays.copyOf(k, len), depth, h & NodeKey.mask(depth)));
    }
    t.prefetch(() -> deep.forEach(p -> t.forEachEntry(p, (k, d) -> { })));
    int partitions = (int) deep.stream().map(p -> Arrays.toString(p.partitionRef())).distinct().count();
    assertThat(counting.calls).hasSize(partitions);
    long listed = t.entriesListed();
    deep.forEach(p -> t.forEachEntry(p, (k, d) -> { }));
    readAll(t);
    assertThat(counting.calls.size()).isGreaterThan(partitions); // the full walk lists the rest
    long total = 0;
    for (byte[] p : t.partitions(Scope.all())) {
      total += t.count(NodeKey.root(p));
    }
    assertThat(t.entriesListed()).as("each bucket listed once").isEqualTo(total);
    assertThat(listed).isLessThan(total);
  }

  @Test
  void emptySnapshotHasNoPartitions() {
    MerkleConfig config = MerkleConfig.defaults();
    DerivedTree t = DerivedTree.open(new DigestBuckets(config).snapshot(),
        (p, prefixes, sink) -> { throw new AssertionError("nothing to list"); });
    assertThat(t.partitions(Scope.all())).isEmpty();
    assertThat(t.node(NodeKey.root(new byte[] {'a', 0}))).isNull();
    assertThat(t.digest(NodeKey.root(new byte[] {'a', 0}))).isNull();
    assertThat(t.count(new NodeKey(new byte[] {'a', 0}, 5, 0))).isZero();
  }
}
