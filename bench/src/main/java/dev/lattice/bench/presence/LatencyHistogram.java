package dev.lattice.bench.presence;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Latencies in fixed buckets of 50 µs up to 5 s (one more bucket for anything longer), counted
 * with atomic increments so every client event loop records into one histogram. Percentiles are
 * the upper edge of the bucket holding the rank: at most 50 µs pessimistic.
 */
final class LatencyHistogram {
  private static final long BUCKET_MICROS = 50;
  private static final int BUCKETS = (int) (5_000_000 / BUCKET_MICROS);

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS + 1);

  void record(long micros) {
    int b = micros < 0 ? 0 : (int) Math.min(BUCKETS, micros / BUCKET_MICROS);
    counts.incrementAndGet(b);
  }

  long count() {
    long n = 0;
    for (int i = 0; i <= BUCKETS; i++) {
      n += counts.get(i);
    }
    return n;
  }

  /** The {@code q}-quantile in milliseconds; NaN without samples, +∞ if it lies beyond 5 s. */
  double percentileMillis(double q) {
    long n = count();
    if (n == 0) {
      return Double.NaN;
    }
    long rank = (long) Math.ceil(q * n);
    long seen = 0;
    for (int i = 0; i <= BUCKETS; i++) {
      seen += counts.get(i);
      if (seen >= rank) {
        return i == BUCKETS ? Double.POSITIVE_INFINITY : (i + 1) * BUCKET_MICROS / 1000.0;
      }
    }
    return Double.POSITIVE_INFINITY;
  }

  /** The mean in milliseconds, taking each sample at its bucket's middle. */
  double meanMillis() {
    long n = 0;
    double sum = 0;
    for (int i = 0; i <= BUCKETS; i++) {
      long c = counts.get(i);
      n += c;
      sum += c * (i + 0.5) * BUCKET_MICROS;
    }
    return n == 0 ? Double.NaN : sum / n / 1000.0;
  }
}
