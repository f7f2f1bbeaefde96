package dev.lattice.bench;

import dev.lattice.merkle.Difference;
import dev.lattice.merkle.Digests;
import dev.lattice.merkle.MerkleCodecException;
import dev.lattice.merkle.MerkleConfig;
import dev.lattice.merkle.NodeKey;
import dev.lattice.merkle.Scope;
import dev.lattice.merkle.sync.MessageCodec;
import dev.lattice.merkle.sync.ReconcileMessage;
import dev.lattice.merkle.sync.Reconciler;
import dev.lattice.merkle.tree.DerivedTree;
import dev.lattice.merkle.tree.DigestBuckets;
import dev.lattice.merkle.tree.Enumerator;
import dev.lattice.merkle.tree.HashOrderedKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Cost of the Merkle digests on the write path and of a repair, on the additive path the replica
 * uses ({@link DigestBuckets} kept per write, {@link DerivedTree} when a repair opens).
 *
 * <ul>
 *   <li>{@code merkle.update}: CPU per write (thread CPU time, best of five rounds) at a
 *       namespace of {@code n} documents, three ways:
 *       the bucket update alone; with the element digest of a 105-byte document (the issue's
 *       workload) computed first; and with the changed bucket encoded for storage after every
 *       write (a commit per write). O(1) means the same figure at 10^4 and 10^6 documents.
 *   <li>{@code merkle.reconcile}: two sides that differ in {@code d} planted keys (a third
 *       changed digests, a third removed on one side, a third added on one side), each a
 *       {@link DerivedTree} over its bucket snapshot and an enumerator doing range scans of an
 *       in-memory sorted map in {@link HashOrderedKey} order (as an MVMap would), reconciled
 *       through the binary codec as two replicas would over a socket. Reports bytes each way,
 *       round trips, wall time, exactness against the planted set, enumerator calls, and the
 *       ratio to the naive exchange (one side sending every key with its 32-byte digest: the sum
 *       of varint(key length) + key + varint(32) + 32 over its keys).
 *   <li>{@code merkle.buckets}: time to fill buckets with {@code n} documents (a rebuild, measured
 *       once) and to snapshot them (what opening a repair costs under the replica's write lock).
 * </ul>
 *
 * <p>Keys are {@code collection \0 id} over four collections with 20-byte random ids; element
 * digests are random 32-byte values. Targets (issue 11): per-write digest CPU the same at 10^4
 * and 10^6 documents (± 20 %); n = 10^6, d = 100 exact in ≤ 4 round trips with bytes ≤ 0.3 % of
 * naive.
 *
 * <p>Until the legacy hash-tree index was deleted, a {@code merkle.reconcile_legacy} run compared
 * the two paths; its last figures are in bench/RESULTS.md, section "merkle".
 */
public final class MerkleBench implements BenchmarkSuite {
  private static final String[] COLLECTIONS = {"users", "posts", "comments", "tags"};
  private static final MerkleConfig CONFIG = MerkleConfig.defaults();
  private static final int VALUE_BYTES = 105;

  @Override
  public String description() {
    return "Merkle per-write digest cost (O(1) check) and repair bytes/round trips vs naive on the"
        + " bucket-derived trie. Params: --n 10000,100000,1000000 --d 1,100,10000"
        + " --update-n 10000,1000000 --updates 1000000 --seed 42";
  }

  @Override
  public void run(BenchParams params, ResultSink out) throws Exception {
    long[] ns = params.longs("n", 10_000, 100_000, 1_000_000);
    long[] ds = params.longs("d", 1, 100, 10_000);
    long[] updateNs = params.longs("update-n", 10_000, 1_000_000);
    int updates = params.intValue("updates", 1_000_000);
    long seed = params.longValue("seed", 42);

    // ---- per-write cost ----
    // Every size is prepared first and the timed rounds alternate between sizes, so no size is
    // measured in a heap or JIT state the others did not see.
    System.err.println("merkle: warming the update path");
    UpdateWorkload warm = new UpdateWorkload(10_000, Math.max(1, updates / 4),
        new SplittableRandom(seed));
    for (int round = 0; round < 3; round++) {
      warm.round();
    }
    warm = null;
    List<UpdateWorkload> workloads = new ArrayList<>();
    for (long n : updateNs) {
      System.err.printf("merkle: preparing updates n=%d%n", n);
      workloads.add(new UpdateWorkload((int) n, updates, new SplittableRandom(seed ^ n)));
    }
    for (int round = 0; round < 5; round++) {
      for (UpdateWorkload w : workloads) {
        System.gc();
        w.round();
      }
    }
    for (UpdateWorkload w : workloads) {
      w.emit(out);
    }

    // ---- reconciliation ----
    System.err.println("merkle: warming the reconciliation path");
    for (int i = 0; i < 3; i++) {
      reconcile(keys(new SplittableRandom(i), 20_000), 50, new SplittableRandom(i));
    }
    for (long n : ns) {
      List<Map.Entry<byte[], byte[]>> base = keys(new SplittableRandom(seed ^ n), (int) n);
      for (long d : ds) {
        System.err.printf("merkle: reconcile n=%d d=%d%n", n, d);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("n", n);
        p.put("d", d);
        Result r = reconcile(base, (int) d, new SplittableRandom(seed * 31 + d));
        emit(out, "merkle.reconcile", p, r);
        out.emit("merkle.reconcile", p, "enumerations_initiator", r.enumerationsA, "calls");
        out.emit("merkle.reconcile", p, "enumerations_responder", r.enumerationsB, "calls");
        out.emit("merkle.reconcile", p, "entries_listed", r.listed, "keys");
        out.emit("merkle.reconcile", p, "snapshot_time", r.snapshotNanos / 1e6, "ms");
      }
    }
  }

  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();

  private static long cpu() {
    return THREADS.getCurrentThreadCpuTime();
  }

  private static void emit(ResultSink out, String name, Map<String, Object> p, Result r) {
    out.emit(name, p, "exact", r.exact ? 1 : 0, "bool");
    out.emit(name, p, "differences", r.differences, "keys");
    out.emit(name, p, "bytes_initiator_to_responder", r.bytesOut, "B");
    out.emit(name, p, "bytes_responder_to_initiator", r.bytesIn, "B");
    out.emit(name, p, "naive_bytes", r.naive, "B");
    out.emit(name, p, "ratio_to_naive", (double) (r.bytesOut + r.bytesIn) / r.naive, "ratio");
    out.emit(name, p, "round_trips", (r.messages + 1) / 2, "count");
    out.emit(name, p, "messages", r.messages, "count");
    out.emit(name, p, "time", r.nanos / 1e6, "ms");
  }

  // ---- per-write cost ----

  /**
   * Buckets filled with {@code n} documents and {@code count} writes on them, timed three ways;
   * {@link #round} times each way once and keeps the best (other sessions share the machine).
   * The writes are made beforehand, each with its own copy of the key and digests laid out in
   * order, so a timed loop touches the buckets and nothing that grows with {@code n}. Each way
   * applies the writes and then their inverses, so every pass starts from the same state.
   */
  private static final class UpdateWorkload {
    final int n;
    final int count;
    final DigestBuckets buckets = new DigestBuckets(CONFIG);
    final byte[][] keys;
    final byte[][] olds;
    final byte[][] news;
    final byte[][] values;
    final long fill;
    long snapshot = Long.MAX_VALUE;
    long bucketOnly = Long.MAX_VALUE;
    long withElement = Long.MAX_VALUE;
    long withStore = Long.MAX_VALUE;
    int sink;

    UpdateWorkload(int n, int count, SplittableRandom rng) {
      this.n = n;
      this.count = count;
      List<Map.Entry<byte[], byte[]>> base = keys(rng, n);
      long t0 = System.nanoTime();
      for (Map.Entry<byte[], byte[]> e : base) {
        buckets.update(e.getKey(), null, e.getValue());
      }
      fill = System.nanoTime() - t0;
      buckets.drainDirty((k, v) -> { });
      // Steady state: 90 % changes, 10 % removals; a removed document returns on its next write.
      byte[][] current = new byte[n][];
      for (int i = 0; i < n; i++) {
        current[i] = base.get(i).getValue();
      }
      keys = new byte[count][];
      olds = new byte[count][];
      news = new byte[count][];
      values = new byte[count][];
      for (int i = 0; i < count; i++) {
        int k = rng.nextInt(n);
        keys[i] = base.get(k).getKey().clone();
        olds[i] = current[k] == null ? null : current[k].clone();
        byte[] next = current[k] == null || rng.nextInt(10) != 0 ? digest(rng) : null;
        news[i] = next;
        current[k] = next;
        values[i] = new byte[VALUE_BYTES];
        rng.nextBytes(values[i]);
      }
    }

    /** Times each way once, in CPU time of this thread: the figure is CPU per write. */
    void round() {
      long t0 = cpu();
      for (int i = 0; i < count; i++) {
        buckets.update(keys[i], olds[i], news[i]);
      }
      bucketOnly = Math.min(bucketOnly, cpu() - t0);
      undo();

      t0 = cpu();
      for (int i = 0; i < count; i++) {
        sink += Digests.element(keys[i], values[i])[0];
        buckets.update(keys[i], olds[i], news[i]);
      }
      withElement = Math.min(withElement, cpu() - t0);
      undo();

      t0 = cpu();
      for (int i = 0; i < count; i++) {
        sink += Digests.element(keys[i], values[i])[0];
        buckets.update(keys[i], olds[i], news[i]);
        buckets.drainDirty((k, v) -> sink += v == null ? 0 : v.length);
      }
      withStore = Math.min(withStore, cpu() - t0);
      undo();

      t0 = System.nanoTime();
      sink += buckets.snapshot().hashCode();
      snapshot = Math.min(snapshot, System.nanoTime() - t0);
    }

    private void undo() {
      for (int i = count - 1; i >= 0; i--) {
        buckets.update(keys[i], news[i], olds[i]);
      }
      buckets.drainDirty((k, v) -> { });
    }

    void emit(ResultSink out) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("n", n);
      p.put("updates", count);
      out.emit("merkle.update", p, "bucket_update", (double) bucketOnly / count, "ns/write");
      out.emit("merkle.update", p, "element_digest_and_bucket_update",
          (double) withElement / count, "ns/write");
      out.emit("merkle.update", p, "element_digest_bucket_update_and_store_per_write",
          (double) withStore / count, "ns/write");
      out.emit("merkle.update", p, "rate_bucket_update", count / (bucketOnly / 1e9),
          "writes/s per core");
      Map<String, Object> bp = Map.of("n", n);
      out.emit("merkle.buckets", bp, "fill", fill / 1e6, "ms");
      out.emit("merkle.buckets", bp, "snapshot", snapshot / 1e6, "ms");
      out.emit("merkle.buckets", bp, "checksum", sink & 1, "bit");
    }
  }

  // ---- reconciliation ----

  private record Result(boolean exact, long differences, long bytesOut, long bytesIn, long naive,
      int messages, long nanos, int enumerationsA, int enumerationsB, long listed,
      long snapshotNanos) {}

  /** One side of a repair as a replica holds it: bucket sums and documents in hash order. */
  private record Side(DigestBuckets buckets, TreeMap<byte[], byte[]> hashOrdered) {
    static Side of(Iterable<Map.Entry<byte[], byte[]>> entries) {
      DigestBuckets buckets = new DigestBuckets(CONFIG);
      TreeMap<byte[], byte[]> ordered = new TreeMap<>(Arrays::compareUnsigned);
      for (Map.Entry<byte[], byte[]> e : entries) {
        buckets.update(e.getKey(), null, e.getValue());
        ordered.put(HashOrderedKey.of(CONFIG, e.getKey()), e.getValue());
      }
      buckets.drainDirty((k, v) -> { });
      return new Side(buckets, ordered);
    }

    /** Range scans of the sorted map, one per prefix. */
    Enumerator enumerator() {
      return (partition, prefixes, sink) -> {
        for (NodeKey p : prefixes) {
          for (Map.Entry<byte[], byte[]> e : hashOrdered.subMap(HashOrderedKey.from(p), true,
              HashOrderedKey.to(p), false).entrySet()) {
            try {
              sink.accept(HashOrderedKey.documentKey(e.getKey()), e.getValue());
            } catch (MerkleCodecException ex) {
              throw new IllegalStateException(ex);
            }
          }
        }
      };
    }
  }

  private static Result reconcile(List<Map.Entry<byte[], byte[]>> base, int d,
      SplittableRandom rng) throws Exception {
    // Plant d differences on distinct keys: change, remove from b, add to b (a third each).
    Map<Key, byte[]> b = new HashMap<>(base.size() * 2);
    for (Map.Entry<byte[], byte[]> e : base) {
      b.put(new Key(e.getKey()), e.getValue());
    }
    Set<Key> planted = new HashSet<>();
    int n = base.size();
    for (int i = 0; i < d; i++) {
      int kind = i % 3;
      if (kind == 2 || n == 0) {
        Key k = new Key(randomKey(rng));
        b.put(k, digest(rng));
        planted.add(k);
        continue;
      }
      Key k;
      do {
        k = new Key(base.get(rng.nextInt(n)).getKey());
      } while (planted.contains(k) && planted.size() < n);
      if (planted.contains(k)) {
        continue; // every base key already differs
      }
      planted.add(k);
      if (kind == 0) {
        b.put(k, digest(rng));
      } else {
        b.remove(k);
      }
    }
    List<Map.Entry<byte[], byte[]>> bEntries = new ArrayList<>(b.size());
    b.forEach((k, v) -> bEntries.add(Map.entry(k.bytes, v)));
    b = null;
    long naive = 0;
    for (Map.Entry<byte[], byte[]> e : base) {
      naive += varintLength(e.getKey().length) + e.getKey().length
          + varintLength(e.getValue().length) + e.getValue().length;
    }

    Side sa = Side.of(base);
    Side sb = Side.of(bEntries);
    long t0 = System.nanoTime();
    // Opening a repair: a snapshot of the sums (under the writer's lock in a replica) and a
    // derived tree over it and a consistent version of the documents.
    long s0 = System.nanoTime();
    var snapshotA = sa.buckets().snapshot();
    long snapshotNanos = System.nanoTime() - s0;
    DerivedTree ta = DerivedTree.open(snapshotA, sa.enumerator());
    DerivedTree tb = DerivedTree.open(sb.buckets().snapshot(), sb.enumerator());
    Reconciler initiator = Reconciler.initiator(ta, Scope.all());
    Reconciler responder = Reconciler.responder(tb, Scope.all());
    Reconciler from = initiator;
    Reconciler to = responder;
    long bytesOut = 0;
    long bytesIn = 0;
    int messages = 0;
    while (true) {
      Optional<ReconcileMessage> m = from.nextMessage();
      if (m.isEmpty()) {
        break;
      }
      byte[] wire = MessageCodec.encode(m.get());
      if (from == initiator) {
        bytesOut += wire.length;
      } else {
        bytesIn += wire.length;
      }
      to.receive(MessageCodec.decode(wire));
      messages++;
      Reconciler t = from;
      from = to;
      to = t;
    }
    long nanos = System.nanoTime() - t0;

    List<Difference> found = initiator.differences();
    Set<Key> foundKeys = new HashSet<>();
    for (Difference diff : found) {
      foundKeys.add(new Key(diff.key()));
    }
    boolean exact = responder.isDone() && foundKeys.size() == found.size()
        && foundKeys.equals(planted) && responder.differences().size() == found.size();
    return new Result(exact, found.size(), bytesOut, bytesIn, naive, messages, nanos,
        ta.enumerations(), tb.enumerations(), ta.entriesListed() + tb.entriesListed(),
        snapshotNanos);
  }

  private static List<Map.Entry<byte[], byte[]>> keys(SplittableRandom rng, int n) {
    Set<Key> seen = new HashSet<>(n * 2);
    List<Map.Entry<byte[], byte[]>> out = new ArrayList<>(n);
    while (out.size() < n) {
      byte[] k = randomKey(rng);
      if (seen.add(new Key(k))) {
        out.add(Map.entry(k, digest(rng)));
      }
    }
    return out;
  }

  private static byte[] randomKey(SplittableRandom rng) {
    byte[] c = COLLECTIONS[rng.nextInt(COLLECTIONS.length)].getBytes(StandardCharsets.UTF_8);
    byte[] k = Arrays.copyOf(c, c.length + 1 + 20);
    for (int i = c.length + 1; i < k.length; i++) {
      k[i] = (byte) ('a' + rng.nextInt(26)); // printable document ids
    }
    return k;
  }

  private static byte[] digest(SplittableRandom rng) {
    byte[] d = new byte[32];
    rng.nextBytes(d);
    return d;
  }

  private static int varintLength(int v) {
    return v < 0x80 ? 1 : v < 0x4000 ? 2 : 3;
  }

  private record Key(byte[] bytes) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }
  }
}
