package dev.lattice.edge.sync;

import static dev.lattice.edge.sync.EdgeTestKit.await;
import static dev.lattice.edge.sync.EdgeTestKit.client;
import static dev.lattice.edge.sync.EdgeTestKit.clientReplica;
import static dev.lattice.edge.sync.EdgeTestKit.visible;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.value.Value;
import dev.lattice.edge.EdgeNode;
import dev.lattice.edge.config.EdgeConfig;
import dev.lattice.replica.Namespace;
import dev.lattice.replica.Replica;
import dev.lattice.replica.ReplicaOptions;
import dev.lattice.replica.Role;
import dev.lattice.replica.WriteReceipt;
import dev.lattice.replica.client.SyncClient;
import dev.lattice.replica.log.Delta;
import dev.lattice.replica.sync.SyncMessage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recovery path through a real edge over loopback WebSockets: offline edits on both sides,
 * a push whose ack was lost, and an edge that goes down while writes are in flight.
 */
class EdgeRecoveryTest {
  private static final String NS = EdgeConfig.DEV_NAMESPACE;

  @TempDir
  Path dir;

  private Vertx vertx;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final List<SyncService> edges = new ArrayList<>();

  @BeforeEach
  void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    for (SyncService edge : edges) {
      await(edge.node().close());
    }
    await(vertx.close());
  }

  private <T extends AutoCloseable> T closeLater(T c) {
    closeables.add(c);
    return c;
  }

  private SyncService edge(EdgeConfig config) throws Exception {
    SyncService edge = EdgeTestKit.startEdge(vertx, config);
    edges.add(edge);
    return edge;
  }

  private String devKey(Path data) throws Exception {
    return Files.readString(data.resolve(EdgeConfig.DEV_KEY_FILE)).trim();
  }

  @Test
  void offlineEditsOnTwoClientsConvergeOnceBothReconnect() throws Exception {
    Path data = dir.resolve("edge");
    SyncService edge = edge(EdgeConfig.embeddedDefaults(data, 0).toBuilder().host("127.0.0.1").build());
    int port = edge.node().port();
    String key = devKey(data);
    Replica a = closeLater(clientReplica(dir.resolve("a.mv.db")));
    Replica b = closeLater(clientReplica(dir.resolve("b.mv.db")));

    // Both start from a common state, then go offline.
    try (SyncClient ca = client(a, port, NS, key).build().start()) {
      await(ca.confirmation(a.namespace(NS).collection("tasks").update("shared", d -> d.set("title", "base")
          .increment("votes", 1).add("tags", Value.of("base")))));
      await(ca.confirmation(a.namespace(NS).collection("tasks").update("doomed", d -> d.set("title", "old"))));
      await(ca.awaitSynced());
    }
    try (SyncClient cb = client(b, port, NS, key).build().start()) {
      await(cb.awaitSynced());
      await().atMost(EdgeTestKit.TIMEOUT).until(() -> visible(b, NS, "tasks").size() == 2);
    }
    // b's next client is built now but only started after the offline edits.
    SyncClient cbLater = closeLater(client(b, port, NS, key).json(true).build());

    // Offline: concurrent edits of the same documents, plus documents only one side has.
    a.namespace(NS).collection("tasks").update("shared", d -> d.set("title", "from a").increment("votes", 2)
        .add("tags", Value.of("a")));
    a.namespace(NS).collection("tasks").delete("doomed");
    for (int i = 0; i < 5; i++) {
      int n = i;
      a.namespace(NS).collection("tasks").update("a-" + i, d -> d.set("n", n));
    }
    b.namespace(NS).collection("tasks").update("shared", d -> d.set("title", "from b").increment("votes", 5)
        .add("tags", Value.of("b")));
    b.namespace(NS).collection("tasks").update("doomed", d -> d.set("note", "kept by b"));
    for (int i = 0; i < 5; i++) {
      int n = i;
      b.namespace(NS).collection("tasks").update("b-" + i, d -> d.set("n", n));
    }
    assertThat(a.namespace(NS).outbox().size()).isEqualTo(7);
    assertThat(b.namespace(NS).outbox().size()).isEqualTo(7);

    SyncClient ca = closeLater(client(a, port, NS, key).build()).start();
    cbLater.start();
    await(ca.awaitSynced());
    await(cbLater.awaitSynced());
    Replica edgeReplica = edge.node().replica();
    await().atMost(EdgeTestKit.TIMEOUT).until(() -> visible(a, NS, "tasks").equals(visible(edgeReplica, NS, "tasks"))
        && visible(b, NS, "tasks").equals(visible(edgeReplica, NS, "tasks")));

    assertThat(ca.pending()).isZero();
    assertThat(cbLater.pending()).isZero();
    Map<String, Document> docs = visible(edgeReplica, NS, "tasks");
    assertThat(docs).containsOnlyKeys("shared", "doomed", "a-0", "a-1", "a-2", "a-3", "a-4", "b-0", "b-1", "b-2", "b-3",
        "b-4");
    Document shared = docs.get("shared");
    assertThat(shared.fields().counter("votes").value()).as("every increment counts once").isEqualTo(8);
    assertThat(shared.fields().set("tags").values()).containsExactlyInAnyOrder(Value.of("base"), Value.of("a"),
        Value.of("b"));
    assertThat(shared.fields().lww("title").value()).get().isIn(Value.of("from a"), Value.of("from b"));
    // A delete concurrent with an update keeps only the update.
    Document doomed = docs.get("doomed");
    assertThat(doomed.fields().lww("note").value()).contains(Value.of("kept by b"));
    assertThat(doomed.fields().lww("title").value()).isEmpty();
  }

  @Test
  void aCounterIncrementRetriedAfterALostAckCountsOnce() throws Exception {
    Path data = dir.resolve("edge");
    SyncService edge = edge(EdgeConfig.embeddedDefaults(data, 0).toBuilder().host("127.0.0.1").build());
    int port = edge.node().port();
    String key = devKey(data);
    Replica phone = closeLater(Replica.inMemory(ReplicaOptions.builder().role(Role.CLIENT).build()));
    Namespace ns = phone.namespace(NS);
    WriteReceipt write = ns.collection("counters").update("c", d -> d.increment("n", 1));
    List<Delta> queued = ns.outbox().pending(10);
    assertThat(queued).hasSize(1);

    // First attempt: the push reaches the edge, the connection drops before the ack is read.
    WireClient first = closeLater(WireClient.connect(vertx, port, false));
    first.send(hello(phone, key));
    first.expect(SyncMessage.Welcome.class);
    first.expect(SyncMessage.CaughtUp.class);
    first.send(new SyncMessage.Push(1, queued));
    first.drop();
    Namespace edgeNs = edge.node().replica().namespace(NS);
    await().atMost(EdgeTestKit.TIMEOUT).until(() -> counter(edgeNs) == 1);
    assertThat(ns.outbox().isQueued(write.dot())).as("unacked, so still queued").isTrue();

    // The retry on a new connection pushes the very same delta: acked, not applied again.
    WireClient second = closeLater(WireClient.connect(vertx, port, true));
    second.send(hello(phone, key));
    second.expect(SyncMessage.Welcome.class);
    second.expect(SyncMessage.CaughtUp.class);
    second.send(new SyncMessage.Push(1, ns.outbox().pending(10)));
    SyncMessage.Ack ack = second.expect(SyncMessage.Ack.class);
    assertThat(ack.id()).isEqualTo(1);
    assertThat(ack.acked()).containsExactly(write.dot());
    assertThat(ack.rejected()).isEmpty();
    ns.outbox().acknowledge(ack.acked());
    assertThat(ns.outbox().size()).isZero();
    assertThat(counter(edgeNs)).isEqualTo(1);
    assertThat(second.problems()).isEmpty();

    // Another client reading through the edge sees one increment too.
    Replica other = closeLater(Replica.inMemory(ReplicaOptions.builder().role(Role.CLIENT).build()));
    SyncClient reader = closeLater(client(other, port, NS, key).build().start());
    await(reader.awaitSynced());
    assertThat(counter(other.namespace(NS))).isEqualTo(1);
  }

  private static SyncMessage.Hello hello(Replica replica, String credential) {
    Namespace ns = replica.namespace(NS);
    return new SyncMessage.Hello(SyncMessage.PROTOCOL, NS, credential, 0, replica.id(), ns.committedVector(),
        replica.clock().now(), SyncMessage.Role.CLIENT, false);
  }

  private static long counter(Namespace ns) {
    return ns.collection("counters").get("c").map(d -> d.fields().counter("n").value()).orElse(0L);
  }

  @Test
  void anEdgeRestartedMidPushLosesNothingAcked() throws Exception {
    Path data = dir.resolve("edge");
    // SyncClient keeps a fixed URI, so the new node must come back on the same port.
    EdgeConfig config = EdgeConfig.embeddedDefaults(data, EdgeTestKit.freePort()).toBuilder().host("127.0.0.1").build();
    SyncService first = edge(config);
    String key = devKey(data);
    Replica phone = closeLater(clientReplica(dir.resolve("phone.mv.db")));
    SyncClient client = closeLater(client(phone, config.port(), NS, key).build().start());
    await(client.awaitSynced());

    Map<Dot, CompletableFuture<Void>> confirmations = new LinkedHashMap<>();
    Map<Dot, String> ids = new LinkedHashMap<>();
    int total = 240;
    int i = 0;
    for (; i < 60; i++) {
      write(phone, client, i, confirmations, ids);
    }
    await().atMost(EdgeTestKit.TIMEOUT).until(() -> confirmations.values().stream().anyMatch(CompletableFuture::isDone));
    // Keep writing while the node goes down (pushes are in flight when it closes), and while it is down.
    Future<Void> closing = null;
    for (; i < 200; i++) {
      write(phone, client, i, confirmations, ids);
      if (i == 90) {
        closing = first.node().close();
      }
    }
    await(closing);
    for (; i < total; i++) {
      write(phone, client, i, confirmations, ids);
    }
    assertThat(client.pending()).as("writes unacked while the edge is down").isPositive();

    List<Dot> confirmed = confirmations.entrySet().stream()
        .filter(e -> e.getValue().isDone() && !e.getValue().isCompletedExceptionally()).map(Map.Entry::getKey).toList();
    assertThat(confirmed).isNotEmpty();
    // Every acked write is in the edge's file, before any client could push it again.
    try (Replica stored = Replica.open(data.resolve(EdgeNode.REPLICA_FILE),
        ReplicaOptions.builder().role(Role.EDGE).build())) {
      Namespace ns = stored.namespace(NS);
      for (Dot dot : confirmed) {
        assertThat(ns.committedVector().covers(dot)).as("acked write %s", dot).isTrue();
        assertThat(ns.collection("docs").get(ids.get(dot))).as("acked document %s", ids.get(dot)).isPresent();
      }
    }

    SyncService second = edge(config);
    await(client.awaitSynced());
    assertThat(client.pending()).isZero();
    for (CompletableFuture<Void> c : confirmations.values()) {
      await(c);
    }
    Map<String, Document> onEdge = visible(second.node().replica(), NS, "docs");
    assertThat(onEdge).hasSize(total);
    assertThat(onEdge).isEqualTo(visible(phone, NS, "docs"));
  }

  private static void write(Replica phone, SyncClient client, int i, Map<Dot, CompletableFuture<Void>> confirmations,
      Map<Dot, String> ids) {
    String id = String.format("doc-%04d", i);
    WriteReceipt r = phone.namespace(NS).collection("docs").update(id, d -> d.set("n", i).set("text", "value " + i));
    confirmations.put(r.dot(), client.confirmation(r));
    ids.put(r.dot(), id);
  }
}
