package dev.lattice.edge.http;

import dev.lattice.edge.config.Limits;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A per-connection token bucket (the classic one: capacity {@code burst}, refilled continuously at
 * {@code perSecond}; one token per inbound message), plus the rule for when being over the limit
 * has gone on long enough to drop the connection.
 *
 * <p>Over the limit, a message is {@link Verdict#REJECT rejected}: the caller answers it with an
 * error and does not process it, and the connection lives on, so a client that bursts now and then
 * only loses those messages. <b>Sustained</b> excess means {@code burst} further rejections without
 * a calm second between two of them (a client sending at twice the rate reaches that in
 * {@code 2 * burst / perSecond} seconds); then the verdict is {@link Verdict#DISCONNECT} and stays
 * so, and the caller closes with 1008.
 *
 * <p>Time comes from an injected nanosecond clock, so tests replay exact schedules. Not
 * thread-safe: one per connection, used on that connection's event loop.
 */
public final class RateLimiter {

  public enum Verdict {
    /** Process the message. */
    ALLOW,
    /** Do not process it; answer with a rate-limit error. */
    REJECT,
    /** Do not process it; the client kept exceeding the limit, close the connection (1008). */
    DISCONNECT
  }

  /** A gap this long between two rejections ends a run of them. */
  static final long CALM_NANOS = 1_000_000_000L;

  private final double perNano;
  private final int burst;
  private final LongSupplier nanoClock;
  private double tokens;
  private long refilledAt;
  private int strikes;
  private long lastRejectedAt;
  private boolean disconnected;

  /**
   * @param perSecond sustained messages per second, at least 1
   * @param burst bucket capacity, at least 1; also the number of rejections in a row that count as
   *     sustained
   * @param nanoClock monotonic nanoseconds ({@code System::nanoTime} outside tests)
   * @throws IllegalArgumentException if a rate or the burst is below 1
   */
  public RateLimiter(int perSecond, int burst, LongSupplier nanoClock) {
    if (perSecond < 1 || burst < 1) {
      throw new IllegalArgumentException("perSecond and burst must be at least 1: " + perSecond + ", " + burst);
    }
    this.perNano = perSecond / 1e9;
    this.burst = burst;
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    this.tokens = burst;
    this.refilledAt = nanoClock.getAsLong();
  }

  public static RateLimiter of(Limits limits, LongSupplier nanoClock) {
    return new RateLimiter(limits.messagesPerSecond(), limits.burst(), nanoClock);
  }

  /** Takes a token for one inbound message. */
  public Verdict acquire() {
    if (disconnected) {
      return Verdict.DISCONNECT;
    }
    long now = nanoClock.getAsLong();
    tokens = Math.min(burst, tokens + Math.max(0, now - refilledAt) * perNano);
    refilledAt = now;
    if (tokens >= 1) {
      tokens -= 1;
      return Verdict.ALLOW;
    }
    if (strikes > 0 && now - lastRejectedAt >= CALM_NANOS) {
      strikes = 0;
    }
    strikes++;
    lastRejectedAt = now;
    if (strikes > burst) {
      disconnected = true;
      return Verdict.DISCONNECT;
    }
    return Verdict.REJECT;
  }

  /** Tokens available now, for tests and diagnostics. */
  public double tokens() {
    return tokens;
  }
}
