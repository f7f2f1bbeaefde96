package dev.lattice.replica.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.value.Value;
import dev.lattice.replica.Collection;
import dev.lattice.replica.sync.SyncNet.Client;
import dev.lattice.replica.sync.SyncNet.Connection;
import dev.lattice.replica.sync.SyncNet.Edge;
import dev.lattice.replica.sync.SyncNet.Fate;
import dev.lattice.schema.Claims;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Clients syncing through one edge: live propagation, offline edits and reconnects, lost acks, paused catch-up. */
class ClientEdgeSyncTest {
  static final String NS = "team";
  static final List<String> COLLECTIONS = List.of("tasks", "notes");

  static Edge edge(SyncNet net) {
    return net.edge("edge").serve(NS)
        .credential("k-alice", Claims.user("alice"))
        .credential("k-bob", Claims.user("bob"))
        .credential("k-carol", Claims.user("carol"));
  }

  @Test
  void twoClientsThroughOneEdgeConvergeAndLiveChangesArriveWithoutReconnecting() {
    try (SyncNet net = new SyncNet(1)) {
      Edge edge = edge(net);
      Client alice = net.client("alice", NS);
      Client bob = net.client("bob", NS);
      alice.connect(edge, "k-alice");
      bob.connect(edge, "k-bob");
      net.runUntil("both clients live", () -> alice.live() && bob.live());

      alice.write("tasks", "t1", d -> d.set("title", "Buy milk").increment("votes", 2).add("tags", Value.of("home")));
      bob.write("tasks", "t2", d -> d.set("title", "Walk").increment("votes", 1).enable("done"));
      net.runUntil("each client sees the other's write live",
          () -> bob.collection("tasks").get("t1").isPresent() && alice.collection("tasks").get("t2").isPresent());

      // Concurrent counter increments on the same document from both sides add up.
      alice.write("tasks", "t2", d -> d.increment("votes", 5));
      bob.write("tasks", "t2", d -> d.increment("votes", -2));
      bob.write("notes", "n1", d -> d.set("text", "hello"));
      net.settle();
      assertThat(edge.ns(NS).collection("tasks").get("t2").orElseThrow().fields().counter("votes").value())
          .isEqualTo(4);
      net.assertConverged(edge, NS, COLLECTIONS, alice, bob);

      // Deletes and field removals propagate too.
      alice.delete("tasks", "t1");
      bob.write("tasks", "t2", d -> d.removeField("title"));
      net.settle();
      assertThat(bob.collection("tasks").get("t1")).as("deleted by alice").isEmpty();
      assertThat(alice.collection("tasks").get("t2").orElseThrow().fields().lww("title").isPresent()).isFalse();
      net.assertConverged(edge, NS, COLLECTIONS, alice, bob);

      for (Client c : List.of(alice, bob)) {
        assertThat(c.connections).as("%s never reconnected", c.name).hasSize(1);
        assertThat(c.ns().outbox().size()).as("%s's writes are all acked", c.name).isZero();
        assertThat(c.caughtUp).as("one catch-up for %s", c.name).isEqualTo(1);
        assertThat(c.connection.a.received).filteredOn(m -> m instanceof SyncMessage.Deltas)
            .as("%s received the other's writes as live deltas", c.name).isNotEmpty();
        assertThat(c.errors).isEmpty();
      }
      assertThat(edge.hub.sessions(NS)).isEqualTo(2);
    }
  }

  /** Writes {@code d} changes of several kinds: new documents, updates, counters, a delete. */
  private static void offlineEdits(Client c, String prefix, int d, SplittableRandom random) {
    for (int i = 0; i < d; i++) {
      int k = i % 4;
      String existing = "seed" + random.nextInt(10);
      switch (k) {
        case 0:
          c.write("tasks", prefix + i, w -> w.set("title", prefix + " new").increment("votes", 1));
          break;
        case 1:
          c.write("tasks", existing, w -> w.set("title", prefix + " edit"));
          break;
        case 2:
          c.write("tasks", existing, w -> w.increment("votes", 3));
          break;
        default:
          c.write("notes", prefix + "n" + i, w -> w.set("text", "x".repeat(20)));
      }
    }
  }

  private record Reconnect(int catchUpDeltaMessages, int catchUpDeltas, long catchUpBytes, int sentByClient) {}

