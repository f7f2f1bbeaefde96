package dev.lattice.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.type.Document;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BatchTest {
  @TempDir Path dir;

  private static ReplicaOptions options(Durability durability) {
    return ReplicaOptions.builder().durability(durability).role(Role.CLIENT).random(new SplittableRandom(3)).build();
  }

  @ParameterizedTest
  @EnumSource(Durability.class)
  void aBatchWritesAcrossCollectionsInOneCommitEachMutationWithItsOwnDot(Durability durability) throws Exception {
    Path file = dir.resolve("b.mv.db");
    List<Dot> dots;
    try (Replica r = Replica.open(file, options(Durability.SYNC))) {
      Collection tasks = r.namespace("team").collection("tasks");
      Collection tags = r.namespace("team").collection("tags");
      tags.update("old", doc -> doc.set("name", "old"));
      long commitsBefore = r.metrics().commits();
      BatchReceipt receipt = r.batch(durability, () -> {
        for (int i = 0; i < 100; i++) {
          int n = i;
          tasks.update("t" + i, doc -> doc.set("title", "task " + n));
        }
        tasks.update("t0", doc -> doc.increment("votes", 1));
        tags.delete("old");
      });
      receipt.durable().get(10, TimeUnit.SECONDS);
      dots = receipt.dots();
      assertThat(dots).hasSize(102);
      assertThat(dots.stream().map(Dot::seq).toList()).as("consecutive dots after the earlier write")
          .isEqualTo(java.util.stream.LongStream.rangeClosed(2, 103).boxed().toList());
      if (durability != Durability.ASYNC) {
        assertThat(r.metrics().commits() - commitsBefore).as("one commit for the whole batch").isEqualTo(1);
      }
      assertThat(r.namespace("team").outbox().size()).isEqualTo(103);
    }
    try (Replica r = Replica.open(file, options(Durability.SYNC))) {
      Collection tasks = r.namespace("team").collection("tasks");
      assertThat(tasks.scan("", 1_000)).hasSize(100);
      Document t0 = tasks.get("t0").orElseThrow();
      assertThat(t0.fields().counter("votes").value()).isEqualTo(1);
      assertThat(r.namespace("team").collection("tags").get("old")).isEmpty();
      assertThat(r.namespace("team").vector().contiguous(r.id())).isEqualTo(103);
    }
  }

  @Test
  void aBatchWhoseBodyThrowsWritesNothing() {
    try (Replica r = Replica.inMemory(options(Durability.COMMIT))) {
      Collection c = r.namespace("n").collection("c");
      c.update("kept", doc -> doc.set("v", 1L));
      assertThatThrownBy(() -> r.batch(() -> {
        c.update("a", doc -> doc.set("v", 1L));
        c.update("kept", doc -> doc.set("v", 2L));
        throw new IllegalStateException("changed my mind");
      })).isInstanceOf(IllegalStateException.class).hasMessage("changed my mind");
      assertThat(c.get("a")).isEmpty();
      assertThat(c.get("kept").orElseThrow().fields().lww("v").value()).contains(dev.lattice.crdt.value.Value.of(1L));
      assertThat(r.namespace("n").vector().contiguous(r.id())).isEqualTo(1);
      assertThat(r.namespace("n").outbox().size()).isEqualTo(1);
      assertThat(c.update("b", doc -> doc.set("v", 3L)).dot().seq()).as("no dot was used up").isEqualTo(2);
    }
  }

  @Test
  void aBatchWithAnInvalidMutationWritesNothing() {
    try (Replica r = Replica.inMemory(options(Durability.COMMIT))) {
      Collection c = r.namespace("n").collection("c");
      assertThatThrownBy(() -> r.batch(() -> {
        c.update("a", doc -> doc.set("v", 1L));
        c.update("b", doc -> doc.set("v", 1L).set("v", 2L));
      })).isInstanceOf(ReplicaException.class)
          .extracting(e -> ((ReplicaException) e).reason()).isEqualTo(ReplicaException.Reason.INVALID_MUTATION);
      assertThat(c.get("a")).isEmpty();
      assertThat(r.namespace("n").vector().replicas()).isEmpty();
    }
  }

  @Test
  void readsInsideABatchSeeItsOwnWritesAndListenersHearOnceAfterIt() throws Exception {
    try (Replica r = Replica.inMemory(options(Durability.COMMIT))) {
      Collection c = r.namespace("n").collection("c");
      List<java.util.Set<String>> heard = new CopyOnWriteArrayList<>();
      c.listen(changes -> heard.add(changes.documentIds()));
      List<Boolean> seen = new ArrayList<>();
      r.batch(() -> {
        c.update("a", doc -> doc.increment("n", 1));
        seen.add(c.get("a").isPresent());
        c.update("a", doc -> doc.increment("n", 1));
        seen.add(c.scan("", 10).size() == 1);
        c.update("b", doc -> doc.set("v", 1L));
      });
      assertThat(seen).containsExactly(true, true);
      assertThat(c.get("a").orElseThrow().fields().counter("n").value()).isEqualTo(2);
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> !heard.isEmpty());
      assertThat(heard.get(0)).containsExactlyInAnyOrder("a", "b");
    }
  }

  @Test
  void anEmptyBatchIsHarmless() {
    try (Replica r = Replica.inMemory(options(Durability.SYNC))) {
      BatchReceipt receipt = r.batch(() -> { });
      assertThat(receipt.size()).isZero();
      assertThat(receipt.durable()).isCompleted();
    }
  }
}
