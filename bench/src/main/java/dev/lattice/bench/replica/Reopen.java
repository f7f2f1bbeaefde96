package dev.lattice.bench.replica;

import dev.lattice.bench.ResultSink;
import dev.lattice.replica.Collection;
import dev.lattice.replica.Durability;
import dev.lattice.replica.Replica;
import dev.lattice.replica.ReplicaOptions;
import dev.lattice.replica.WriteReceipt;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * Section 3: reopen. For each size, writes a replica of {@code docs} documents (one 100-byte
 * field each, ASYNC, group-committed by the replica) and a raw MVStore map of as many 100-byte
 * values, closes both, then for each repetition starts fresh JVMs ({@link ReopenProbe}) that time
 * {@code Replica.open} plus the first {@code get}, raw open plus one get, and raw open plus a
 * full scan, and report the heap in use after {@code System.gc()}. One more replica probe runs
 * with {@code -Xmx} set to the heap goal, to show it opens within it.
 */
final class Reopen {
  private final Path dir;
  private final ResultSink out;
  private final long[] sizes;
  private final int reps;

  Reopen(Path dir, ResultSink out, long[] sizes, int reps) {
    this.dir = dir;
    this.out = out;
    this.sizes = sizes;
    this.reps = reps;
  }

  void run() throws Exception {
    String[] strings = Env.stringValues(1024, 13);
    byte[][] bytes = Env.byteValues(strings);
    for (long size : sizes) {
      int n = Math.toIntExact(size);
      Path replicaFile = dir.resolve("reopen-replica-" + n + ".mv.db");
      Path rawFile = dir.resolve("reopen-raw-" + n + ".mv.db");
      try {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("docs", n);
        System.err.printf("replica/reopen: writing %,d documents%n", n);
        ThreadCpu cpu = ThreadCpu.now();
        long t0 = System.nanoTime();
        try (Replica replica = Replica.open(replicaFile, ReplicaOptions.builder().durability(Durability.ASYNC).build())) {
          Collection c = replica.namespace("n").collection("c");
          WriteReceipt last = null;
          for (int i = 0; i < n; i++) {
            String v = strings[i % strings.length];
            last = c.update(Env.id(i), doc -> doc.set("f", v));
          }
          last.durable().join();
          double writeSeconds = (System.nanoTime() - t0) / 1e9;
          double[] spent = ThreadCpu.since(cpu, n);
          out.emit("replica.reopen.load", p, "replica.write.thrpt", n / writeSeconds, "ops/s");
          out.emit("replica.reopen.load", p, "cpu.writer.per_write", spent[0], "us");
          out.emit("replica.reopen.load", p, "cpu.committer.per_write", spent[1], "us");
          out.emit("replica.reopen.load", p, "writer.parked", spent[2], "ms");
          out.emit("replica.reopen.load", p, "gc.time", spent[3], "ms");
        }
        t0 = System.nanoTime();
        MVStore raw = WriteTargets.openRaw(rawFile);
        MVMap<String, byte[]> map = WriteTargets.rawMap(raw);
        for (int i = 0; i < n; i++) {
          map.put(Env.id(i), bytes[i % bytes.length]);
          if ((i + 1) % 10_000 == 0) {
            raw.commit();
          }
        }
        raw.close();
        out.emit("replica.reopen.load", p, "raw.write.thrpt", n / ((System.nanoTime() - t0) / 1e9), "ops/s");
        out.emit("replica.reopen.load", p, "replica.file", Env.size(replicaFile), "bytes");
        out.emit("replica.reopen.load", p, "raw.file", Env.size(rawFile), "bytes");

        String probeId = Env.id(n / 2 + 7);
        String[] kinds = {"replica", "raw-get", "raw-scan"};
        Map<String, List<Map<String, Double>>> results = new LinkedHashMap<>();
        for (int r = 0; r < reps; r++) {
          for (String kind : kinds) {
            Path f = kind.equals("replica") ? replicaFile : rawFile;
            System.err.printf("replica/reopen: %,d docs, %s probe %d of %d%n", n, kind, r + 1, reps);
            results.computeIfAbsent(kind, k -> new ArrayList<>()).add(probe(kind, f, probeId, null));
          }
        }
        for (Map.Entry<String, List<Map<String, Double>>> e : results.entrySet()) {
          Map<String, Object> q = new LinkedHashMap<>(p);
          q.put("probe", e.getKey());
          q.put("reps", reps);
          for (String metric : new String[] {"open_ms", "first_ms", "total_ms"}) {
            double[] v = e.getValue().stream().mapToDouble(m -> m.get(metric)).toArray();
            out.emit("replica.reopen", q, metric.replace("_ms", "") + ".median", Stats.median(v), "ms");
          }
          double[] heap = e.getValue().stream().mapToDouble(m -> m.get("heap_after")).toArray();
          double[] base = e.getValue().stream().mapToDouble(m -> m.get("heap_before")).toArray();
          double[] found = e.getValue().stream().mapToDouble(m -> m.get("found")).toArray();
          out.emit("replica.reopen", q, "heap.after_gc.median", Stats.median(heap), "bytes");
          out.emit("replica.reopen", q, "heap.baseline.median", Stats.median(base), "bytes");
          out.emit("replica.reopen", q, "found", Stats.min(found), "bool");
          out.emit("replica.reopen", q, "entries.read", e.getValue().get(0).get("count"), "count");
        }
        String cap = n >= 1_000_000 ? "256m" : n >= 100_000 ? "32m" : null;
        if (cap != null) {
          System.err.printf("replica/reopen: %,d docs, replica probe with -Xmx%s%n", n, cap);
          Map<String, Double> capped = probe("replica", replicaFile, probeId, "-Xmx" + cap);
          Map<String, Object> q = new LinkedHashMap<>(p);
          q.put("probe", "replica");
          q.put("xmx", cap);
          out.emit("replica.reopen.capped", q, "ok", capped.containsKey("found") && capped.get("found") == 1 ? 1 : 0, "bool");
          out.emit("replica.reopen.capped", q, "total", capped.getOrDefault("total_ms", Double.NaN), "ms");
          out.emit("replica.reopen.capped", q, "heap.after_gc", capped.getOrDefault("heap_after", Double.NaN), "bytes");
        }
      } finally {
        Env.deleteFile(replicaFile);
        Env.deleteFile(rawFile);
      }
    }
  }

  /** Runs one {@link ReopenProbe} in a fresh JVM; an empty map if it failed (e.g. out of memory). */
  private static Map<String, Double> probe(String kind, Path file, String id, String xmx) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = Path.of(ReopenProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    List<String> cmd = new ArrayList<>(List.of(java));
    if (xmx != null) {
      cmd.add(xmx);
    }
    cmd.addAll(List.of("-cp", classpath, ReopenProbe.class.getName(), kind, file.toString(), id));
    Process process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    Map<String, Double> values = new HashMap<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          values.put(line.substring(0, eq), Double.parseDouble(line.substring(eq + 1)));
        }
      }
    }
    int exit = process.waitFor();
    if (exit != 0) {
      System.err.printf("replica/reopen: probe %s %s exited with %d%n", kind, xmx == null ? "" : xmx, exit);
      if (xmx == null) {
        throw new IllegalStateException("reopen probe " + kind + " failed with exit code " + exit);
      }
      return Map.of();
    }
    return values;
  }
}
