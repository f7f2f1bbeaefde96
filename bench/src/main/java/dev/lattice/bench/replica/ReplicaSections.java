package dev.lattice.bench.replica;

import dev.lattice.bench.BenchParams;
import dev.lattice.bench.ResultSink;
import java.nio.file.Path;
import java.util.Set;

/** Runs the chosen sections of the replica suite in a fixed order, in one temporary directory. */
public final class ReplicaSections {
  private ReplicaSections() {}

  public static void run(Set<String> only, BenchParams params, Path dir, ResultSink out) throws Exception {
    int reps = params.intValue("reps", 5);
    if (only.contains("write")) {
      new WriteThroughput(dir, out, params.intValue("rounds", 5),
          Double.parseDouble(params.string("seconds", "1"))).run();
    }
    if (only.contains("deltas")) {
      new DeltaSync(dir, out, params.intValue("deltas", 10_000), reps, params.longs("batches", 100, 1000)).run();
    }
    if (only.contains("reopen")) {
      new Reopen(dir, out, params.longs("docs", 100_000, 1_000_000), Math.min(reps, 3)).run();
    }
    if (only.contains("growth")) {
      new MetadataGrowth(dir, out, params.intValue("growth-docs", 1000), params.longValue("overwrites", 1_000_000),
          params.longValue("phase", 200_000), params.intValue("keep", 100)).run();
    }
  }

  public static void cleanUp(Path dir) {
    Env.deleteRecursively(dir);
  }
}
