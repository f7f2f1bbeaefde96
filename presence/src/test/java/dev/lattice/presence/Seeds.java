package dev.lattice.presence;

import java.util.stream.LongStream;

/** Seeds for property tests: {@code -Dlattice.seeds=N} (CI: 200), {@code -Dlattice.seed=S} replays one. */
final class Seeds {
  private Seeds() {}

  static LongStream seeds() {
    String only = System.getProperty("lattice.seed");
    return only != null ? LongStream.of(Long.parseLong(only))
        : LongStream.rangeClosed(1, Integer.getInteger("lattice.seeds", 200));
  }
}
