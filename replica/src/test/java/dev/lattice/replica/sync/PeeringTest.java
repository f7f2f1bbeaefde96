package dev.lattice.replica.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.crdt.type.Document;
import dev.lattice.replica.RetentionPolicy;
import dev.lattice.replica.sync.SyncNet.Client;
import dev.lattice.replica.sync.SyncNet.Edge;
import dev.lattice.replica.sync.SyncNet.Peering;
import dev.lattice.schema.Claims;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/** Edges peering through {@link PeerLink}: live relay, a partition with trimmed logs, a heal and anti-entropy. */
class PeeringTest {
  static final String NS = "team";
  static final List<String> COLLECTIONS = List.of("tasks", "notes");
  static final String PEER_KEY = "peer-key";

  private static Edge edge(SyncNet net, String name) {
    return net.edge(name).serve(NS).credential(PEER_KEY, Claims.ofServer())
        .credential("k-" + name, Claims.user("user-" + name));
  }

  private static void assertEdgesConverged(SyncNet net, List<Edge> edges) {
    for (String c : COLLECTIONS) {
      Map<String, Document> want = edges.get(0).visible(NS, c);
      for (Edge e : edges.subList(1, edges.size())) {
        net.assertSame(want, e.visible(NS, c), "edge " + e.name + "'s " + c + " vs edge " + edges.get(0).name + "'s");
      }
    }
  }

  @Test
  void threeEdgesConvergeThroughAPartitionWithTrimmedLogsAHealAndAntiEntropy() {
    try (SyncNet net = new SyncNet(41)) {
      Edge a = edge(net, "a");
      Edge b = edge(net, "b");
      Edge c = edge(net, "c");
      List<Edge> edges = List.of(a, b, c);
      Client alice = net.client("alice", NS);
      Client bob = net.client("bob", NS);
      Client carol = net.client("carol", NS);
      alice.connect(a, "k-a");
      bob.connect(b, "k-b");
      carol.connect(c, "k-c");
      List<Peering> links = new ArrayList<>(List.of(net.peer(a, b, NS, PEER_KEY), net.peer(b, c, NS, PEER_KEY),
          net.peer(a, c, NS, PEER_KEY)));
      net.runUntil("everyone live", () -> alice.live() && bob.live() && carol.live() && links.stream().allMatch(Peering::live));

      // Live: a write at any edge's client reaches every client, relayed edge to edge.
      alice.write("tasks", "t1", w -> w.set("title", "from a").increment("votes", 1));
      bob.write("tasks", "t2", w -> w.set("title", "from b").increment("votes", 1));
      carol.write("notes", "n1", w -> w.set("text", "from c"));
      net.runUntil("live everywhere", () -> alice.visible("tasks").size() == 2 && carol.visible("tasks").size() == 2
          && bob.visible("notes").size() == 1 && alice.visible("notes").size() == 1);
      net.settle();
      assertEdgesConverged(net, edges);
      net.assertConverged(a, NS, COLLECTIONS, alice, bob, carol);

      // Partition: a is cut off from b and c. Both sides write, edges too, and b trims its log.
      links.get(0).connection.cut();
      links.get(2).connection.cut();
      for (int i = 0; i < 10; i++) {
        int n = i;
        alice.write("tasks", "t1", w -> w.increment("votes", 1));
        alice.write("tasks", "a" + i, w -> w.set("title", "a side " + n));
        bob.write("tasks", "t1", w -> w.increment("votes", 10));
        carol.write("notes", "c" + i, w -> w.set("text", "c side " + n));
      }
      alice.delete("tasks", "t2");
      bob.write("tasks", "t2", w -> w.set("title", "b edits t2 concurrently with a's delete"));
      a.ns(NS).collection("notes").update("edge-a", w -> w.set("text", "written on a"));
      b.ns(NS).collection("notes").update("edge-b", w -> w.set("text", "written on b"));
      net.runUntil("clients synced with their edges", () -> alice.synced() && bob.synced() && carol.synced());
      net.settle();
      // Only b trims (both sides trimming at once is pinned in bothSidesOfALinkBelowEachOthersFloor...).
      b.replica.flush();
      assertThat(b.ns(NS).compactLog(new RetentionPolicy(0, Duration.ofDays(365)))).isPositive();

      // Heal, then anti-entropy on every link.
      links.set(0, net.peer(a, b, NS, PEER_KEY));
      links.set(2, net.peer(a, c, NS, PEER_KEY));
      net.runUntil("links live again", () -> links.stream().allMatch(Peering::live));
      net.settle();
      for (Peering p : links) {
        assertThat(p.link.repairNow()).as("anti-entropy from %s to %s", p.from.name, p.to.name).isTrue();
        net.settle();
      }
      assertThat(b.events.repairs).as("b repaired a below its floor, and anti-entropy ran").isPositive();
      assertEdgesConverged(net, edges);
      assertThat(a.visible(NS, "tasks").get("t1").fields().counter("votes").value()).isEqualTo(1 + 10 * 1 + 10 * 10);
      assertThat(a.visible(NS, "tasks").get("t2")).as("update wins over a concurrent delete").isNotNull();
      assertThat(c.visible(NS, "notes")).containsKeys("edge-a", "edge-b", "c0", "n1");

      // Clients reconnect once more and hold what their edges hold.
      alice.connect(a, "k-a");
      bob.connect(b, "k-b");
      carol.connect(c, "k-c");
      net.runUntil("clients synced", () -> alice.synced() && bob.synced() && carol.synced());
      net.settle();
      net.assertConverged(a, NS, COLLECTIONS, alice, bob, carol);
      assertThat(net.failures).isEmpty();
      for (Peering p : links) {
        assertThat(p.connection.a.errorsIn).as("errors on %s-%s", p.from.name, p.to.name).isEmpty();
        assertThat(p.connection.b.errorsIn).as("errors on %s-%s", p.to.name, p.from.name).isEmpty();
      }
    }
  }

