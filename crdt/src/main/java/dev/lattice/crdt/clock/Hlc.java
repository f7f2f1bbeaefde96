package dev.lattice.crdt.clock;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A hybrid logical clock (Kulkarni et al., "Logical Physical Clocks", OPODIS 2014).
 *
 * <p>Timestamps are packed as in {@link HlcTimestamp}. Both operations reduce to one rule over
 * packed values: the next timestamp is the larger of the wall clock (logical 0) and one past the
 * largest timestamp seen. This gives the paper's update rule, and it means:
 *
 * <ul>
 *   <li>The clock never goes backwards, even when the injected wall clock does: it keeps
 *       counting from the last value it issued.
 *   <li>Logical overflow: when 65,536 events land in one millisecond, the increment carries into
 *       the millisecond field, so the clock borrows a millisecond from the future. The wall clock
 *       catches up within that millisecond; ordering stays strict.
 *   <li>A remote timestamp more than the skew bound ahead of the wall clock is refused before it
 *       touches the clock ({@link ClockSkewException}); otherwise one bad clock would drag every
 *       later local timestamp forward.
 * </ul>
 *
 * <p>Ties between equal timestamps of different replicas are broken by the writer's replica id,
 * which the caller carries beside the timestamp (a {@code Dot}), so LWW order is total.
 *
 * <p>Thread-safe.
 */
public final class Hlc {
  public static final Duration DEFAULT_MAX_SKEW = Duration.ofSeconds(60);

  private final LongSupplier wallMillis;
  private final long maxSkewMillis;
  private long last;

  /**
   * @param wallMillis the wall clock in epoch milliseconds (inject a fake one in tests)
   * @param maxSkew how far ahead of the wall clock a remote timestamp may be
   * @throws IllegalArgumentException if {@code maxSkew} is negative
   */
  public Hlc(LongSupplier wallMillis, Duration maxSkew) {
    if (maxSkew.isNegative()) {
      throw new IllegalArgumentException("maxSkew must not be negative: " + maxSkew);
    }
    this.wallMillis = wallMillis;
    this.maxSkewMillis = maxSkew.toMillis();
  }

  /** A clock on the system wall clock with the default 60 s skew bound. */
  public static Hlc system() {
    return new Hlc(System::currentTimeMillis, DEFAULT_MAX_SKEW);
  }

  /** A timestamp for a local event, greater than every timestamp issued or received so far. */
  public synchronized long now() {
    last = Math.max(wallTimestamp(wallMillis.getAsLong()), increment(last));
    return last;
  }

  /**
   * Folds a remote timestamp into the clock and returns a local timestamp greater than it.
   *
   * @throws ClockSkewException if {@code remote} is more than the skew bound ahead of the wall
   *     clock; the clock is then unchanged
   */
  public synchronized long receive(long remote) throws ClockSkewException {
    long wall = wallMillis.getAsLong();
    check(remote, wall);
    last = Math.max(wallTimestamp(wall), increment(Math.max(last, remote)));
    return last;
  }

  /**
   * Refuses a remote timestamp that is too far ahead, without changing the clock. Used to vet a
   * whole batch before any of it is applied.
   *
   * @throws ClockSkewException if {@code remote} is more than the skew bound ahead
   */
  public void check(long remote) throws ClockSkewException {
    check(remote, wallMillis.getAsLong());
  }

  /** The last timestamp issued, or 0 before the first. */
  public synchronized long current() {
    return last;
  }

  /**
   * Restores the clock after a restart so it never issues a timestamp at or below one already
   * persisted.
   */
  public synchronized void advanceTo(long persisted) {
    last = Math.max(last, persisted);
  }

  public long maxSkewMillis() {
    return maxSkewMillis;
  }

  private void check(long remote, long wall) throws ClockSkewException {
    if (HlcTimestamp.millis(remote) - wall > maxSkewMillis) {
      throw new ClockSkewException(remote, wall, maxSkewMillis);
    }
  }

  private static long wallTimestamp(long wall) {
    return HlcTimestamp.pack(Math.max(0, wall), 0);
  }

  private static long increment(long timestamp) {
    if (timestamp == HlcTimestamp.pack(HlcTimestamp.MAX_MILLIS, HlcTimestamp.MAX_LOGICAL)) {
      throw new IllegalStateException("HLC exhausted at " + HlcTimestamp.format(timestamp));
    }
    return timestamp + 1;
  }
}
