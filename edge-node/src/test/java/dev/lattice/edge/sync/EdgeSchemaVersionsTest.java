package dev.lattice.edge.sync;

import static dev.lattice.edge.sync.EdgeTestKit.await;
import static dev.lattice.edge.sync.EdgeTestKit.client;
import static dev.lattice.edge.sync.EdgeTestKit.clientReplica;
import static dev.lattice.edge.sync.EdgeTestKit.visible;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.type.FieldKey;
import dev.lattice.crdt.value.Value;
import dev.lattice.edge.EdgeNamespace;
import dev.lattice.edge.config.EdgeConfig;
import dev.lattice.edge.config.NamespaceConfig;
import dev.lattice.replica.Collection;
import dev.lattice.replica.Replica;
import dev.lattice.replica.ReplicaOptions;
import dev.lattice.replica.RetentionPolicy;
import dev.lattice.replica.Role;
import dev.lattice.replica.client.SyncClient;
import dev.lattice.replica.log.Delta;
import dev.lattice.replica.sync.SyncMessage;
import dev.lattice.schema.Claims;
import dev.lattice.schema.project.Projector;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients on schema versions 1 and 2 of one namespace through one real edge, with user tokens:
 * each sees data shaped for its version and its claims, in catch-up, live broadcast and Merkle
 * repair alike. What "sees" means is checked twice: the documents the client replicas end up
 * with, and every frame a hand-written client decoded off the wire.
 */
class EdgeSchemaVersionsTest {
  private static final String NS = "board";
  private static final String API_KEY = "board-api-key-0123456789";

  /** Version 1: notes with a title; {@code score} is server-only (the replication manifest). */
  private static final String V1 = """
      namespace: board
      version: 1
      collections:
        notes:
          fields:
            title: { type: lww, value: { type: string, maxLength: 100 } }
            owner: { type: lww, value: { type: string } }
            published: flag
            likes: counter
            score: { type: lww, value: { type: number } }
          access:
            owner: owner
            public: published
            read: [owner, public]
            write: [owner]
            privatePrefix: "private/{userId}/"
      replication:
        exclude:
          notes: [score]
      """;

  /** Version 2: {@code title} renamed {@code headline}, and a new {@code body}. */
  private static final String V2 = """
      namespace: board
      version: 2
      collections:
        notes:
          fields:
            headline: { type: lww, value: { type: string, maxLength: 100 } }
            body: { type: lww, value: { type: string, maxLength: 1000 } }
            owner: { type: lww, value: { type: string } }
            published: flag
            likes: counter
            score: { type: lww, value: { type: number } }
          access:
            owner: owner
            public: published
            read: [owner, public]
            write: [owner]
            privatePrefix: "private/{userId}/"
      replication:
        exclude:
          notes: [score]
      migrate:
        notes:
          - rename: { from: title, to: headline }
          - add: body
      """;

  private static final Set<String> V1_FIELDS = Set.of("title", "owner", "published", "likes");

  /** Documents only their owner (carol or bob) may read: drafts and private ids. */
  private static final Set<String> NOT_FOR_ALICE = Set.of("c2", "c3", "private/carol/p1", "private/bob/p1");

  @TempDir
  Path dir;

  private Vertx vertx;
  private SyncService edge;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    Path schemaDir = Files.createDirectories(dir.resolve("schema"));
    Files.writeString(schemaDir.resolve("board.v1.yaml"), V1);
    Files.writeString(schemaDir.resolve("board.v2.yaml"), V2);
    vertx = Vertx.vertx();
    EdgeConfig config = EdgeConfig.builder().host("127.0.0.1").port(0).dataDir(dir.resolve("edge"))
        .namespace(new NamespaceConfig(NS, Optional.of(schemaDir), List.of(API_KEY))).build();
    edge = EdgeTestKit.startEdge(vertx, config);
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

  private String token(String user) {
    return edge.node().tokenSigner().issue(NS, user, List.of(), Duration.ofHours(1));
  }

