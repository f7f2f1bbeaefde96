package dev.lattice.bench;

import dev.lattice.bench.crdt.CodecBench;
import java.util.Set;

/**
 * {@code bench/run crdt}: the JMH benchmarks of {@code dev.lattice.bench.crdt} (merge and delta
 * apply per CRDT type, the 100,000-entry map update target, join scaling, codec throughput), plus
 * the codec's encoded sizes, which are deterministic and so computed once, outside JMH.
 */
public final class CrdtBench implements BenchmarkSuite {

  @Override
  public String description() {
    return "CRDT merge/delta-apply throughput per type, OrMap update+join target and join scaling,"
        + " codec throughput and encoded sizes. Parameters:" + JmhSuite.parameterHelp();
  }

  @Override
  public void run(BenchParams params, ResultSink out) throws Exception {
    boolean sizes = JmhSuite.selected(params, CodecBench.SIZE_NAME);
    if (sizes) {
      CodecBench.reportSizes(out);
    }
    var results = new JmhSuite("dev.lattice.bench.crdt").run(params, out, Set.of());
    if (results.isEmpty() && !sizes) {
      throw new IllegalArgumentException(
          "--only '" + params.string("only", "") + "' selects no crdt benchmark");
    }
  }
}
