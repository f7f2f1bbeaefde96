package dev.lattice.crdt.testkit;

import java.util.stream.LongStream;

/**
 * Seeds for property tests. {@code -Dlattice.seeds=N} sets how many (CI runs 200); a failure's
 * display name carries its seed, and {@code -Dlattice.seed=S} replays just that one.
 */
public final class Seeds {
  private Seeds() {}

  public static LongStream seeds() {
    String only = System.getProperty("lattice.seed");
    if (only != null) {
      return LongStream.of(Long.parseLong(only));
    }
    return LongStream.rangeClosed(1, count());
  }

  public static int count() {
    return Integer.getInteger("lattice.seeds", 200);
  }
}
