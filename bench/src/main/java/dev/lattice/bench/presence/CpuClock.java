package dev.lattice.bench.presence;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;

/**
 * One reading of the CPU clocks a run is judged by: this process ({@code getProcessCpuTime}), the
 * edge's own event-loop threads ({@link ThreadMXBean}), the whole host ({@code /proc/stat}, every
 * process), and the wall clock. Two readings give cores used over the interval; the host's busy
 * share minus ours tells how much other load ran beside the measurement.
 */
record CpuClock(long wallNanos, long processNanos, long serverNanos, long hostBusyTicks, long hostTotalTicks) {

  static CpuClock now(Collection<Long> serverThreads) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long server = 0;
    for (long id : serverThreads) {
      long t = threads.getThreadCpuTime(id);
      if (t > 0) {
        server += t;
      }
    }
    long busy = -1;
    long total = -1;
    try {
      String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
      String[] f = cpu.trim().split("\\s+");
      if (f[0].equals("cpu")) {
        total = 0;
        for (int i = 1; i < Math.min(f.length, 9); i++) { // user nice system idle iowait irq softirq steal
          total += Long.parseLong(f[i]);
        }
        busy = total - Long.parseLong(f[4]) - Long.parseLong(f[5]);
      }
    } catch (Exception e) {
      // not Linux: host figures stay unknown
    }
    return new CpuClock(System.nanoTime(), processCpuNanos(), server, busy, total);
  }

  static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  /** Cores this process kept busy since {@code start} (1.0 = one core all the time). */
  double processCoresSince(CpuClock start) {
    return (processNanos - start.processNanos) / (double) (wallNanos - start.wallNanos);
  }

  /** Cores the edge's threads kept busy since {@code start}. */
  double serverCoresSince(CpuClock start) {
    return (serverNanos - start.serverNanos) / (double) (wallNanos - start.wallNanos);
  }

  /** Busy share of every CPU of the host since {@code start}, all processes; NaN if unknown. */
  double hostBusySince(CpuClock start) {
    if (hostTotalTicks < 0 || start.hostTotalTicks < 0 || hostTotalTicks == start.hostTotalTicks) {
      return Double.NaN;
    }
    return (hostBusyTicks - start.hostBusyTicks) / (double) (hostTotalTicks - start.hostTotalTicks);
  }
}
