package dev.lattice.presence;

/**
 * A token bucket in integer milli-tokens: holds up to {@code rate} tokens and gains {@code rate}
 * per second, so a member may burst {@code rate} messages and then send {@code rate} per second.
 * Integer arithmetic keeps refusals exactly reproducible from a schedule of times.
 */
final class TokenBucket {
  private static final long UNIT = 1000;
  private final long capacity;
  private final long perMilli;
  private long level;
  private long at;

  TokenBucket(int ratePerSecond, long now) {
    this.capacity = ratePerSecond * UNIT;
    this.perMilli = ratePerSecond; // rate * UNIT per 1000 ms
    this.level = capacity;
    this.at = now;
  }

  /** Takes a token if there is one; refilling is not an observable change, so a refusal changes nothing. */
  boolean tryTake(long now) {
    refill(now);
    if (level < UNIT) {
      return false;
    }
    level -= UNIT;
    return true;
  }

  boolean isFull(long now) {
    refill(now);
    return level == capacity;
  }

  /** Milliseconds until a token is available, for error messages. */
  long millisToNextToken(long now) {
    refill(now);
    return level >= UNIT ? 0 : (UNIT - level + perMilli - 1) / perMilli;
  }

  private void refill(long now) {
    long elapsed = now - at;
    if (elapsed <= 0) {
      return;
    }
    // An empty bucket fills in 1000 ms; past that, skip the multiplication that could overflow.
    level = elapsed >= UNIT ? capacity : Math.min(capacity, level + elapsed * perMilli);
    at = now;
  }
}
