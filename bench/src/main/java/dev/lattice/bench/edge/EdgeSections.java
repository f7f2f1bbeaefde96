package dev.lattice.bench.edge;

import dev.lattice.bench.BenchParams;
import dev.lattice.bench.ResultSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** Runs the chosen sections of the edge suite in a fixed order, in one temporary directory. */
public final class EdgeSections {
  public static final List<String> SECTIONS = List.of("live", "initial", "reconnect", "repair");
  public static final Set<String> PARAMS = Set.of("only", "quick", "dir", "clients", "writers", "step-seconds", "warmup",
      "start-rate", "max-steps", "value-bytes", "docs", "origins", "d", "reps", "systems");
  /** The API key of every bench edge (and of the peer link between two). */
  static final String KEY = "bench_0123456789abcdef0123";

  private EdgeSections() {}

  public static void run(Set<String> only, BenchParams params, ResultSink out) throws Exception {
    boolean quick = Boolean.parseBoolean(params.string("quick", "false"));
    Path parent = Path.of(params.string("dir", System.getProperty("java.io.tmpdir")));
    Files.createDirectories(parent);
    Path dir = Files.createTempDirectory(parent, "lattice-bench-edge-");
    // Vert.x and Netty log at INFO through JUL; keep stderr for the bench's own progress.
    java.util.logging.Logger.getLogger("io.vertx").setLevel(java.util.logging.Level.WARNING);
    java.util.logging.Logger.getLogger("io.netty").setLevel(java.util.logging.Level.WARNING);
    loadAverage(out, "start");
    try {
      if (only.contains("live")) {
        new LiveSection(dir, out,
            params.longs("clients", quick ? new long[] {10, 100} : new long[] {10, 100, 1000}),
            params.intValue("writers", 0),
            Double.parseDouble(params.string("step-seconds", quick ? "1" : "2")),
            Double.parseDouble(params.string("warmup", quick ? "0.3" : "0.5")),
            Double.parseDouble(params.string("start-rate", "1000")),
            params.intValue("max-steps", quick ? 6 : 9),
            params.intValue("value-bytes", Workload.VALUE_BYTES), KEY,
            java.util.Arrays.asList(params.string("systems", defaultSystems()).split(","))).run();
      }
      boolean catchUp = only.contains("initial") || only.contains("reconnect") || only.contains("repair");
      if (catchUp) {
        new CatchUpSections(dir, out, only,
            params.intValue("docs", quick ? 10_000 : 100_000),
            params.intValue("origins", 10),
            params.longs("d", quick ? new long[] {10, 100} : new long[] {10, 100, 1000}),
            params.intValue("reps", quick ? 1 : 3),
            params.intValue("value-bytes", Workload.VALUE_BYTES)).run();
      }
      loadAverage(out, "end");
    } finally {
      deleteRecursively(dir);
    }
  }

  /** The host's load averages, for the record: the bench shares its two cores. */
  static void loadAverage(ResultSink out, String when) {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      System.err.println("load average at " + when + ": " + f[0] + " " + f[1] + " " + f[2]);
      out.emit("edge.machine", java.util.Map.of("when", when), "loadavg.1m", Double.parseDouble(f[0]), "load");
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
  }

  /** The live section's systems: the edge on the disk, the edge on tmpfs if there is one, the relay. */
  static String defaultSystems() {
    return Files.isDirectory(Path.of(LiveSection.TMPFS)) ? "edge,edge-tmpfs,relay" : "edge,relay";
  }

  static void deleteRecursively(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