  @Test
  void bothSidesOfALinkBelowEachOthersFloorRepairEachOtherAndConverge() {
    try (SyncNet net = new SyncNet(42)) {
      Edge a = edge(net, "a");
      Edge b = edge(net, "b");
      Peering link = net.peer(a, b, NS, PEER_KEY);
      net.runUntil("link live", link::live);
      link.connection.cut();
      for (int i = 0; i < 5; i++) {
        int n = i;
        a.ns(NS).collection("tasks").update("a" + i, w -> w.set("title", "on a " + n));
        b.ns(NS).collection("tasks").update("b" + i, w -> w.set("title", "on b " + n));
      }
      for (Edge e : List.of(a, b)) {
        e.replica.flush();
        assertThat(e.ns(NS).compactLog(new RetentionPolicy(0, Duration.ofDays(365)))).isPositive();
      }
      Peering healed = net.peer(a, b, NS, PEER_KEY);
      net.runUntil("healed link live", healed::live);
      net.settle();
      assertThat(healed.connection.isUp()).isTrue();
      assertThat(net.failures).isEmpty();
      assertEdgesConverged(net, List.of(a, b));
      assertThat(a.visible(NS, "tasks")).hasSize(10);
    }
  }

  @Test
  void antiEntropyStartedFromBothEndsOfALinkAtOnceConverges() {
    try (SyncNet net = new SyncNet(43)) {
      Edge a = edge(net, "a");
      Edge b = edge(net, "b");
      Peering link = net.peer(a, b, NS, PEER_KEY);
      net.runUntil("link live", link::live);
      net.settle();
      // Writes made on the edges themselves are only healed by anti-entropy (see EdgeLocalWriteTest).
      a.ns(NS).collection("tasks").update("on-a", w -> w.set("title", "a"));
      b.ns(NS).collection("tasks").update("on-b", w -> w.set("title", "b"));
      ServerSession accepted = b.sessions.get(b.sessions.size() - 1);
      assertThat(link.link.repairNow()).isTrue();
      assertThat(accepted.repairNow()).isTrue();
      net.settle();
      assertThat(net.failures).isEmpty();
      assertEdgesConverged(net, List.of(a, b));
      assertThat(a.visible(NS, "tasks")).containsKeys("on-a", "on-b");
    }
  }

  @Test
  void aLiveClientReceivesWhatItsEdgeLearnedFromAPeerByRepair() {
    try (SyncNet net = new SyncNet(44)) {
      Edge a = edge(net, "a");
      Edge b = edge(net, "b");
      Client alice = net.client("alice", NS);
      Client bob = net.client("bob", NS);
      alice.connect(a, "k-a");
      bob.connect(b, "k-b");
      Peering link = net.peer(a, b, NS, PEER_KEY);
      net.runUntil("everyone live", () -> alice.live() && bob.live() && link.live());
      link.connection.cut();
      bob.write("tasks", "while-apart", w -> w.set("title", "written during the partition"));
      net.runUntil("bob synced", bob::synced);
      b.replica.flush();
      assertThat(b.ns(NS).compactLog(new RetentionPolicy(0, Duration.ofDays(365)))).isPositive();
      Peering healed = net.peer(a, b, NS, PEER_KEY);
      net.runUntil("healed", healed::live);
      net.settle();
      assertThat(a.ns(NS).collection("tasks").get("while-apart")).as("a learned it by repair").isPresent();
      assertThat(alice.collection("tasks").get("while-apart")).as("alice, live on a, got it too").isPresent();
    }
  }

  /**
   * e0 learns a document from forwarded repair states (e2 repaired it from e1), which do not
   * advance e0's vector; a client that then connects to e0 must still get it. (Pinned from
   * PeeringPropertyTest seed 244.)
   */
  @Test
  @Disabled("open: states an edge forwards to a peer outside a repair carry no vector the peer may safely adopt, so "
      + "the peer holds the documents without their dots and a client's later catch-up there misses them until the "
      + "next anti-entropy round between the peers (repairs themselves now end with an adoptable vector). Fix: adopt "
      + "the dots present in the forwarded documents (needs Field.forEachDot)")
  void aClientConnectingAfterItsEdgeJoinedForwardedStatesGetsThem() {
    try (SyncNet net = new SyncNet(45)) {
      Edge e0 = edge(net, "e0");
      Edge e1 = edge(net, "e1");
      Edge e2 = edge(net, "e2");
      Peering e2e0 = net.peer(e2, e0, NS, PEER_KEY);
      Client carol = net.client("carol", NS);
      carol.connect(e1, "k-e1");
      net.runUntil("link and carol live", () -> e2e0.live() && carol.live());
      carol.write("tasks", "x", w -> w.set("title", "written on e1 while it was apart"));
      net.runUntil("carol synced", carol::synced);
      e1.replica.flush();
      assertThat(e1.ns(NS).compactLog(new RetentionPolicy(0, Duration.ofDays(365)))).isPositive();

      Peering e2e1 = net.peer(e2, e1, NS, PEER_KEY); // e1 repairs e2, which forwards the state to e0
      net.runUntil("e2-e1 live", e2e1::live);
      net.settle();
      assertThat(e0.ns(NS).collection("tasks").get("x")).as("e0 has it, from forwarded states").isPresent();

      Client alice = net.client("alice", NS);
      alice.connect(e0, "k-e0");
      net.runUntil("alice synced", alice::synced);
      net.settle();
      net.assertConverged(e0, NS, COLLECTIONS, alice);
    }
  }
}
