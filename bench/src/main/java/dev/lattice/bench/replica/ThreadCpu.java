package dev.lattice.bench.replica;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;

/**
 * Where a phase's time went: CPU of the writing thread and of the replica's committer thread,
 * the writer's time parked (waiting for the write lock the committer holds while it commits), and
 * GC time, from the JVM's management beans. Diagnostic figures beside the throughput, not goals.
 */
final class ThreadCpu {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final long writerCpu;
  private final long committerCpu;
  private final long writerWaitedMillis;
  private final long gcMillis;

  private ThreadCpu(long writerCpu, long committerCpu, long writerWaitedMillis, long gcMillis) {
    this.writerCpu = writerCpu;
    this.committerCpu = committerCpu;
    this.writerWaitedMillis = writerWaitedMillis;
    this.gcMillis = gcMillis;
  }

  /** CPU time of the live replica committer thread, or -1 if there is none. */
  static long committerCpuNanos() {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals("lattice-committer")) {
        return THREADS.getThreadCpuTime(t.getId());
      }
    }
    return -1;
  }

  static ThreadCpu now() {
    if (THREADS.isThreadContentionMonitoringSupported() && !THREADS.isThreadContentionMonitoringEnabled()) {
      THREADS.setThreadContentionMonitoringEnabled(true);
    }
    long self = Thread.currentThread().getId();
    ThreadInfo info = THREADS.getThreadInfo(self);
    long committer = committerCpuNanos();
    long gc = 0;
    for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
      gc += Math.max(0, b.getCollectionTime());
    }
    return new ThreadCpu(THREADS.getThreadCpuTime(self), committer, info == null ? -1 : info.getWaitedTime(), gc);
  }

  /** {writer CPU µs, committer CPU µs, writer parked ms, GC ms} spent since {@code start}, per {@code ops} for the first two. */
  static double[] since(ThreadCpu start, long ops) {
    ThreadCpu end = now();
    return new double[] {
        (end.writerCpu - start.writerCpu) / 1e3 / ops,
        (end.committerCpu - start.committerCpu) / 1e3 / ops,
        end.writerWaitedMillis - start.writerWaitedMillis,
        end.gcMillis - start.gcMillis};
  }
}
