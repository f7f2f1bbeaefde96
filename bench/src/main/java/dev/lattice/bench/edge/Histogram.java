package dev.lattice.bench.edge;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A thread-safe latency histogram in microseconds, log-linear like HdrHistogram: exact below
 * 128 µs, then 64 buckets per power of two (at most 1.6% relative error). Recording is one
 * atomic increment, so receivers on several event loops share one without a lock.
 */
final class Histogram {
  private static final int LINEAR = 128;
  private static final int SUB = 64;
  private static final int SIZE = LINEAR + (63 - 7) * SUB;

  private final AtomicLongArray counts = new AtomicLongArray(SIZE);

  void recordNanos(long nanos) {
    record(Math.max(0, nanos / 1000));
  }

  void record(long micros) {
    counts.incrementAndGet(index(micros));
  }

  static int index(long v) {
    if (v < LINEAR) {
      return (int) v;
    }
    int e = 63 - Long.numberOfLeadingZeros(v);
    int sub = (int) (v >>> (e - 6)) & (SUB - 1);
    return LINEAR + (e - 7) * SUB + sub;
  }

  /** The middle of bucket {@code i}, in µs. */
  static double valueOf(int i) {
    if (i < LINEAR) {
      return i;
    }
    int e = (i - LINEAR) / SUB + 7;
    int sub = (i - LINEAR) % SUB;
    long low = (64L + sub) << (e - 6);
    long width = 1L << (e - 6);
    return low + (width - 1) / 2.0;
  }

  long count() {
    long n = 0;
    for (int i = 0; i < SIZE; i++) {
      n += counts.get(i);
    }
    return n;
  }

  /** Nearest-rank percentile ({@code p} in 0..100), in ms; NaN if empty. */
  double percentileMs(double p) {
    long n = count();
    if (n == 0) {
      return Double.NaN;
    }
    long rank = Math.max(1, (long) Math.ceil(p / 100.0 * n));
    long seen = 0;
    for (int i = 0; i < SIZE; i++) {
      seen += counts.get(i);
      if (seen >= rank) {
        return valueOf(i) / 1000.0;
      }
    }
    return valueOf(SIZE - 1) / 1000.0;
  }

  double maxMs() {
    for (int i = SIZE - 1; i >= 0; i--) {
      if (counts.get(i) > 0) {
        return valueOf(i) / 1000.0;
      }
    }
    return Double.NaN;
  }
}
