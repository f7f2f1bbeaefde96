package dev.lattice.replica.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The harness itself: a seed replays exactly, so a failing seed is a reproduction. */
class SyncNetTest {

  @Test
  void aSeedReplaysTheSameScheduleMessageForMessage() {
    for (long seed : new long[] {7, 8}) {
      List<String> first = ConvergencePropertyTest.run(seed);
      List<String> second = ConvergencePropertyTest.run(seed);
      assertThat(first).as("seed %d delivers messages", seed).hasSizeGreaterThan(20);
      assertThat(second).as("seed %d replays", seed).isEqualTo(first);
    }
  }
}
