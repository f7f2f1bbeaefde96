package dev.lattice.edge.sync;

import static dev.lattice.edge.sync.EdgeTestKit.await;
import static dev.lattice.edge.sync.EdgeTestKit.client;
import static dev.lattice.edge.sync.EdgeTestKit.visible;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lattice.edge.config.EdgeConfig;
import dev.lattice.edge.config.NamespaceConfig;
import dev.lattice.replica.Replica;
import dev.lattice.replica.ReplicaOptions;
import dev.lattice.replica.RetentionPolicy;
import dev.lattice.replica.Role;
import dev.lattice.replica.client.SyncClient;
import dev.lattice.replica.sync.SyncMessage;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an edge learns from a peer by Merkle repair (rather than as deltas) must reach the clients
 * that are live on it, like anything else it commits. Here the peer is a {@link
 * dev.lattice.replica.sync.PeerLink} over a raw socket whose delta log is compacted, so its
 * catch-up of the edge can only be a repair.
 */
class EdgeRepairForwardingTest {
  private static final String NS = "shared";
  private static final String KEY = "repair-forwarding-key-0123";

  @TempDir
  Path dir;

  private Vertx vertx;
  private SyncService edge;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    edge = EdgeTestKit.startEdge(vertx, EdgeConfig.builder().host("127.0.0.1").port(0).dataDir(dir.resolve("edge"))
        .namespace(NamespaceConfig.schemaless(NS, List.of(KEY))).build());
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    await(edge.node().close());
    await(vertx.close());
  }

  private <T extends AutoCloseable> T closeLater(T c) {
    closeables.add(c);
    return c;
  }

  @Test
  void aChangeAnEdgeLearnsByRepairReachesItsLiveClients() throws Exception {
    int port = edge.node().port();
    Replica phone = closeLater(Replica.inMemory(ReplicaOptions.builder().role(Role.CLIENT).build()));
    SyncClient live = closeLater(client(phone, port, NS, KEY).build().start());
    await(live.awaitSynced());

    // Another edge holds a document whose log entry it has compacted away.
    Replica other = closeLater(Replica.inMemory(ReplicaOptions.builder().role(Role.EDGE).build()));
    other.namespace(NS).collection("docs").update("from-peer", d -> d.set("v", "repaired"));
    assertThat(other.namespace(NS).compactLog(new RetentionPolicy(0, Duration.ofDays(1)))).isEqualTo(1);
    WireClient peer = closeLater(WireClient.connect(vertx, port, false));
    peer.runPeerLink(other, NS, KEY);
    await().atMost(EdgeTestKit.TIMEOUT)
        .until(() -> edge.node().replica().namespace(NS).collection("docs").get("from-peer").isPresent());
    assertThat(peer.received()).as("the edge got it by repair").anyMatch(m -> m instanceof SyncMessage.Repair);

    await().atMost(Duration.ofSeconds(5))
        .until(() -> phone.namespace(NS).collection("docs").get("from-peer").isPresent());
    assertThat(visible(phone, NS, "docs")).isEqualTo(visible(edge.node().replica(), NS, "docs"));
  }

  @Test
  void aClientThatCatchesUpWhileItsEdgeIsBeingRepairedGetsTheRepairedDocuments() throws Exception {
    int port = edge.node().port();
    Replica other = closeLater(Replica.inMemory(ReplicaOptions.builder().role(Role.EDGE).build()));
    other.namespace(NS).collection("docs").update("from-peer", d -> d.set("v", "repaired"));
    assertThat(other.namespace(NS).compactLog(new RetentionPolicy(0, Duration.ofDays(1)))).isEqualTo(1);
    // The peer's repair of the edge: its states go out, its caught-up (where the edge adopts the
    // repaired vector) is held back while a client catches up.
    WireClient peer = closeLater(WireClient.connect(vertx, port, false));
    peer.holdOutgoing(m -> m instanceof SyncMessage.CaughtUp);
    peer.runPeerLink(other, NS, KEY);
    await().atMost(EdgeTestKit.TIMEOUT)
        .until(() -> edge.node().replica().namespace(NS).collection("docs").get("from-peer").isPresent());
    assertThat(peer.holding()).isTrue();

    Replica phone = closeLater(Replica.inMemory(ReplicaOptions.builder().role(Role.CLIENT).build()));
    SyncClient live = closeLater(client(phone, port, NS, KEY).build().start());
    await(live.awaitSynced());
    peer.release();
    await().atMost(EdgeTestKit.TIMEOUT).until(() -> edge.node().replica().namespace(NS).committedVector()
        .equals(other.namespace(NS).committedVector().merge(edge.node().replica().namespace(NS).committedVector())));

    await().atMost(Duration.ofSeconds(5))
        .until(() -> phone.namespace(NS).collection("docs").get("from-peer").isPresent());
    assertThat(visible(phone, NS, "docs")).isEqualTo(visible(edge.node().replica(), NS, "docs"));
  }
}
