package dev.lattice.bench;

import dev.lattice.bench.replica.ReplicaSections;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * End-to-end benchmarks of {@code replica/} (issue 4), timed with {@code System.nanoTime} on
 * real files: write throughput per durability mode against raw MVStore with the same commit
 * policy, catch-up ({@code deltasSince}, {@code applyRemote}), cold reopen in a fresh JVM, and
 * metadata growth under overwrites. See {@code dev.lattice.bench.replica} for each section.
 */
public final class ReplicaBench implements BenchmarkSuite {
  private static final List<String> SECTIONS = List.of("write", "deltas", "reopen", "growth");
  private static final Set<String> PARAMS = Set.of("only", "dir", "rounds", "seconds", "deltas", "batches",
      "reps", "docs", "growth-docs", "overwrites", "phase", "keep");

  @Override
  public String description() {
    return "replica write throughput vs raw MVStore per durability, deltasSince/applyRemote, reopen time and heap "
        + "(fresh JVM), metadata growth. Params: --only write,deltas,reopen,growth --dir /tmp --rounds 5 "
        + "--seconds 1 --deltas 10000 --batches 100,1000 --reps 5 --docs 100000,1000000 --growth-docs 1000 "
        + "--overwrites 1000000 --phase 200000 --keep 100";
  }

  @Override
  public void run(BenchParams params, ResultSink out) throws Exception {
    for (String name : params.asMap().keySet()) {
      if (!PARAMS.contains(name)) {
        throw new IllegalArgumentException("unknown parameter --" + name + "; known: " + PARAMS);
      }
    }
    Set<String> only = new LinkedHashSet<>(Arrays.asList(params.string("only", String.join(",", SECTIONS)).split(",")));
    for (String s : only) {
      if (!SECTIONS.contains(s)) {
        throw new IllegalArgumentException("unknown section '" + s + "' for --only; known: " + SECTIONS);
      }
    }
    Path parent = Path.of(params.string("dir", System.getProperty("java.io.tmpdir")));
    Files.createDirectories(parent);
    Path dir = Files.createTempDirectory(parent, "lattice-bench-replica-");
    try {
      ReplicaSections.run(only, params, dir, out);
    } finally {
      ReplicaSections.cleanUp(dir);
    }
  }
}
