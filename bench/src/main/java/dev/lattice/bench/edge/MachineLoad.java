package dev.lattice.bench.edge;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How busy the machine was during an interval, from {@code /proc/stat} (all CPUs, every process
 * on the host) and from this JVM's CPU time: the share that was not ours tells how much another
 * load interfered with a measurement.
 */
final class MachineLoad {
  private final long busy;
  private final long total;
  private final long processCpuNanos;
  private final long wallNanos;

  private MachineLoad(long busy, long total, long processCpuNanos, long wallNanos) {
    this.busy = busy;
    this.total = total;
    this.processCpuNanos = processCpuNanos;
    this.wallNanos = wallNanos;
  }

  static MachineLoad now() {
    long busy = -1;
    long total = -1;
    try {
      for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
        if (line.startsWith("cpu ")) {
          String[] f = line.trim().split("\\s+");
          long sum = 0;
          for (int i = 1; i < f.length && i <= 8; i++) {
            sum += Long.parseLong(f[i]);
          }
          long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
          busy = sum - idle;
          total = sum;
          break;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: leave unknown
    }
    return new MachineLoad(busy, total, LiveSection.processCpuNanos(), System.nanoTime());
  }

  /** Busy fraction of all CPUs of the host between {@code start} and this sample; NaN if unknown. */
  double machineBusySince(MachineLoad start) {
    if (busy < 0 || start.busy < 0 || total == start.total) {
      return Double.NaN;
    }
    return (double) (busy - start.busy) / (total - start.total);
  }

  /** This JVM's share of all CPUs between {@code start} and this sample. */
  double processShareSince(MachineLoad start) {
    int cpus = Runtime.getRuntime().availableProcessors();
    return (double) (processCpuNanos - start.processCpuNanos) / ((wallNanos - start.wallNanos) * (double) cpus);
  }
}
