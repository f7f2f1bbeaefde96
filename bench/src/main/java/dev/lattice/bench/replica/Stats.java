package dev.lattice.bench.replica;

import java.util.Arrays;

/** Medians and percentiles by sorting: the samples here are small enough that no histogram is needed. */
final class Stats {
  private Stats() {}

  static double median(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  static double min(double[] values) {
    return Arrays.stream(values).min().orElse(Double.NaN);
  }

  static double max(double[] values) {
    return Arrays.stream(values).max().orElse(Double.NaN);
  }

  /** Nearest-rank percentile ({@code p} in 0..100) of values already sorted ascending. */
  static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
  }

  /** A growable {@code long[]}, one per writer thread, so recording a latency takes no lock. */
  static final class LongList {
    private long[] data = new long[1024];
    private int size;

    void add(long v) {
      if (size == data.length) {
        data = Arrays.copyOf(data, size * 2);
      }
      data[size++] = v;
    }

    long[] toArray() {
      return Arrays.copyOf(data, size);
    }
  }
}
