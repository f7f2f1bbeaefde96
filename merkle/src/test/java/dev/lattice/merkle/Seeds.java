package dev.lattice.merkle;

import java.util.stream.LongStream;

/** Seeds for property tests: {@code -Dlattice.seeds=N} (default 200). */
public final class Seeds {
  private Seeds() {}

  public static int count() {
    return Integer.getInteger("lattice.seeds", 200);
  }

  public static LongStream seeds() {
    return LongStream.range(0, count());
  }
}
