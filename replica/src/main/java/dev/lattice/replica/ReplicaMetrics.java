package dev.lattice.replica;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of what a replica did, so that nothing is lost silently: every rejected write and every
 * last-writer-wins overwrite is counted. The edge node exports them to Prometheus.
 */
public final class ReplicaMetrics {
  final LongAdder localWrites = new LongAdder();
  final LongAdder remoteApplied = new LongAdder();
  final LongAdder remoteDuplicates = new LongAdder();
  final LongAdder lwwOverwrites = new LongAdder();
  final LongAdder rejectedWrites = new LongAdder();
  final LongAdder commits = new LongAdder();
  final LongAdder syncs = new LongAdder();
  final LongAdder logTrimmed = new LongAdder();
  final LongAdder housekeeping = new LongAdder();

  public long localWrites() {
    return localWrites.sum();
  }

  public long remoteApplied() {
    return remoteApplied.sum();
  }

  public long remoteDuplicates() {
    return remoteDuplicates.sum();
  }

  /** Concurrent writes that lost a last-writer-wins race here; the losing value is not read. */
  public long lwwOverwrites() {
    return lwwOverwrites.sum();
  }

  /** Queued local writes that an upstream rejected for good; surfaced, then skipped. */
  public long rejectedWrites() {
    return rejectedWrites.sum();
  }

  public long commits() {
    return commits.sum();
  }

  public long syncs() {
    return syncs.sum();
  }

  /** Rounds of file compaction. */
  public long housekeeping() {
    return housekeeping.sum();
  }

  public long logTrimmed() {
    return logTrimmed.sum();
  }
}
