package dev.lattice.bench.replica;

import dev.lattice.bench.ResultSink;
import dev.lattice.crdt.codec.CrdtCodec;
import dev.lattice.crdt.type.Document;
import dev.lattice.replica.Collection;
import dev.lattice.replica.Durability;
import dev.lattice.replica.Namespace;
import dev.lattice.replica.Replica;
import dev.lattice.replica.ReplicaOptions;
import dev.lattice.replica.RetentionPolicy;
import dev.lattice.replica.WriteReceipt;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreTool;

/**
 * Section 4: metadata growth. {@code overwrites} ASYNC writes of one 100-byte LWW field spread
 * round-robin over {@code docs} documents, in phases; after each phase the log is compacted with
 * {@code RetentionPolicy(keep, 1 day)} and the file size, the heap after {@code System.gc()} and
 * the live data (the sum of the stored, encoded documents) are recorded, so growth between
 * phases is visible. The replica has no public MVStore compaction, so the file is reported as the
 * replica leaves it; then, after close, the bench compacts the closed file with raw MVStore
 * ({@code compactFile}, then the offline {@code MVStoreTool.compact}) to show what such an API
 * would reach, and reopens the replica to check nothing was lost.
 */
final class MetadataGrowth {
  private final Path dir;
  private final ResultSink out;
  private final int docs;
  private final long overwrites;
  private final long phase;
  private final int keep;

  MetadataGrowth(Path dir, ResultSink out, int docs, long overwrites, long phase, int keep) {
    this.dir = dir;
    this.out = out;
    this.docs = docs;
    this.overwrites = overwrites;
    this.phase = phase;
    this.keep = keep;
  }

