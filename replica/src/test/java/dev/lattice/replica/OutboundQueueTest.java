package dev.lattice.replica;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.replica.log.Delta;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboundQueueTest {
  @TempDir Path dir;

  private ReplicaOptions client() {
    return ReplicaOptions.builder().role(Role.CLIENT).durability(Durability.SYNC).random(new SplittableRandom(5)).build();
  }

  @Test
  void queuedWritesLeaveOnlyOnAcknowledgementAndSurviveRestart() {
    Path file = dir.resolve("client.mv.db");
    List<Dot> dots = new ArrayList<>();
    try (Replica r = Replica.open(file, client())) {
      Collection c = r.namespace("ns").collection("c");
      for (int i = 0; i < 5; i++) {
        int n = i;
        dots.add(c.update("d" + i, doc -> doc.set("v", (long) n)).dot());
      }
      Namespace ns = r.namespace("ns");
      assertThat(ns.outbox().pending(100)).extracting(Delta::dot).containsExactlyElementsOf(dots);
      assertThat(ns.outbox().pending(2)).hasSize(2);
      ns.outbox().acknowledge(List.of(dots.get(0), dots.get(1)));
      ns.outbox().acknowledge(List.of(dots.get(0)));
      assertThat(ns.outbox().size()).isEqualTo(3);
    }
    try (Replica r = Replica.open(file, client())) {
      assertThat(r.namespace("ns").outbox().pending(100)).extracting(Delta::dot)
          .as("acknowledged writes are gone, the others resume after restart").containsExactlyElementsOf(dots.subList(2, 5));
    }
  }

  @Test
  void aPermanentlyRejectedWriteIsSurfacedAndSkippedNotBlockingTheQueue() {
    try (Replica r = Replica.open(dir.resolve("rejects.mv.db"), client())) {
      Namespace ns = r.namespace("ns");
      Collection c = ns.collection("c");
      Dot bad = c.update("x", doc -> doc.set("v", "not allowed")).dot();
      Dot good = c.update("y", doc -> doc.set("v", "fine")).dot();
      List<String> seen = new ArrayList<>();
      ns.outbox().onRejected((write, code, message) -> seen.add(write.dot() + " " + code));
      ns.outbox().reject(bad, "forbidden", "user may not write x");
      ns.outbox().reject(bad, "forbidden", "again");
      assertThat(seen).containsExactly(bad + " forbidden");
      assertThat(r.metrics().rejectedWrites()).isEqualTo(1);
      assertThat(ns.outbox().rejections()).containsEntry(bad, "forbidden: user may not write x");
      assertThat(ns.outbox().pending(10)).extracting(Delta::dot).containsExactly(good);
      assertThat(c.get("x")).as("the local replica keeps its own write").isPresent();
    }
  }

  @Test
  void anEdgeKeepsNoQueue() {
    try (Replica r = Replica.inMemory(ReplicaOptions.builder().durability(Durability.COMMIT).build())) {
      r.namespace("ns").collection("c").update("d", doc -> doc.set("v", 1L));
      assertThat(r.namespace("ns").outbox().size()).isZero();
      assertThat(r.namespace("ns").outbox().pending(10)).isEmpty();
    }
  }

  @Test
  void uncommittedWritesAreNotShipped() {
    try (Replica r = Replica.inMemory(ReplicaOptions.builder().role(Role.CLIENT).durability(Durability.ASYNC)
        .asyncCommitDelay(java.time.Duration.ofSeconds(30)).build())) {
      Namespace ns = r.namespace("ns");
      WriteReceipt w = ns.collection("c").update("d", doc -> doc.set("v", 1L));
      assertThat(w.durable()).isNotDone();
      assertThat(ns.outbox().pending(10)).as("a crash now would lose it, so no upstream may see it").isEmpty();
      assertThat(ns.deltasSince(dev.lattice.crdt.causal.VersionVector.EMPTY, 1 << 20))
          .isEqualTo(new dev.lattice.replica.log.DeltaPage.Deltas(List.of(), false, 0));
      r.flush();
      assertThat(w.durable()).isDone();
      assertThat(ns.outbox().pending(10)).extracting(Delta::dot).containsExactly(w.dot());
    }
  }
}
