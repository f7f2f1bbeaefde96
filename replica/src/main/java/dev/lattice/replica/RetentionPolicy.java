package dev.lattice.replica;

import java.time.Duration;

/**
 * How much of the delta log to keep. For each origin replica, the oldest deltas go first: those
 * beyond the newest {@code keepPerReplica}, and those older than {@code maxAge}. A peer that
 * still needs a trimmed delta is answered "needs repair" and brought up to date by Merkle repair.
 */
public record RetentionPolicy(int keepPerReplica, Duration maxAge) {

  /**
   * What a replica keeps unless told otherwise: the newest 10,000 deltas of each origin replica,
   * and none older than 30 days. A peer further behind is repaired, which costs about
   * {@code depth} round trips and bytes in proportion to the differences; the log stays bounded
   * however often documents are overwritten.
   */
  public static final RetentionPolicy DEFAULT = new RetentionPolicy(10_000, Duration.ofDays(30));

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
