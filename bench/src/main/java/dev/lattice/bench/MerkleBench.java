package dev.lattice.bench;

import dev.lattice.merkle.Difference;
import dev.lattice.merkle.MerkleConfig;
import dev.lattice.merkle.MerkleIndex;
import dev.lattice.merkle.Scope;
import dev.lattice.merkle.store.InMemoryNodeStore;
import dev.lattice.merkle.sync.MessageCodec;
import dev.lattice.merkle.sync.ReconcileMessage;
import dev.lattice.merkle.sync.Reconciler;
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

/**
 * End-to-end cost of Merkle repair: two indexes that differ in {@code d} planted keys (a third
 * changed digests, a third removed on one side, a third added on one side) are reconciled through
 * the binary codec, as two replicas would over a socket. Reports bytes each way, round trips,
 * wall time, exactness against the planted set, and the ratio to the naive exchange (one side
 * sending every key with its digest); then bulk-build time and the incremental update rate with
 * digests kept current (flushed after every batch of {@code batch} updates).
 *
 * <p>Keys are {@code collection \0 id} over four collections with 20-byte random ids; value
 * digests are 32 bytes. Targets (issue 3): n = 10^6, d = 100 exact in ≤ 7 round trips with bytes
 * ≤ 1% of naive; build of 10^6 keys ≤ 2 s; ≥ 200,000 updates/s.
 */
public final class MerkleBench implements BenchmarkSuite {
  private static final String[] COLLECTIONS = {"users", "posts", "comments", "tags"};

  @Override
  public String description() {
    return "Merkle reconciliation bytes/round trips/time vs naive, build time, update rate. "
        + "Params: --n 10000,100000,1000000 --d 1,100,10000 --seed 42 --updates 200000";
  }

  @Override
  public void run(BenchParams params, ResultSink out) throws Exception {
    long[] ns = params.longs("n", 10_000, 100_000, 1_000_000);
    long[] ds = params.longs("d", 1, 100, 10_000);
    long seed = params.longValue("seed", 42);
    int updates = params.intValue("updates", 200_000);
    MerkleConfig config = MerkleConfig.defaults();

    // Warm the JIT on a small case so the first measured figures are not interpretation time.
    for (int i = 0; i < 3; i++) {
      Map<String, Object> ignored = new LinkedHashMap<>();
      reconcile(config, keys(new SplittableRandom(i), 20_000), 50, new SplittableRandom(i), ignored);
    }

    long maxN = 0;
    for (long n : ns) {
      maxN = Math.max(maxN, n);
      List<Map.Entry<byte[], byte[]>> base = keys(new SplittableRandom(seed ^ n), (int) n);
      for (long d : ds) {
        System.err.printf("merkle: reconcile n=%d d=%d%n", n, d);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("n", n);
        p.put("d", d);
        Result r = reconcile(config, base, (int) d, new SplittableRandom(seed * 31 + d), p);
        out.emit("merkle.reconcile", p, "exact", r.exact ? 1 : 0, "bool");
        out.emit("merkle.reconcile", p, "differences", r.differences, "keys");
        out.emit("merkle.reconcile", p, "bytes_initiator_to_responder", r.bytesOut, "B");
        out.emit("merkle.reconcile", p, "bytes_responder_to_initiator", r.bytesIn, "B");
        out.emit("merkle.reconcile", p, "naive_bytes", r.naive, "B");
        out.emit("merkle.reconcile", p, "ratio_to_naive", (double) (r.bytesOut + r.bytesIn) / r.naive,
            "ratio");
        out.emit("merkle.reconcile", p, "round_trips", (r.messages + 1) / 2, "count");
        out.emit("merkle.reconcile", p, "messages", r.messages, "count");
        out.emit("merkle.reconcile", p, "time", r.nanos / 1e6, "ms");
      }
    }

    long buildN = Math.max(maxN, 1_000_000);
    System.err.printf("merkle: build n=%d%n", buildN);
    List<Map.Entry<byte[], byte[]>> base = keys(new SplittableRandom(seed), (int) buildN);
    MerkleIndex index = null;
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      index = null;
      System.gc();
      long t0 = System.nanoTime();
      index = MerkleIndex.build(config, new InMemoryNodeStore(), base);
      best = Math.min(best, System.nanoTime() - t0);
    }
    Map<String, Object> bp = Map.of("n", buildN);
    out.emit("merkle.build", bp, "time", best / 1e6, "ms");
    out.emit("merkle.build", bp, "rate", buildN / (best / 1e9), "keys/s");

    // batch = how many updates share one flush (root digest current after each flush);
    // batch = updates means one flush at the end, the fully lazy case.
    for (int batch : new int[] {1, 100, 1000, 10_000, updates}) {
      System.err.printf("merkle: updates n=%d batch=%d%n", buildN, batch);
      int count = batch == 1 ? Math.max(1, updates / 4) : updates;
      double rate = updateRate(index, base, count, batch, new SplittableRandom(seed + batch));
      Map<String, Object> up = new LinkedHashMap<>();
      up.put("n", buildN);
      up.put("batch", batch);
      up.put("updates", count);
      out.emit("merkle.update", up, "rate", rate, "updates/s");
    }
  }

  private record Result(boolean exact, long differences, long bytesOut, long bytesIn, long naive,
      int messages, long nanos) {}

  private static Result reconcile(MerkleConfig config, List<Map.Entry<byte[], byte[]>> base, int d,
      SplittableRandom rng, Map<String, Object> params) throws Exception {
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
    MerkleIndex ia = MerkleIndex.build(config, new InMemoryNodeStore(), base);
    MerkleIndex ib = MerkleIndex.build(config, new InMemoryNodeStore(), bEntries);
    long naive = 0;
    for (Map.Entry<byte[], byte[]> e : base) {
      naive += varintLength(e.getKey().length) + e.getKey().length
          + varintLength(e.getValue().length) + e.getValue().length;
    }

    long t0 = System.nanoTime();
    Reconciler from = Reconciler.initiator(ia, Scope.all());
    Reconciler to = Reconciler.responder(ib, Scope.all());
    Reconciler initiator = from;
    Reconciler responder = to;
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
    return new Result(exact, found.size(), bytesOut, bytesIn, naive, messages, nanos);
  }

  /** Updates per second with the root digest recomputed after every {@code batch} updates. */
  private static double updateRate(MerkleIndex index, List<Map.Entry<byte[], byte[]>> base,
      int count, int batch, SplittableRandom rng) {
    int n = base.size();
    // Pre-generate the operations so only index work is timed: 80% digest changes, 10% inserts,
    // 10% removals (each removal re-inserted later by a change, keeping n about constant).
    byte[][] keys = new byte[count][];
    byte[][] values = new byte[count][];
    for (int i = 0; i < count; i++) {
      int kind = rng.nextInt(10);
      keys[i] = kind == 0 ? randomKey(rng) : base.get(rng.nextInt(n)).getKey();
      values[i] = kind == 1 ? null : digest(rng);
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < count; i++) {
      if (values[i] == null) {
        index.remove(keys[i]);
      } else {
        index.put(keys[i], values[i]);
      }
      if ((i + 1) % batch == 0) {
        index.flush();
      }
    }
    index.flush();
    return count / ((System.nanoTime() - t0) / 1e9);
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
