package dev.lattice.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.value.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicaTest {
  @TempDir Path dir;

  private ReplicaOptions options(Durability durability) {
    return ReplicaOptions.builder().durability(durability).random(new SplittableRandom(1)).build();
  }

  @Test
  void writesReadBackAndSurviveReopen() {
    Path file = dir.resolve("a.mv.db");
    ReplicaId id;
    try (Replica r = Replica.open(file, options(Durability.SYNC))) {
      id = r.id();
      Collection tasks = r.namespace("team").collection("tasks");
      WriteReceipt receipt = tasks.update("t1", doc -> doc.set("title", "Buy milk").increment("votes", 2));
      assertThat(receipt.dot()).isEqualTo(new Dot(id, 1));
      assertThat(receipt.durable()).isCompleted();
      tasks.update("t1", doc -> doc.increment("votes", 3));
      assertThat(title(tasks.get("t1").orElseThrow())).isEqualTo("Buy milk");
    }
    try (Replica r = Replica.open(file, options(Durability.SYNC))) {
      assertThat(r.id()).isEqualTo(id);
      Collection tasks = r.namespace("team").collection("tasks");
      Document doc = tasks.get("t1").orElseThrow();
      assertThat(doc.fields().counter("votes").value()).isEqualTo(5);
      assertThat(r.namespace("team").vector().contiguous(id)).isEqualTo(2);
      WriteReceipt next = tasks.update("t2", d -> d.set("title", "x"));
      assertThat(next.dot().seq()).as("sequence numbers continue after reopen").isEqualTo(3);
      assertThat(r.clock().current()).isGreaterThan(0);
    }
  }

  @Test
  void deleteRemovesTheDocumentAndLeavesNothingStored() {
    try (Replica r = Replica.inMemory(options(Durability.COMMIT))) {
      Collection c = r.namespace("n").collection("c");
      c.update("d", doc -> doc.set("a", 1L).add("tags", Value.of("x")));
      c.delete("d");
      assertThat(c.get("d")).isEmpty();
      assertThat(c.scan("", 10)).isEmpty();
    }
  }

  @Test
  void scanReturnsDocumentsByIdPrefixInOrder() {
    try (Replica r = Replica.inMemory(options(Durability.ASYNC))) {
      Collection c = r.namespace("n").collection("c");
      for (String id : List.of("b2", "a1", "b1", "c1", "b3")) {
        c.update(id, doc -> doc.set("v", id));
      }
      r.namespace("n").collection("other").update("b9", doc -> doc.set("v", "x"));
      assertThat(c.scan("b", 10)).extracting(e -> e.getKey()).containsExactly("b1", "b2", "b3");
      assertThat(c.scan("b", 2)).hasSize(2);
      assertThat(c.scan("", 100)).hasSize(5);
    }
  }

  @Test
  void aRefusedMutationStoresNothing() {
    try (Replica r = Replica.inMemory(options(Durability.COMMIT))) {
      Collection c = r.namespace("n").collection("c");
      assertThatThrownBy(() -> c.update("d", doc -> doc.set("a", 1L).set("a", 2L)))
          .isInstanceOf(ReplicaException.class).hasMessageContaining("written twice")
          .extracting(e -> ((ReplicaException) e).reason()).isEqualTo(ReplicaException.Reason.INVALID_MUTATION);
      assertThatThrownBy(() -> c.update("d", doc -> {
        throw new IllegalStateException("application bug");
      })).isInstanceOf(IllegalStateException.class);
      assertThat(c.update("d", doc -> { }).changed()).isFalse();
      assertThat(c.delete("d").changed()).as("deleting a missing document is no write").isFalse();
      assertThat(c.get("d")).isEmpty();
      assertThat(r.namespace("n").vector().isEmpty()).isTrue();
      c.update("d", doc -> doc.set("a", 1L));
      assertThat(r.namespace("n").vector().contiguous(r.id())).as("no sequence number was burnt").isEqualTo(1);
    }
  }

  @Test
  void namesAreChecked() {
    try (Replica r = Replica.inMemory(options(Durability.COMMIT))) {
      assertThatThrownBy(() -> r.namespace("bad name")).isInstanceOf(ReplicaException.class)
          .hasMessageContaining("'bad name'");
      Collection c = r.namespace("n").collection("c");
      assertThatThrownBy(() -> c.update("", doc -> doc.set("a", 1L))).hasMessageContaining("empty");
      assertThatThrownBy(() -> c.get("a\0b")).hasMessageContaining("NUL");
      assertThatThrownBy(() -> r.namespace("n").collection("x/y")).hasMessageContaining("x/y");
    }
  }

  @Test
  void aCopiedFileGetsANewReplicaIdAndKeepsItsData() throws Exception {
    Path original = dir.resolve("orig.mv.db");
    ReplicaId first;
    try (Replica r = Replica.open(original, options(Durability.SYNC))) {
      first = r.id();
      r.namespace("n").collection("c").update("d", doc -> doc.set("a", "1"));
    }
    Path copy = dir.resolve("copy.mv.db");
    Files.copy(original, copy);
    try (Replica r = Replica.open(copy, ReplicaOptions.builder().random(new SplittableRandom(99)).build())) {
      assertThat(r.id()).isNotEqualTo(first);
      assertThat(r.retiredIds()).containsExactly(first);
      Collection c = r.namespace("n").collection("c");
      assertThat(c.get("d")).isPresent();
      WriteReceipt w = c.update("e", doc -> doc.set("a", "2"));
      assertThat(w.dot().replica()).isEqualTo(r.id());
      assertThat(w.dot().seq()).isEqualTo(1);
    }
    try (Replica r = Replica.open(original, options(Durability.SYNC))) {
      assertThat(r.id()).as("the original keeps its id").isEqualTo(first);
    }
  }

  @Test
  void aSecondOpenOfTheSameFileIsRefused() {
    Path file = dir.resolve("locked.mv.db");
    try (Replica r = Replica.open(file, options(Durability.SYNC))) {
      assertThatThrownBy(() -> Replica.open(file, options(Durability.SYNC)))
          .isInstanceOf(ReplicaException.class)
          .extracting(e -> ((ReplicaException) e).reason()).isEqualTo(ReplicaException.Reason.LOCKED);
    }
  }

  @Test
  void aFileThatIsNotAReplicaIsRefusedAsCorrupt() throws Exception {
    Path file = dir.resolve("junk.mv.db");
    Files.write(file, "this is not an MVStore file at all, just text".repeat(200).getBytes());
    assertThatThrownBy(() -> Replica.open(file, options(Durability.SYNC)))
        .isInstanceOf(ReplicaException.class)
        .extracting(e -> ((ReplicaException) e).reason()).isEqualTo(ReplicaException.Reason.CORRUPT);
  }

  @Test
  void listenersAreCoalescedAcrossABurstOfRemoteChanges() {
    try (Replica source = Replica.inMemory(options(Durability.COMMIT));
        Replica target = Replica.inMemory(ReplicaOptions.builder().durability(Durability.COMMIT).random(new SplittableRandom(2)).build())) {
      Collection c = source.namespace("n").collection("c");
      for (int i = 0; i < 500; i++) {
        int n = i;
        c.update("d" + (i % 50), doc -> doc.set("v", (long) n));
      }
      List<ChangeBatch> calls = new CopyOnWriteArrayList<>();
      target.namespace("n").collection("c").listen(calls::add);
      List<String> single = new CopyOnWriteArrayList<>();
      target.namespace("n").collection("c").listen("d7", b -> single.addAll(b.documentIds()));
      var page = (dev.lattice.replica.log.DeltaPage.Deltas)
          source.namespace("n").deltasSince(dev.lattice.crdt.causal.VersionVector.EMPTY, Integer.MAX_VALUE);
      target.namespace("n").applyRemote(page.deltas());
      await().atMost(Duration.ofSeconds(5)).until(() -> calls.stream().mapToInt(b -> b.documentIds().size()).sum() == 50);
      assertThat(calls.size()).isBetween(1, 2);
      assertThat(calls).allMatch(ChangeBatch::remote);
      await().atMost(Duration.ofSeconds(5)).until(() -> single.contains("d7"));
      assertThat(single).containsOnly("d7");
    }
  }

  @Test
  void aBatchWithOneSkewedDeltaIsRefusedWholeAndChangesNothing() {
    long[] wall = {1_700_000_000_000L};
    try (Replica ahead = Replica.inMemory(ReplicaOptions.builder().durability(Durability.COMMIT).wallClock(() -> wall[0] + 61_000).build());
        Replica local = Replica.inMemory(ReplicaOptions.builder().durability(Durability.COMMIT).wallClock(() -> wall[0]).build());
        Replica normal = Replica.inMemory(ReplicaOptions.builder().durability(Durability.COMMIT).wallClock(() -> wall[0]).build())) {
      normal.namespace("n").collection("c").update("ok", doc -> doc.set("v", 1L));
      ahead.namespace("n").collection("c").update("bad", doc -> doc.set("v", 2L));
      List<dev.lattice.replica.log.Delta> batch = new ArrayList<>();
      batch.addAll(((dev.lattice.replica.log.DeltaPage.Deltas) normal.namespace("n").deltasSince(
          dev.lattice.crdt.causal.VersionVector.EMPTY, 1 << 20)).deltas());
      batch.addAll(((dev.lattice.replica.log.DeltaPage.Deltas) ahead.namespace("n").deltasSince(
          dev.lattice.crdt.causal.VersionVector.EMPTY, 1 << 20)).deltas());
      long clockBefore = local.clock().current();
      assertThatThrownBy(() -> local.namespace("n").applyRemote(batch))
          .isInstanceOf(ReplicaException.class).hasMessageContaining("ahead of the local wall clock")
          .extracting(e -> ((ReplicaException) e).reason()).isEqualTo(ReplicaException.Reason.CLOCK_SKEW);
      assertThat(local.namespace("n").vector().isEmpty()).isTrue();
      assertThat(local.namespace("n").collection("c").get("ok")).isEmpty();
      assertThat(local.clock().current()).isEqualTo(clockBefore);
      assertThat(local.namespace("n").applyRemote(batch.subList(0, 1)).applied()).hasSize(1);
    }
  }

  @Test
  void remoteDeltasAreIdempotentAndCountLwwOverwrites() {
    try (Replica a = Replica.inMemory(ReplicaOptions.builder().durability(Durability.COMMIT).random(new SplittableRandom(11)).build());
        Replica b = Replica.inMemory(ReplicaOptions.builder().durability(Durability.COMMIT).random(new SplittableRandom(12)).build())) {
      a.namespace("n").collection("c").update("d", doc -> doc.set("title", "from a"));
      b.namespace("n").collection("c").update("d", doc -> doc.set("title", "from b"));
      var fromA = ((dev.lattice.replica.log.DeltaPage.Deltas) a.namespace("n").deltasSince(
          dev.lattice.crdt.causal.VersionVector.EMPTY, 1 << 20)).deltas();
      ApplyResult first = b.namespace("n").applyRemote(fromA);
      ApplyResult again = b.namespace("n").applyRemote(fromA);
      assertThat(first.applied()).hasSize(1);
      assertThat(again.applied()).isEmpty();
      assertThat(again.duplicates()).hasSize(1);
      assertThat(b.metrics().lwwOverwrites()).as("one of two concurrent writes loses, and that is counted").isEqualTo(1);
    }
  }

  @Test
  void closedReplicaRefusesWrites() {
    Replica r = Replica.inMemory(options(Durability.COMMIT));
    Collection c = r.namespace("n").collection("c");
    r.close();
    r.close();
    assertThatThrownBy(() -> c.update("d", doc -> doc.set("a", 1L)))
        .extracting(e -> ((ReplicaException) e).reason()).isEqualTo(ReplicaException.Reason.CLOSED);
  }

  @Test
  void concurrentSyncWritersShareCommits() throws Exception {
    try (Replica r = Replica.open(dir.resolve("group.mv.db"), options(Durability.SYNC))) {
      Collection c = r.namespace("n").collection("c");
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int id = t;
        Thread thread = new Thread(() -> {
          for (int i = 0; i < 50; i++) {
            int n = i;
            c.update("w" + id + "-" + i, doc -> doc.set("n", (long) n));
          }
        });
        thread.start();
        threads.add(thread);
      }
      for (Thread t : threads) {
        t.join();
      }
      assertThat(r.metrics().localWrites()).isEqualTo(200);
      assertThat(r.namespace("n").vector().contiguous(r.id())).isEqualTo(200);
      assertThat(r.metrics().syncs()).isLessThanOrEqualTo(200);
    }
  }

  static String title(Document doc) {
    return ((Value.Str) doc.fields().lww("title").value().orElseThrow()).value();
  }
}
