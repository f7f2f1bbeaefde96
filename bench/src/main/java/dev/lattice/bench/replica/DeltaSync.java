package dev.lattice.bench.replica;

import dev.lattice.bench.ResultSink;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.replica.ApplyResult;
import dev.lattice.replica.Collection;
import dev.lattice.replica.Durability;
import dev.lattice.replica.Namespace;
import dev.lattice.replica.Replica;
import dev.lattice.replica.ReplicaOptions;
import dev.lattice.replica.WriteReceipt;
import dev.lattice.replica.log.Delta;
import dev.lattice.replica.log.DeltaPage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Section 2: catch-up. A source replica holds {@code n} local writes (one 100-byte LWW field on
 * {@code n} distinct documents). {@code deltasSince(empty vector)} is timed as one page and as
 * 64 KiB pages (the vector advanced by each page's dots, as a peer would), then
 * {@code applyRemote} of all {@code n} deltas into a fresh replica in batches, each batch awaited
 * until durable (an upstream acks only then), for each durability mode of the receiver; last,
 * the same deltas again (all duplicates).
 */
final class DeltaSync {
  private final Path dir;
  private final ResultSink out;
  private final int n;
  private final int reps;
  private final long[] batches;

  DeltaSync(Path dir, ResultSink out, int n, int reps, long[] batches) {
    this.dir = dir;
    this.out = out;
    this.n = n;
    this.reps = reps;
    this.batches = batches;
  }

  void run() {
    Path sourceFile = dir.resolve("delta-source.mv.db");
    String[] values = Env.stringValues(1024, 11);
    try (Replica source = Replica.open(sourceFile, ReplicaOptions.builder().durability(Durability.ASYNC).build())) {
      Collection c = source.namespace("n").collection("c");
      WriteReceipt last = null;
      for (int i = 0; i < n; i++) {
        String v = values[i % values.length];
        last = c.update(Env.id(i), doc -> doc.set("f", v));
      }
      last.durable().join();
      source.flush();
      Namespace ns = source.namespace("n");

      // Warm the read path, then time it.
      for (int i = 0; i < 3; i++) {
        readAll(ns, Integer.MAX_VALUE);
        readAll(ns, 64 * 1024);
      }
      for (int maxBytes : new int[] {Integer.MAX_VALUE, 64 * 1024}) {
        double[] ms = new double[reps];
        long[] result = null;
        for (int r = 0; r < reps; r++) {
          long t0 = System.nanoTime();
          result = readAll(ns, maxBytes);
          ms[r] = (System.nanoTime() - t0) / 1e6;
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("deltas", n);
        p.put("maxBytes", maxBytes == Integer.MAX_VALUE ? "unbounded" : Integer.toString(maxBytes));
        p.put("reps", reps);
        out.emit("replica.deltasSince", p, "time.median", Stats.median(ms), "ms");
        out.emit("replica.deltasSince", p, "time.min", Stats.min(ms), "ms");
        out.emit("replica.deltasSince", p, "deltas", result[0], "count");
        out.emit("replica.deltasSince", p, "pages", result[2], "count");
        out.emit("replica.deltasSince", p, "bytes", result[1], "bytes");
        out.emit("replica.deltasSince", p, "bytes.per.delta", (double) result[1] / result[0], "bytes");
        out.emit("replica.deltasSince", p, "thrpt", result[0] / (Stats.median(ms) / 1e3), "deltas/s");
      }

      List<Delta> all = new ArrayList<>();
      DeltaPage page = ns.deltasSince(VersionVector.EMPTY, Integer.MAX_VALUE);
      all.addAll(((DeltaPage.Deltas) page).deltas());

      // Warm the apply path on one throwaway receiver.
      applyAll(all, 1000, Durability.COMMIT, "warm");
      for (Durability mode : new Durability[] {Durability.SYNC, Durability.COMMIT}) {
        for (long batch : batches) {
          double[] rate = new double[reps];
          double[] dupRate = new double[reps];
          for (int r = 0; r < reps; r++) {
            double[] res = applyAll(all, (int) batch, mode, mode + "-" + batch + "-" + r);
            rate[r] = res[0];
            dupRate[r] = res[1];
          }
          Map<String, Object> p = new LinkedHashMap<>();
          p.put("deltas", n);
          p.put("batch", batch);
          p.put("receiver", mode.name());
          p.put("reps", reps);
          out.emit("replica.applyRemote", p, "thrpt.median", Stats.median(rate), "deltas/s");
          out.emit("replica.applyRemote", p, "thrpt.min", Stats.min(rate), "deltas/s");
          out.emit("replica.applyRemote", p, "thrpt.max", Stats.max(rate), "deltas/s");
          out.emit("replica.applyRemote", p, "duplicates.thrpt.median", Stats.median(dupRate), "deltas/s");
        }
      }
    } finally {
      Env.deleteFile(sourceFile);
    }
  }

  /** Pages through everything the empty vector misses; returns {deltas, bytes, pages}. */
  private static long[] readAll(Namespace ns, int maxBytes) {
    VersionVector v = VersionVector.EMPTY;
    long count = 0;
    long bytes = 0;
    long pages = 0;
    while (true) {
      DeltaPage page = ns.deltasSince(v, maxBytes);
      if (!(page instanceof DeltaPage.Deltas d)) {
        throw new IllegalStateException("unexpected " + page);
      }
      pages++;
      count += d.deltas().size();
      bytes += d.bytes();
      if (!d.more()) {
        return new long[] {count, bytes, pages};
      }
      for (Delta delta : d.deltas()) {
        v = v.add(delta.dot());
      }
    }
  }

  /** Applies every delta into a fresh receiver in batches; returns {deltas/s, duplicate deltas/s}. */
  private double[] applyAll(List<Delta> all, int batch, Durability mode, String tag) {
    Path file = dir.resolve("delta-sink-" + tag + ".mv.db");
    try (Replica sink = Replica.open(file, ReplicaOptions.builder().durability(mode).build())) {
      Namespace ns = sink.namespace("n");
      double fresh = timeBatches(ns, all, batch, true);
      double dup = timeBatches(ns, all, batch, false);
      return new double[] {fresh, dup};
    } finally {
      Env.deleteFile(file);
    }
  }

  private static double timeBatches(Namespace ns, List<Delta> all, int batch, boolean expectNew) {
    long t0 = System.nanoTime();
    long applied = 0;
    for (int from = 0; from < all.size(); from += batch) {
      ApplyResult r = ns.applyRemote(all.subList(from, Math.min(all.size(), from + batch)));
      r.durable().join();
      applied += r.applied().size();
    }
    long nanos = System.nanoTime() - t0;
    if (applied != (expectNew ? all.size() : 0)) {
      throw new IllegalStateException("applied " + applied + " of " + all.size() + " (expected new: " + expectNew + ")");
    }
    return all.size() * 1e9 / nanos;
  }
}
