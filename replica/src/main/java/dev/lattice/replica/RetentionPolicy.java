package dev.lattice.replica;

import java.time.Duration;

/**
 * How much of the delta log to keep. For each origin replica, the oldest deltas go first: those
 * beyond the newest {@code keepPerReplica}, and those older than {@code maxAge}. A peer that
 * still needs a trimmed delta is answered "needs repair" and brought up to date by Merkle repair.
 */
public record RetentionPolicy(int keepPerReplica, Duration maxAge) {

  /**
   * @throws IllegalArgumentException if {@code keepPerReplica} is negative or {@code maxAge} is
   *     not positive
   */
  public RetentionPolicy {
    if (keepPerReplica < 0) {
      throw new IllegalArgumentException("keepPerReplica must not be negative: " + keepPerReplica);
    }
    if (maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("maxAge must be positive: " + maxAge);
    }
  }
}
