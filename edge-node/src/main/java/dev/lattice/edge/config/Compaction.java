package dev.lattice.edge.config;

import dev.lattice.replica.RetentionPolicy;
import java.time.Duration;
import java.util.Objects;

/**
 * How the node trims each namespace's delta log. A peer or client whose vector falls below what
 * was trimmed is brought up to date by Merkle repair instead of catch-up, so these trade disk for
 * how often reconnecting clients need a repair.
 *
 * @param keepPerReplica the newest deltas kept per origin replica, whatever their age
 * @param maxAge deltas older than this are trimmed (beyond the newest {@code keepPerReplica})
 * @param interval how often the node compacts
 */
public record Compaction(int keepPerReplica, Duration maxAge, Duration interval) {

  /** Keeps a month of history (a laptop offline over a holiday catches up by deltas). */
  public static final Compaction DEFAULT = new Compaction(100_000, Duration.ofDays(30), Duration.ofHours(1));

  /** @throws IllegalArgumentException naming the field out of range */
  public Compaction {
    Objects.requireNonNull(maxAge, "maxAge");
    Objects.requireNonNull(interval, "interval");
    if (keepPerReplica < 0) {
      throw new IllegalArgumentException("keepPerReplica must not be negative: " + keepPerReplica);
    }
    if (maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("maxAge must be positive: " + maxAge);
    }
    if (interval.isNegative() || interval.toMillis() < 1) {
      throw new IllegalArgumentException("interval must be at least 1 ms: " + interval);
    }
  }

  public RetentionPolicy retentionPolicy() {
    return new RetentionPolicy(keepPerReplica, maxAge);
  }
}