  @Test
  void clientsOnVersionsOneAndTwoSeeTheirOwnShapeAndNeverAnotherUsersPrivateData() throws Exception {
    int port = edge.node().port();
    Replica edgeReplica = edge.node().replica();
    EdgeNamespace board = edge.node().namespace(NS).orElseThrow();
    Projector projector = board.projector().orElseThrow();

    // Stored at the edge before anyone connects (current-version names), so clients get it by catch-up.
    Collection stored = edgeReplica.namespace(NS).collection("notes");
    stored.update("a1", d -> d.set("headline", "alice draft").set("body", "alice body").set("owner", "alice")
        .set("score", 7.0));
    stored.update("c1", d -> d.set("headline", "carol public").set("body", "carol body").set("owner", "carol")
        .enable("published").increment("likes", 3).set("score", 9.0));
    stored.update("c2", d -> d.set("headline", "carol draft").set("owner", "carol").set("score", 1.0));
    stored.update("private/carol/p1", d -> d.set("headline", "carol private").set("owner", "carol").enable("published"));
    stored.update("private/alice/p1", d -> d.set("headline", "alice private").set("owner", "alice"));

    Replica alice = closeLater(clientReplica(dir.resolve("alice.mv.db")));
    Replica bob = closeLater(clientReplica(dir.resolve("bob.mv.db")));
    Replica carol = closeLater(clientReplica(dir.resolve("carol.mv.db")));
    SyncClient aliceV1 = closeLater(client(alice, port, NS, token("alice")).schemaVersion(1).build().start());
    SyncClient bobV2 = closeLater(client(bob, port, NS, token("bob")).schemaVersion(2).json(true).build().start());
    SyncClient carolV2 = closeLater(client(carol, port, NS, token("carol")).schemaVersion(2).build().start());
    // A hand-written version-1 client of alice's: every frame it receives is kept and checked.
    Replica wireAlice = closeLater(Replica.inMemory(ReplicaOptions.builder().role(Role.CLIENT).build()));
    WireClient liveWire = closeLater(WireClient.connect(vertx, port, false));
    liveWire.runSession(wireAlice, NS, token("alice"), 1);
    await(aliceV1.awaitSynced());
    await(bobV2.awaitSynced());
    await(carolV2.awaitSynced());
    await().atMost(EdgeTestKit.TIMEOUT).until(liveWire::sessionCaughtUp);

    // Live writes in each version's own names.
    List<java.util.concurrent.CompletableFuture<Void>> acks = new ArrayList<>();
    acks.add(aliceV1.confirmation(alice.namespace(NS).collection("notes").update("a2", d -> d.set("title", "from v1")
        .set("owner", "alice").enable("published").increment("likes", 1))));
    acks.add(bobV2.confirmation(bob.namespace(NS).collection("notes").update("b1", d -> d.set("headline", "from v2")
        .set("body", "v2 body").set("owner", "bob").enable("published"))));
    acks.add(bobV2.confirmation(bob.namespace(NS).collection("notes").update("private/bob/p1", d -> d
        .set("headline", "bob private").set("owner", "bob"))));
    acks.add(carolV2.confirmation(carol.namespace(NS).collection("notes").update("c3", d -> d
        .set("headline", "carol live draft").set("owner", "carol"))));
    acks.add(carolV2.confirmation(carol.namespace(NS).collection("notes").update("c4", d -> d
        .set("headline", "carol live public").set("body", "carol live body").set("owner", "carol")
        .enable("published"))));
    for (var ack : acks) {
      await(ack);
    }

    // The writes of both versions converge at the edge, stored in version 2's names.
    Map<String, Document> atEdge = visible(edgeReplica, NS, "notes");
    assertThat(atEdge.get("a2").fields().lww("headline").value()).contains(Value.of("from v1"));
    assertThat(atEdge.get("a2").fields().lww("title").value()).isEmpty();
    assertThat(atEdge.get("b1").fields().lww("body").value()).contains(Value.of("v2 body"));

    // Each client holds exactly its projection of what the edge stores.
    Claims aliceClaims = Claims.user("alice", Set.of());
    await().atMost(EdgeTestKit.TIMEOUT).untilAsserted(() -> {
      assertThat(visible(alice, NS, "notes")).isEqualTo(expectedView(projector, edgeReplica, 1, aliceClaims));
      assertThat(visible(wireAlice, NS, "notes")).isEqualTo(expectedView(projector, edgeReplica, 1, aliceClaims));
      assertThat(visible(bob, NS, "notes")).isEqualTo(expectedView(projector, edgeReplica, 2, Claims.user("bob", Set.of())));
      assertThat(visible(carol, NS, "notes"))
          .isEqualTo(expectedView(projector, edgeReplica, 2, Claims.user("carol", Set.of())));
    });
    assertThat(visible(alice, NS, "notes")).containsOnlyKeys("a1", "a2", "b1", "c1", "c4", "private/alice/p1");
    assertThat(visible(bob, NS, "notes")).containsOnlyKeys("a2", "b1", "c1", "c4", "private/bob/p1");
    assertThat(visible(carol, NS, "notes")).containsOnlyKeys("a2", "b1", "c1", "c2", "c3", "c4", "private/carol/p1");
    // Shapes: v1 reads bob's v2 write under its old name, without the field it does not know.
    Document b1ForAlice = visible(alice, NS, "notes").get("b1");
    assertThat(b1ForAlice.fields().lww("title").value()).contains(Value.of("from v2"));
    assertThat(fieldNames(b1ForAlice)).isSubsetOf(V1_FIELDS);
    assertThat(visible(bob, NS, "notes").get("a2").fields().lww("headline").value()).contains(Value.of("from v1"));
    assertThat(visible(bob, NS, "notes").get("c1").fields().lww("body").value()).contains(Value.of("carol body"));
    for (Replica r : List.of(alice, bob, carol, wireAlice)) {
      for (Document d : visible(r, NS, "notes").values()) {
        assertThat(fieldNames(d)).as("manifest-excluded field on a client").doesNotContain("score");
      }
    }
    for (Document d : visible(alice, NS, "notes").values()) {
      assertThat(fieldNames(d)).isSubsetOf(V1_FIELDS);
    }

    // Repair: with the edge's delta log compacted away, a new client's catch-up needs a Merkle repair.
    assertThat(board.namespace().compactLog(new RetentionPolicy(0, Duration.ofDays(1)))).isPositive();
    Replica wireAlice2 = closeLater(Replica.inMemory(ReplicaOptions.builder().role(Role.CLIENT).build()));
    WireClient repairWire = closeLater(WireClient.connect(vertx, port, true));
    repairWire.runSession(wireAlice2, NS, token("alice"), 1);
    await().atMost(EdgeTestKit.TIMEOUT).until(repairWire::sessionCaughtUp);
    assertThat(repairWire.received()).as("the catch-up went through a repair")
        .anyMatch(m -> m instanceof SyncMessage.States s && !s.states().isEmpty());
    assertThat(visible(wireAlice2, NS, "notes")).isEqualTo(expectedView(projector, edgeReplica, 1, aliceClaims));

    // Frame by frame: catch-up and live (first socket), repair (second socket).
    Set<String> liveIds = idsIn(liveWire.received().subList(indexOfCaughtUp(liveWire.received()) + 1,
        liveWire.received().size()));
    assertThat(liveIds).as("documents alice received live").contains("a2", "b1", "c4");
    Set<String> caughtUpIds = idsIn(liveWire.received().subList(0, indexOfCaughtUp(liveWire.received())));
    assertThat(caughtUpIds).as("documents alice received in catch-up").contains("a1", "c1", "private/alice/p1");
    assertThat(idsIn(repairWire.received())).as("documents alice received by repair")
        .containsExactlyInAnyOrder("a1", "a2", "b1", "c1", "c4", "private/alice/p1");
    for (WireClient wire : List.of(liveWire, repairWire)) {
      assertThat(wire.problems()).isEmpty();
      for (SyncMessage m : wire.received()) {
        for (Map.Entry<String, Document> doc : documentsIn(m).entrySet()) {
          assertThat(doc.getKey()).as("document id in %s", m).isNotIn(NOT_FOR_ALICE);
          assertThat(fieldNames(doc.getValue())).as("fields of %s in %s", doc.getKey(), m).isSubsetOf(V1_FIELDS);
        }
      }
    }
  }