  void run() {
    Path file = dir.resolve("growth.mv.db");
    String[] values = Env.stringValues(1024, 17);
    RetentionPolicy policy = new RetentionPolicy(keep, Duration.ofDays(1));
    try {
      long written = 0;
      long totalNanos = 0;
      Map<String, Object> base = new LinkedHashMap<>();
      base.put("docs", docs);
      base.put("keepPerReplica", keep);
      try (Replica replica = Replica.open(file, ReplicaOptions.builder().durability(Durability.ASYNC).build())) {
        Namespace ns = replica.namespace("n");
        Collection c = ns.collection("c");
        // Warm-up: one write per document, not timed (the documents then exist, as in the goal).
        WriteReceipt last = null;
        for (int d = 0; d < docs; d++) {
          String v = values[d % values.length];
          last = c.update(Env.id(d), doc -> doc.set("f", v));
        }
        last.durable().join();
        while (written < overwrites) {
          long n = Math.min(phase, overwrites - written);
          ThreadCpu cpu = ThreadCpu.now();
          long t0 = System.nanoTime();
          for (long i = written; i < written + n; i++) {
            String v = values[(int) ((i * 7) % values.length)];
            last = c.update(Env.id(i % docs), doc -> doc.set("f", v));
          }
          last.durable().join();
          long nanos = System.nanoTime() - t0;
          totalNanos += nanos;
          written += n;
          System.err.printf("replica/growth: %,d overwrites, %,.0f/s in this phase%n", written, n * 1e9 / nanos);
          Map<String, Object> p = new LinkedHashMap<>(base);
          p.put("overwrites", written);
          out.emit("replica.growth", p, "thrpt.phase", n * 1e9 / nanos, "ops/s");
          double[] spent = ThreadCpu.since(cpu, n);
          out.emit("replica.growth", p, "cpu.writer.per_write", spent[0], "us");
          out.emit("replica.growth", p, "cpu.committer.per_write", spent[1], "us");
          out.emit("replica.growth", p, "writer.parked", spent[2], "ms");
          out.emit("replica.growth", p, "gc.time", spent[3], "ms");
          out.emit("replica.growth", p, "wall.per_write", nanos / 1e3 / n, "us");
          replica.flush();
          out.emit("replica.growth", p, "file.before_compactLog", Env.size(file), "bytes");
          long tc = System.nanoTime();
          int trimmed = ns.compactLog(policy);
          replica.flush();
          out.emit("replica.growth", p, "compactLog.time", (System.nanoTime() - tc) / 1e6, "ms");
          out.emit("replica.growth", p, "compactLog.trimmed", trimmed, "deltas");
          out.emit("replica.growth", p, "file.after_compactLog", Env.size(file), "bytes");
          long[] live = liveData(c);
          out.emit("replica.growth", p, "live.documents", live[0], "count");
          out.emit("replica.growth", p, "live.values", live[1], "bytes");
          out.emit("replica.growth", p, "live.keys_and_values", live[2], "bytes");
          out.emit("replica.growth", p, "file_to_live", (double) Env.size(file) / live[1], "x");
          out.emit("replica.growth", p, "heap.after_gc", Env.heapUsedAfterGc(), "bytes");
        }
        Map<String, Object> p = new LinkedHashMap<>(base);
        p.put("overwrites", written);
        out.emit("replica.growth", p, "thrpt", written * 1e9 / totalNanos, "ops/s");
      }
      Map<String, Object> p = new LinkedHashMap<>(base);
      p.put("overwrites", written);
      long live;
      try (Replica replica = Replica.open(file, ReplicaOptions.defaults())) {
        live = liveData(replica.namespace("n").collection("c"))[1];
      }
      out.emit("replica.growth.final", p, "live.values", live, "bytes");
      out.emit("replica.growth.final", p, "file.closed", Env.size(file), "bytes");
      out.emit("replica.growth.final", p, "file_to_live.closed", (double) Env.size(file) / live, "x");

      // What MVStore compaction would give; the replica exposes none, so the bench does it on
      // the closed file with raw MVStore.
      long tc = System.nanoTime();
      MVStore raw = WriteTargets.openRaw(file);
      raw.setRetentionTime(0);
      raw.compactFile(60_000);
      raw.close();
      out.emit("replica.growth.final", p, "mvstore.compactFile.time", (System.nanoTime() - tc) / 1e6, "ms");
      out.emit("replica.growth.final", p, "file.after_mvstore.compactFile", Env.size(file), "bytes");
      out.emit("replica.growth.final", p, "file_to_live.after_mvstore.compactFile", (double) Env.size(file) / live, "x");
      tc = System.nanoTime();
      MVStoreTool.compact(file.toString(), false);
      out.emit("replica.growth.final", p, "mvstoretool.compact.time", (System.nanoTime() - tc) / 1e6, "ms");
      out.emit("replica.growth.final", p, "file.after_mvstoretool.compact", Env.size(file), "bytes");
      out.emit("replica.growth.final", p, "file_to_live.after_mvstoretool.compact", (double) Env.size(file) / live, "x");
      MapSizes.emit(file, out, "replica.growth.final.maps", p);
      try (Replica replica = Replica.open(file, ReplicaOptions.defaults())) {
        long[] after = liveData(replica.namespace("n").collection("c"));
        out.emit("replica.growth.final", p, "reopened.documents", after[0], "count");
        out.emit("replica.growth.final", p, "reopened.live.values", after[1], "bytes");
      }
    } finally {
      Env.deleteFile(file);
      Env.deleteFile(Path.of(file + ".tempFile"));
      Env.deleteFile(Path.of(file + ".newFile"));
    }
  }

  /** {documents, sum of stored document bytes, that plus the stored keys}. */
  private static long[] liveData(Collection c) {
    List<Map.Entry<String, Document>> all = c.scan("", Integer.MAX_VALUE);
    long values = 0;
    long keys = 0;
    for (Map.Entry<String, Document> e : all) {
      values += CrdtCodec.encode(e.getValue()).length;
      keys += (c.name() + "\0" + e.getKey()).getBytes(StandardCharsets.UTF_8).length;
    }
    return new long[] {all.size(), values, values + keys};
  }
}