  /**
   * A namespace of {@code size} documents, two clients that synced it and then went offline; each
   * makes {@code d} changes; alice reconnects and syncs, then bob. Returns what bob's reconnect cost.
   */
  private static Reconnect offlineBothSidesThenReconnect(long seed, int size, int d) {
    try (SyncNet net = new SyncNet(seed)) {
      Edge edge = edge(net);
      Collection seeded = edge.ns(NS).collection("tasks");
      for (int i = 0; i < size; i++) {
        int n = i;
        seeded.update("seed" + i, w -> w.set("title", "document " + n).increment("votes", 1));
      }
      Client alice = net.client("alice", NS);
      Client bob = net.client("bob", NS);
      alice.connect(edge, "k-alice");
      bob.connect(edge, "k-bob");
      net.runUntil("initial sync", () -> alice.live() && bob.live());
      assertThat(alice.visible("tasks")).hasSize(size);
      alice.disconnect();
      bob.disconnect();

      SplittableRandom random = new SplittableRandom(seed);
      offlineEdits(alice, "a", d, random);
      offlineEdits(bob, "b", d, random);

      alice.connect(edge, "k-alice");
      net.runUntil("alice synced", alice::synced);
      Connection reconnect = bob.connect(edge, "k-bob");
      net.runUntil("bob synced", bob::synced);
      net.settle();
      net.assertConverged(edge, NS, COLLECTIONS, alice, bob);
      assertThat(edge.ns(NS).outbox().size()).isZero();

      // What bob's reconnect cost: everything the edge sent before caught-up.
      List<SyncMessage> in = reconnect.a.received;
      int end = 0;
      while (!(in.get(end) instanceof SyncMessage.CaughtUp)) {
        end++;
      }
      List<SyncMessage> catchUp = in.subList(0, end + 1);
      assertThat(catchUp.get(0)).isInstanceOf(SyncMessage.Welcome.class);
      assertThat(catchUp).as("catch-up is welcome, deltas, caught-up: no repair, no states")
          .allMatch(m -> m instanceof SyncMessage.Welcome || m instanceof SyncMessage.Deltas
              || m instanceof SyncMessage.CaughtUp || m instanceof SyncMessage.Ack);
      int messages = 0;
      int deltas = 0;
      long bytes = 0;
      for (SyncMessage m : catchUp) {
        bytes += net.codec.encodeBinary(m).length;
        if (m instanceof SyncMessage.Deltas ds) {
          messages++;
          deltas += ds.deltas().size();
        }
      }
      // After caught-up, bob pushed once and got one ack: the whole exchange is hello + push.
      assertThat(reconnect.a.sent).extracting(m -> m.getClass().getSimpleName())
          .as("bob sent hello and one push").containsExactly("Hello", "Push");
      // alice got bob's offline changes live, in one message.
      long liveToAlice = alice.connection.a.received.stream()
          .filter(m -> m instanceof SyncMessage.Deltas).count();
      assertThat(liveToAlice).as("alice receives bob's changes in one live message").isEqualTo(1);
      return new Reconnect(messages, deltas, bytes, reconnect.a.sent.size());
    }
  }

  @Test
  void offlineEditsOnBothClientsConvergeOnReconnectInTwoRoundTripsAtACostOfTheChangesNotTheNamespace() {
    int d = 20;
    Reconnect small = offlineBothSidesThenReconnect(2, 100, d);
    Reconnect large = offlineBothSidesThenReconnect(2, 2_000, d);
    for (Reconnect r : List.of(small, large)) {
      assertThat(r.catchUpDeltaMessages()).as("catch-up pages").isBetween(1, 2);
      assertThat(r.catchUpDeltas()).as("bob is sent exactly alice's offline changes").isEqualTo(d);
    }
    assertThat(large.catchUpBytes()).as("catch-up bytes with 2,000 documents vs 100: %s vs %s", large, small)
        .isLessThan(small.catchUpBytes() * 3 / 2);
  }