  /** What a client of {@code version} with {@code claims} should hold: the edge's projection of every document. */
  private static Map<String, Document> expectedView(Projector projector, Replica edge, int version, Claims claims) {
    Map<String, Document> out = new LinkedHashMap<>();
    for (Map.Entry<String, Document> e : edge.namespace(NS).collection("notes").scan("", 10_000)) {
      projector.project("notes", e.getKey(), e.getValue(), version, claims)
          .filter(Document::exists)
          .ifPresent(d -> out.put(e.getKey(), d.visible()));
    }
    return out;
  }

  private static Set<String> fieldNames(Document d) {
    Set<String> names = new TreeSet<>();
    for (FieldKey k : d.fields().keys()) {
      names.add(k.name());
    }
    return names;
  }

  /** The documents (deltas' changes and repaired states) a message carries, by id; later ones merged in. */
  private static Map<String, Document> documentsIn(SyncMessage m) {
    Map<String, Document> out = new LinkedHashMap<>();
    if (m instanceof SyncMessage.Deltas d) {
      for (Delta delta : d.deltas()) {
        assertThat(delta.collection()).isEqualTo("notes");
        out.merge(delta.documentId(), delta.change(), Document::merge);
      }
    } else if (m instanceof SyncMessage.States s) {
      for (SyncMessage.State st : s.states()) {
        assertThat(st.collection()).isEqualTo("notes");
        out.merge(st.documentId(), st.document(), Document::merge);
      }
    } else if (m instanceof SyncMessage.Push || m instanceof SyncMessage.Ack) {
      throw new AssertionError("a client never receives " + m);
    }
    return out;
  }

  private static Set<String> idsIn(List<SyncMessage> messages) {
    Set<String> ids = new TreeSet<>();
    for (SyncMessage m : messages) {
      for (Map.Entry<String, Document> e : documentsIn(m).entrySet()) {
        if (e.getValue().exists()) {
          ids.add(e.getKey());
        }
      }
    }
    return ids;
  }

  private static int indexOfCaughtUp(List<SyncMessage> messages) {
    for (int i = 0; i < messages.size(); i++) {
      if (messages.get(i) instanceof SyncMessage.CaughtUp) {
        return i;
      }
    }
    throw new AssertionError("no caught-up among " + messages);
  }
}
