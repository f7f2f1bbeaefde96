package dev.lattice.replica.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.replica.sync.SyncNet.Client;
import dev.lattice.replica.sync.SyncNet.Edge;
import dev.lattice.replica.sync.SyncNet.Peering;
import dev.lattice.schema.Claims;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * A write made on an edge's own replica (an admin tool, a server-side job, a migration) must reach
 * the sessions that are live, as a pushed write does.
 */
class EdgeLocalWriteTest {
  static final String NS = "team";

  @Test
  @Disabled("known limit: writes made on an edge's own replica (only an embedding application can; the edge "
      + "itself writes only what sessions push) are not published to its SyncHub, so live sessions get them at "
      + "their next catch-up or anti-entropy round")
  void aWriteOnTheEdgesOwnReplicaReachesLiveClientsAndPeers() {
    try (SyncNet net = new SyncNet(21)) {
      Edge a = net.edge("a").serve(NS).credential("k-alice", Claims.user("alice")).credential("peer", Claims.ofServer());
      Edge b = net.edge("b").serve(NS).credential("peer", Claims.ofServer());
      Client alice = net.client("alice", NS);
      alice.connect(a, "k-alice");
      Peering ab = net.peer(b, a, NS, "peer");
      net.runUntil("alice and the peering live", () -> alice.live() && ab.live());
      net.settle();

      a.ns(NS).collection("tasks").update("t1", w -> w.set("title", "written on the edge"));
      net.settle();
      assertThat(alice.collection("tasks").get("t1")).as("the live client got the edge's write").isPresent();
      assertThat(b.ns(NS).collection("tasks").get("t1")).as("the live peer got the edge's write").isPresent();
    }
  }
}
