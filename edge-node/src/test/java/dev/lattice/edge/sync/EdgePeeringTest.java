package dev.lattice.edge.sync;

import static dev.lattice.edge.sync.EdgeTestKit.await;
import static dev.lattice.edge.sync.EdgeTestKit.client;
import static dev.lattice.edge.sync.EdgeTestKit.clientReplica;
import static dev.lattice.edge.sync.EdgeTestKit.visible;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lattice.crdt.type.Document;
import dev.lattice.edge.config.EdgeConfig;
import dev.lattice.edge.config.NamespaceConfig;
import dev.lattice.edge.config.PeerConfig;
import dev.lattice.replica.Replica;
import dev.lattice.replica.RetentionPolicy;
import dev.lattice.replica.client.SyncClient;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three edges peered with each other, each with its own client: writes anywhere reach everyone;
 * then one edge goes down (a partition), both sides keep writing, it comes back on its data
 * directory (the heal), and everything converges, the downed edge catching up from logs its peers
 * have compacted (so through Merkle repair) and anti-entropy rounds running on top.
 */
class EdgePeeringTest {
  private static final String NS = "shared";
  private static final String KEY = "peering-key-0123456789abcdef";

  @TempDir
  Path dir;

  private Vertx vertx;
  private final int[] ports = new int[3];
  private final SyncService[] edges = new SyncService[3];
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    // Each edge names the others' addresses up front, so every port is chosen before any starts.
    for (int i = 0; i < 3; i++) {
      ports[i] = EdgeTestKit.freePort();
    }
    for (int i = 0; i < 3; i++) {
      edges[i] = EdgeTestKit.startEdge(vertx, config(i));
    }
  }

  private EdgeConfig config(int i) {
    EdgeConfig.Builder b = EdgeConfig.builder().host("127.0.0.1").port(ports[i]).dataDir(dir.resolve("edge-" + i))
        .namespace(NamespaceConfig.schemaless(NS, List.of(KEY))).antiEntropyInterval(Duration.ofMillis(300));
    for (int j = 0; j < 3; j++) {
      if (j != i) {
        b.peer(new PeerConfig(URI.create("ws://127.0.0.1:" + ports[j]), KEY));
      }
    }
    return b.build();
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    for (SyncService edge : edges) {
      if (edge != null) {
        await(edge.node().close());
      }
    }
    await(vertx.close());
  }

  private <T extends AutoCloseable> T closeLater(T c) {
    closeables.add(c);
    return c;
  }

  @Test
  void threeEdgesConvergeAcrossAPartitionAndItsHeal() throws Exception {
    Replica[] replicas = new Replica[3];
    SyncClient[] clients = new SyncClient[3];
    for (int i = 0; i < 3; i++) {
      replicas[i] = closeLater(clientReplica(dir.resolve("client-" + i + ".mv.db")));
      clients[i] = closeLater(client(replicas[i], ports[i], NS, KEY).build().start());
    }
    await().atMost(EdgeTestKit.TIMEOUT).until(() -> edges[0].peers().stream().allMatch(PeerConnector::connected)
        && edges[1].peers().stream().allMatch(PeerConnector::connected)
        && edges[2].peers().stream().allMatch(PeerConnector::connected));

    for (int i = 0; i < 3; i++) {
      int n = i;
      replicas[i].namespace(NS).collection("docs").update("from-" + i, d -> d.set("edge", n));
      replicas[i].namespace(NS).collection("docs").update("tally", d -> d.increment("count", 1));
    }
    awaitConverged(replicas, 4, 3);
    for (SyncClient c : clients) {
      await(c.awaitSynced());
    }

    // Partition: C goes down. Everyone keeps writing, C's client offline.
    await(edges[2].node().close());
    edges[2] = null;
    for (int i = 0; i < 3; i++) {
      int n = i;
      replicas[i].namespace(NS).collection("docs").update("during-" + i, d -> d.set("edge", n));
      replicas[i].namespace(NS).collection("docs").update("tally", d -> d.increment("count", 10));
    }
    await(clients[0].awaitSynced());
    await(clients[1].awaitSynced());
    await().atMost(EdgeTestKit.TIMEOUT).until(() -> {
      Map<String, Document> a = visible(edges[0].node().replica(), NS, "docs");
      return a.size() == 6 && tally(edges[0].node().replica()) == 23 && a.equals(visible(edges[1].node().replica(), NS,
          "docs"));
    });
    assertThat(clients[2].pending()).isEqualTo(2);
    // The surviving edges trim their logs: C's catch-up from them is below their floors, so a repair.
    for (int i = 0; i < 2; i++) {
      assertThat(edges[i].node().replica().namespace(NS).compactLog(new RetentionPolicy(0, Duration.ofDays(1))))
          .isPositive();
    }

    // Heal: C comes back on its data directory and port; its client pushes what it wrote offline.
    edges[2] = EdgeTestKit.startEdge(vertx, config(2));
    await(clients[2].awaitSynced());
    // A's and B's clients stayed live throughout. C's client reconnected to C while C was being
    // repaired by its peers; if its catch-up fell between C joining a peer's states and adopting
    // that peer's vector, it misses them until its next reconnect
    // (EdgeRepairForwardingTest#aClientThatCatchesUpWhileItsEdgeIsBeingRepairedGetsTheRepairedDocuments),
    // so it is compared after one more reconnect.
    await().atMost(EdgeTestKit.TIMEOUT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      for (SyncService edge : edges) {
        edge.repairPeersNow();
      }
      assertConverged(Arrays.copyOf(replicas, 2), 7, 33);
    });
    assertThat(clients[2].pending()).isZero();
    assertThat(edges[2].node().metrics().scrape()).as("C took part in Merkle repairs")
        .containsPattern("lattice_repairs_total\\{[^}]*\\} [1-9]");
    closeables.remove(clients[2]);
    clients[2].close();
    SyncClient again = closeLater(client(replicas[2], ports[2], NS, KEY).build().start());
    await(again.awaitSynced());
    assertConverged(replicas, 7, 33);
  }

  private void awaitConverged(Replica[] replicas, int documents, long tally) {
    await().atMost(EdgeTestKit.TIMEOUT).untilAsserted(() -> assertConverged(replicas, documents, tally));
  }

  /**
   * Every edge and each of {@code clients} hold the same documents: {@code documents} of them, the
   * tally at {@code tally}.
   */
  private void assertConverged(Replica[] clients, int documents, long tally) {
    Map<String, Document> reference = visible(edges[0].node().replica(), NS, "docs");
    Map<String, Object> all = new java.util.LinkedHashMap<>();
    for (int i = 0; i < 3; i++) {
      all.put("edge " + i, visible(edges[i].node().replica(), NS, "docs").keySet() + " tally "
          + tally(edges[i].node().replica()));
    }
    for (int i = 0; i < clients.length; i++) {
      all.put("client " + i, visible(clients[i], NS, "docs").keySet() + " tally " + tally(clients[i]));
    }
    assertThat(reference).as("edge A: %s", all).hasSize(documents);
    assertThat(tally(edges[0].node().replica())).as("tally on edge A: %s", all).isEqualTo(tally);
    for (int i = 0; i < 3; i++) {
      assertThat(visible(edges[i].node().replica(), NS, "docs")).as("edge %d: %s", i, all).isEqualTo(reference);
    }
    for (int i = 0; i < clients.length; i++) {
      assertThat(visible(clients[i], NS, "docs")).as("client %d: %s", i, all).isEqualTo(reference);
    }
  }

  private static long tally(Replica r) {
    return r.namespace(NS).collection("docs").get("tally").map(d -> d.fields().counter("count").value()).orElse(-1L);
  }
}