  @Test
  void aCounterIncrementRetriedAfterALostAckCountsOnce() {
    try (SyncNet net = new SyncNet(3)) {
      Edge edge = edge(net);
      Client alice = net.client("alice", NS);
      Client bob = net.client("bob", NS);
      Connection first = alice.connect(edge, "k-alice");
      bob.connect(edge, "k-bob");
      net.runUntil("both live", () -> alice.live() && bob.live());

      first.fate = m -> m instanceof SyncMessage.Ack ? Fate.DROP : Fate.DELIVER;
      alice.write("c", "k", w -> w.increment("n", 1));
      Dot dot = alice.ns().outbox().pending(1).get(0).dot();
      net.runUntil("bob sees the increment", () -> bob.collection("c").get("k").isPresent());
      net.settle();
      assertThat(first.b.sent).as("the edge acked").anyMatch(m -> m instanceof SyncMessage.Ack a && a.acked().contains(dot));
      assertThat(first.a.received).as("but the ack was lost").noneMatch(m -> m instanceof SyncMessage.Ack);
      assertThat(alice.ns().outbox().size()).as("unacked: still queued").isEqualTo(1);

      Connection second = alice.connect(edge, "k-alice");
      net.runUntil("alice synced again", alice::synced);
      net.settle();
      assertThat(second.a.sent).as("the push is repeated on the new connection")
          .anyMatch(m -> m instanceof SyncMessage.Push p && p.deltas().stream().anyMatch(x -> x.dot().equals(dot)));
      assertThat(second.a.received).as("and acked as already known")
          .anyMatch(m -> m instanceof SyncMessage.Ack a && a.acked().contains(dot));
      for (Collection c : List.of(edge.ns(NS).collection("c"), alice.collection("c"), bob.collection("c"))) {
        assertThat(c.get("k").orElseThrow().fields().counter("n").value()).as("counted once").isEqualTo(1);
      }
      net.assertConverged(edge, NS, List.of("c"), alice, bob);
    }
  }

  @Test
  void aDuplicatedPushCountsOnceAndIsAckedTwice() {
    try (SyncNet net = new SyncNet(4)) {
      Edge edge = edge(net);
      Client alice = net.client("alice", NS);
      Client bob = net.client("bob", NS);
      Connection c = alice.connect(edge, "k-alice");
      bob.connect(edge, "k-bob");
      net.runUntil("both live", () -> alice.live() && bob.live());
      c.fate = m -> m instanceof SyncMessage.Push ? Fate.DUPLICATE : Fate.DELIVER;
      alice.write("c", "k", w -> w.increment("n", 7));
      net.runUntil("alice synced", alice::synced);
      net.settle();
      assertThat(c.b.received).filteredOn(m -> m instanceof SyncMessage.Push).hasSize(2);
      assertThat(c.a.received).filteredOn(m -> m instanceof SyncMessage.Ack).hasSize(2);
      assertThat(bob.collection("c").get("k").orElseThrow().fields().counter("n").value()).isEqualTo(7);
      assertThat(edge.ns(NS).collection("c").get("k").orElseThrow().fields().counter("n").value()).isEqualTo(7);
      assertThat(alice.errors).isEmpty();
    }
  }

  @Test
  void aCatchUpPausedByTheTransportResumesAndLosesNothingWrittenMeanwhile() {
    // 1 KiB pages, so a catch-up of 300 documents takes many pages.
    try (SyncNet net = new SyncNet(5, new SyncLimits(64 << 10, 1 << 20, 10_000, 1024))) {
      Edge edge = edge(net);
      Collection seeded = edge.ns(NS).collection("tasks");
      for (int i = 0; i < 300; i++) {
        int n = i;
        seeded.update("d" + i, w -> w.set("title", "document number " + n));
      }
      Client bob = net.client("bob", NS);
      bob.connect(edge, "k-bob");
      net.runUntil("bob live", bob::live);

      Client alice = net.client("alice", NS);
      Connection conn = alice.connect(edge, "k-alice");
      int[] pages = {0};
      conn.fate = m -> {
        if (m instanceof SyncMessage.Deltas && ++pages[0] == 2) {
          conn.b.writable = false; // the socket's buffer is full after the second page
        }
        return Fate.DELIVER;
      };
      net.settle();
      assertThat(pages[0]).as("catch-up stopped after two pages").isEqualTo(2);
      assertThat(alice.session.isCaughtUp()).isFalse();

      // Written while alice's catch-up is paused: offered live, ignored, and found by a later page.
      bob.write("tasks", "late", w -> w.set("title", "written while paused"));
      bob.write("tasks", "d0", w -> w.set("title", "edited while paused"));
      net.runUntil("bob synced", bob::synced);
      net.settle();
      assertThat(alice.session.isCaughtUp()).isFalse();
      assertThat(pages[0]).isEqualTo(2);

      conn.b.setWritable(true);
      net.runUntil("alice caught up", alice::live);
      net.settle();
      assertThat(pages[0]).as("many pages").isGreaterThan(10);
      assertThat(alice.collection("tasks").get("late")).isPresent();
      assertThat(alice.collection("tasks").get("d0").orElseThrow().fields().lww("title").value())
          .contains(Value.of("edited while paused"));
      net.assertConverged(edge, NS, List.of("tasks"), alice, bob);
    }
  }
}
