package dev.lattice.bench.peers;

import dev.lattice.bench.replica.WriteTargets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Raw MVStore under the commit policy of the Lattice side, with the replica bench's baselines
 * ({@link WriteTargets.RawTimed}, {@link WriteTargets.RawCounted}): per-key writes and hot keys
 * commit every 20 ms from a background thread, as {@code ASYNC} does (its default delay);
 * batches commit once per batch. Either into one map ({@link WriteTargets#oneMap}) or into the
 * maps a client replica's write touches ({@link WriteTargets#clientMaps}). The same keys and value
 * bytes; time ends after the last commit; size is the file after close.
 */
final class RawSide implements JavaSide {
  static final String ONE_MAP = "raw.one-map";
  static final String CLIENT_MAPS = "raw.client-maps";
  private static final long ASYNC_PERIOD_MILLIS = 20;

  private final String system;
  private final boolean clientMaps;

  RawSide(boolean clientMaps) {
    this.clientMaps = clientMaps;
    this.system = clientMaps ? CLIENT_MAPS : ONE_MAP;
  }

  @Override
  public String system() {
    return system;
  }

  @Override
  public Step.Measured run(Step step, Step.Sizes s, PeersWorkload w, Path file) {
    boolean hot = step.figure().equals(Step.HOT);
    int hotKeys = s.hotKeys();
    WriteTargets.RawLayout layout = hot
        ? layout(i -> w.key(PeersWorkload.hotKey(i, hotKeys)), i -> w.valueBytes(w.hotValue(i, hotKeys)))
        : layout(i -> w.key((int) i), i -> w.valueBytes((int) i));
    double[] at = new double[hot ? s.checkpoints() : 0];
    long nanos = 0;
    try (WriteTargets target = step.figure().equals(Step.BATCH)
        ? new WriteTargets.RawCounted(file, layout, step.batch())
        : new WriteTargets.RawTimed(file, layout, ASYNC_PERIOD_MILLIS)) {
      if (hot) {
        long i = 0;
        for (int c = 1; c <= s.checkpoints(); c++) {
          long until = s.checkpoint(c);
          long t0 = System.nanoTime();
          for (; i < until; i++) {
            target.write(0, i);
          }
          target.drain();
          nanos += System.nanoTime() - t0;
          at[c - 1] = JavaSide.fileSize(file);
        }
      } else {
        long t0 = System.nanoTime();
        for (int i = 0; i < s.keys(); i++) {
          target.write(0, i);
        }
        target.drain();
        nanos = System.nanoTime() - t0;
      }
    }
    return new Step.Measured(nanos, JavaSide.fileSize(file), at, Map.of());
  }

  private WriteTargets.RawLayout layout(java.util.function.LongFunction<String> key,
      java.util.function.LongFunction<byte[]> value) {
    return clientMaps ? WriteTargets.clientMaps(key, value) : WriteTargets.oneMap(key, value);
  }
}
