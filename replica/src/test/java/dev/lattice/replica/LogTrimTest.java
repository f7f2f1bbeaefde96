package dev.lattice.replica;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LogTrimTest {
  @Test
  void aDeltaTrimmedTwiceBeforeTheRemovalCommitsIsTrimmedAndCountedOnce() {
    ReplicaOptions options = ReplicaOptions.builder().durability(Durability.COMMIT)
        .asyncCommitDelay(Duration.ofSeconds(30)).random(new SplittableRandom(5)).build();
    try (Replica r = Replica.inMemory(options)) {
      Namespace ns = r.namespace("n");
      ns.collection("c").update("d", doc -> doc.set("f", "v"));
      RetentionPolicy none = new RetentionPolicy(0, Duration.ofDays(1));
      assertThat(ns.compactLog(none)).isEqualTo(1);
      assertThat(ns.compactLog(none)).as("its removal is staged, not yet committed").isZero();
      r.flush();
      assertThat(ns.compactLog(none)).isZero();
      assertThat(r.metrics().logTrimmed()).isEqualTo(1);
      assertThat(ns.floor(r.id())).isEqualTo(1);
    }
  }
}
