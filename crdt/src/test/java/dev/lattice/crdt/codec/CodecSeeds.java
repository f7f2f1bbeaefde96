package dev.lattice.crdt.codec;

import java.util.stream.LongStream;

/**
 * Seeds for the codec's property tests: {@code -Dlattice.seeds=N} sets how many (default and CI:
 * 200), {@code -Dlattice.seed=S} replays one. Each seed is mixed so neighbouring seeds do not
 * start neighbouring random streams.
 */
final class CodecSeeds {
  private CodecSeeds() {}

  static LongStream seeds() {
    String only = System.getProperty("lattice.seed");
    if (only != null) {
      return LongStream.of(Long.parseLong(only));
    }
    return LongStream.rangeClosed(1, Integer.getInteger("lattice.seeds", 200));
  }
}
