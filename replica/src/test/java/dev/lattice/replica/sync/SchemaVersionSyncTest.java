package dev.lattice.replica.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.type.Field;
import dev.lattice.crdt.type.FieldKey;
import dev.lattice.crdt.value.Value;
import dev.lattice.replica.Replica;
import dev.lattice.replica.RetentionPolicy;
import dev.lattice.replica.Role;
import dev.lattice.replica.log.Delta;
import dev.lattice.replica.sync.SyncNet.Client;
import dev.lattice.replica.sync.SyncNet.Edge;
import dev.lattice.schema.Claims;
import dev.lattice.schema.Schema;
import dev.lattice.schema.load.SchemaLoader;
import dev.lattice.schema.load.SchemaLoader.Source;
import dev.lattice.schema.project.Projector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * Clients on schema versions 1 and 2 of one namespace through one edge. Version 2 renames
 * {@code text} to {@code body}, adds {@code priority} and a {@code labels} collection; {@code secret}
 * is in the replication manifest; {@code cards} are readable by their owner or when shared, and
 * {@code private/<user>/} ids only by that user. Every message the net carried to each client is
 * inspected: no field its version does not know, no manifest field, no document it may not read,
 * through catch-up, live deltas or repair.
 */
class SchemaVersionSyncTest {
  static final String NS = "board";
  static final String V1 = """
      namespace: board
      version: 1
      collections:
        cards:
          fields:
            title: { type: lww, value: { type: string, maxLength: 100 } }
            text: { type: lww, value: { type: string, maxLength: 1000 } }
            owner: { type: lww, value: { type: string } }
            shared: flag
            votes: counter
            secret: { type: lww, value: { type: string } }
          access:
            owner: owner
            public: shared
            read: [owner, public]
            write: [owner]
            privatePrefix: "private/{userId}/"
      replication:
        exclude:
          cards: [secret]
      """;
  static final String V2 = """
      namespace: board
      version: 2
      collections:
        cards:
          fields:
            title: { type: lww, value: { type: string, maxLength: 100 } }
            body: { type: lww, value: { type: string, maxLength: 1000 } }
            owner: { type: lww, value: { type: string } }
            shared: flag
            votes: counter
            secret: { type: lww, value: { type: string } }
            priority: { type: lww, value: { type: integer, min: 0, max: 9 }, default: 0 }
          access:
            owner: owner
            public: shared
            read: [owner, public]
            write: [owner]
            privatePrefix: "private/{userId}/"
        labels:
          fields:
            name: { type: lww, value: { type: string } }
          access:
            read: [authenticated]
            write: [authenticated]
      replication:
        exclude:
          cards: [secret]
      migrate:
        cards:
          - rename: { from: text, to: body }
          - add: priority
      """;

  static Schema schema(String... files) throws Exception {
    List<Source> sources = new ArrayList<>();
    for (int i = 0; i < files.length; i++) {
      sources.add(Source.of("board.v" + (i + 1) + ".yaml", files[i]));
    }
    return new SchemaLoader().load(sources);
  }

  static final Set<String> V1_FIELDS = Set.of("title", "text", "owner", "shared", "votes");
  static final Set<String> V2_FIELDS = Set.of("title", "body", "owner", "shared", "votes", "priority", "name");

  @Test
  void clientsOnTwoSchemaVersionsSeeTheirShapeConvergeAndNeverReceiveWhatTheyMayNotRead() throws Exception {
    Schema v1 = schema(V1);
    Schema both = schema(V1, V2);
    Projector projector = new Projector(both);
    try (SyncNet net = new SyncNet(31)) {
      Edge edge = net.edge("edge", Replica.inMemory(net.options(Role.EDGE).schema(both).build())).serve(both)
          .credential("k-alice", Claims.user("alice")).credential("k-bob", Claims.user("bob"));
      // Stored before anyone connects (caught up later): a shared card with a secret, carol's own
      // card, and bob's private note.
      edge.ns(NS).collection("cards").update("pub1", w -> w.set("owner", "carol").enable("shared")
          .set("title", "hello all").set("body", "shared body").set("priority", 3L).set("secret", "s-pub1"));
      edge.ns(NS).collection("cards").update("carol1", w -> w.set("owner", "carol").set("title", "carol only"));
      edge.ns(NS).collection("cards").update("private/bob/diary", w -> w.set("owner", "bob").set("title", "dear diary"));

      Client alice = net.client("alice", NS, Replica.inMemory(net.options(Role.CLIENT).schema(v1).build()));
      Client bob = net.client("bob", NS, Replica.inMemory(net.options(Role.CLIENT).schema(both).build()));
      alice.connect(edge, "k-alice", 1);
      bob.connect(edge, "k-bob", 2);
      net.runUntil("both live", () -> alice.live() && bob.live());
      assertThat(alice.collection("cards").get("pub1").orElseThrow().fields().lww("text").value())
          .as("catch-up in v1 shape: body arrives as text").contains(Value.of("shared body"));

      // Live: each writes in its own version's shape.
      alice.write("cards", "a1", w -> w.set("owner", "alice").enable("shared").set("title", "from v1")
          .set("text", "alice's text").increment("votes", 1));
      alice.write("cards", "a-private", w -> w.set("owner", "alice").set("title", "alice only"));
      alice.write("cards", "private/alice/notes", w -> w.set("owner", "alice").set("title", "alice's private"));
      bob.write("cards", "b1", w -> w.set("owner", "bob").set("title", "bob only").set("priority", 9L));
      bob.write("cards", "b2", w -> w.set("owner", "bob").enable("shared").set("title", "from v2")
          .set("body", "bob's body").set("priority", 5L).increment("votes", 2));
      bob.write("cards", "private/bob/todo", w -> w.set("owner", "bob").set("title", "bob's private"));
      bob.write("labels", "l1", w -> w.set("name", "urgent"));
      net.runUntil("both synced", () -> alice.synced() && bob.synced());
      net.settle();
      assertThat(alice.collection("cards").get("b2").orElseThrow().fields().lww("text").value())
          .as("live in v1 shape").contains(Value.of("bob's body"));
      assertThat(bob.collection("cards").get("a1").orElseThrow().fields().lww("body").value())
          .as("v1 write lifted to v2").contains(Value.of("alice's text"));
      assertThat(edge.ns(NS).collection("cards").get("a1").orElseThrow().fields().lww("body").value())
          .as("stored in v2 at the edge").contains(Value.of("alice's text"));

      // Repair: alice leaves; bob writes; the edge adds a secret and trims its log; alice comes back.
      alice.disconnect();
      bob.write("cards", "b3", w -> w.set("owner", "bob").set("title", "bob only again").set("body", "x"));
      bob.write("cards", "b4", w -> w.set("owner", "bob").enable("shared").set("title", "shared later")
          .set("body", "for all").set("priority", 1L));
      bob.write("cards", "b2", w -> w.set("title", "from v2, edited"));
      bob.write("cards", "private/bob/todo2", w -> w.set("owner", "bob").set("title", "more private"));
      bob.write("labels", "l2", w -> w.set("name", "later"));
      alice.write("cards", "a1", w -> w.increment("votes", 4));
      net.runUntil("bob synced", bob::synced);
      edge.ns(NS).collection("cards").update("a1", w -> w.set("secret", "about alice"));
      edge.ns(NS).collection("cards").update("b2", w -> w.set("secret", "about bob"));
      edge.replica.flush();
      assertThat(edge.ns(NS).compactLog(new RetentionPolicy(0, Duration.ofDays(365)))).isPositive();
      alice.connect(edge, "k-alice", 1);
      net.runUntil("alice synced after a repair", alice::synced);
      bob.disconnect();
      bob.connect(edge, "k-bob", 2); // bob is repaired too (the edge's own writes were trimmed)
      net.runUntil("bob synced after a repair", bob::synced);
      net.settle();
      assertThat(alice.connection.a.received).as("alice was repaired").anyMatch(m -> m instanceof SyncMessage.Repair);
      assertThat(edge.events.viewRepairs).as("repairs over a client's view").isGreaterThanOrEqualTo(2);

      // Each client holds exactly the edge's documents as projected for its version and claims.
      assertThat(alice.visible("cards")).isEqualTo(projected(edge, projector, "cards", 1, Claims.user("alice")));
      assertThat(bob.visible("cards")).isEqualTo(projected(edge, projector, "cards", 2, Claims.user("bob")));
      assertThat(bob.visible("labels")).isEqualTo(projected(edge, projector, "labels", 2, Claims.user("bob")));
      assertThat(alice.visible("labels")).as("v1 has no labels collection").isEmpty();
      assertThat(alice.visible("cards").keySet())
          .containsExactlyInAnyOrder("pub1", "a1", "a-private", "private/alice/notes", "b2", "b4");
      assertThat(bob.visible("cards").keySet()).containsExactlyInAnyOrder("pub1", "a1", "b1", "b2", "b3", "b4",
          "private/bob/diary", "private/bob/todo", "private/bob/todo2");
      assertThat(edge.visible(NS, "cards").get("a1").fields().counter("votes").value()).isEqualTo(5);
      assertThat(alice.visible("cards").get("b2").fields().lww("title").value()).contains(Value.of("from v2, edited"));

      // What crossed the wire.
      Set<String> notForAlice = Set.of("carol1", "b1", "b3", "private/bob/diary", "private/bob/todo", "private/bob/todo2");
      Set<String> notForBob = Set.of("carol1", "a-private", "private/alice/notes");
      assertThat(inspect(alice.allReceived(), "cards", V1_FIELDS, notForAlice, Set.of("labels")))
          .as("alice was sent the states of the documents she missed").isPositive();
      inspect(bob.allReceived(), "cards", V2_FIELDS, notForBob, Set.of());
      assertThat(alice.errors).isEmpty();
      assertThat(bob.errors).isEmpty();
      assertThat(alice.ns().outbox().rejections()).isEmpty();
      assertThat(bob.ns().outbox().rejections()).isEmpty();
    }
  }

  /** Regression: deletions under another user's private prefix used to reach every reader (fixed in b339dfa). */
  @Test
  void theDeletionOfAnotherUsersPrivatePrefixDocumentIsNeverSentToThem() throws Exception {
    assertDeletionNotSent("private/bob/lawyer", 32);
  }

  @Test
  @Disabled("known limit, documented in docs/PROTOCOL.md section 15: once a document is gone the edge cannot tell "
      + "who could read it, so its deletion (id and dots, no values) reaches every reader of the collection unless "
      + "the id is under another user's private prefix; this test is the behaviour we want once deletions keep "
      + "their last access decision")
  void theDeletionOfAnotherUsersOwnerOnlyDocumentIsNeverSentToThem() throws Exception {
    assertDeletionNotSent("bob-unshared", 34);
  }

  /** Bob writes {@code id} (his alone) and deletes it; neither live alice nor later carol hears of it. */
  static void assertDeletionNotSent(String id, long seed) throws Exception {
    Schema both = schema(V1, V2);
    try (SyncNet net = new SyncNet(seed)) {
      Edge edge = net.edge("edge", Replica.inMemory(net.options(Role.EDGE).schema(both).build())).serve(both)
          .credential("k-alice", Claims.user("alice")).credential("k-bob", Claims.user("bob"));
      Client alice = net.client("alice", NS, Replica.inMemory(net.options(Role.CLIENT).schema(both).build()));
      Client bob = net.client("bob", NS, Replica.inMemory(net.options(Role.CLIENT).schema(both).build()));
      alice.connect(edge, "k-alice", 2);
      bob.connect(edge, "k-bob", 2);
      net.runUntil("both live", () -> alice.live() && bob.live());
      bob.write("cards", id, w -> w.set("owner", "bob").set("title", "call the lawyer"));
      net.runUntil("bob synced", bob::synced);
      // Live: bob deletes it while alice is connected.
      bob.delete("cards", id);
      net.runUntil("bob synced", bob::synced);
      net.settle();
      // Catch-up: carol connects afterwards and is caught up from the log.
      edge.credential("k-carol", Claims.user("carol"));
      Client carol = net.client("carol", NS, Replica.inMemory(net.options(Role.CLIENT).schema(both).build()));
      carol.connect(edge, "k-carol", 2);
      net.runUntil("carol live", carol::live);
      net.settle();
      for (Client c : List.of(alice, carol)) {
        for (SyncMessage m : c.allReceived()) {
          if (m instanceof SyncMessage.Deltas ds) {
            assertThat(ds.deltas()).extracting(Delta::documentId)
                .as("%s was sent the id of bob's document it could never read", c.name).doesNotContain(id);
          }
        }
      }
      assertThat(bob.connection.a.received).as("bob's own session is not sent his deletion back")
          .noneMatch(m -> m instanceof SyncMessage.Deltas ds && ds.deltas().stream().anyMatch(d -> d.documentId().equals(id)));
    }
  }

  @Test
  @Disabled("known limit, documented in docs/PROTOCOL.md section 15: revoked read access is not pushed; the "
      + "client keeps the copy it could read. This test is the behaviour we want once revocation is sent")
  void aDocumentThatIsNoLongerSharedDisappearsFromOtherUsersReplicas() throws Exception {
    Schema both = schema(V1, V2);
    try (SyncNet net = new SyncNet(33)) {
      Edge edge = net.edge("edge", Replica.inMemory(net.options(Role.EDGE).schema(both).build())).serve(both)
          .credential("k-alice", Claims.user("alice")).credential("k-bob", Claims.user("bob"));
      Client alice = net.client("alice", NS, Replica.inMemory(net.options(Role.CLIENT).schema(both).build()));
      Client bob = net.client("bob", NS, Replica.inMemory(net.options(Role.CLIENT).schema(both).build()));
      alice.connect(edge, "k-alice", 2);
      bob.connect(edge, "k-bob", 2);
      net.runUntil("both live", () -> alice.live() && bob.live());
      bob.write("cards", "plan", w -> w.set("owner", "bob").enable("shared").set("title", "draft"));
      net.runUntil("alice sees the shared card", () -> alice.collection("cards").get("plan").isPresent());
      bob.write("cards", "plan", w -> w.disable("shared").set("title", "the real plan"));
      net.runUntil("bob synced", bob::synced);
      net.settle();
      assertThat(alice.collection("cards").get("plan").map(d -> d.fields().lww("title").value()))
          .as("alice never gets what was written after the card was unshared").isNotEqualTo(
              Optional.of(Optional.of(Value.of("the real plan"))));
      assertThat(alice.collection("cards").get("plan")).as("and the card she may no longer read is gone").isEmpty();
    }
  }

  @Test
  void writesThatDependOnAnEarlierWriteOfTheSamePushAreAccepted() throws Exception {
    Schema both = schema(V1, V2);
    try (SyncNet net = new SyncNet(35)) {
      Edge edge = net.edge("edge", Replica.inMemory(net.options(Role.EDGE).schema(both).build())).serve(both)
          .credential("k-alice", Claims.user("alice"));
      Client alice = net.client("alice", NS, Replica.inMemory(net.options(Role.CLIENT).schema(both).build()));
      // Offline: create a card and edit it; create another and delete it. One push carries all four.
      alice.write("cards", "kept", w -> w.set("owner", "alice").set("title", "first"));
      alice.write("cards", "kept", w -> w.set("title", "second"));
      alice.write("cards", "dropped", w -> w.set("owner", "alice").set("title", "scratch"));
      alice.delete("cards", "dropped");
      alice.connect(edge, "k-alice", 2);
      net.runUntil("alice synced", alice::synced);
      assertThat(alice.connection.a.sent).filteredOn(m -> m instanceof SyncMessage.Push).hasSize(1);
      assertThat(alice.ns().outbox().rejections()).as("nothing alice may do was refused").isEmpty();
      assertThat(edge.ns(NS).collection("cards").get("kept").orElseThrow().fields().lww("title").value())
          .contains(Value.of("second"));
      assertThat(edge.ns(NS).collection("cards").get("dropped")).isEmpty();
    }
  }

  @Test
  void aDocumentSharedLaterArrivesWholeAtItsNewReaders() throws Exception {
    Schema both = schema(V1, V2);
    try (SyncNet net = new SyncNet(36)) {
      Edge edge = net.edge("edge", Replica.inMemory(net.options(Role.EDGE).schema(both).build())).serve(both)
          .credential("k-alice", Claims.user("alice")).credential("k-bob", Claims.user("bob"));
      Client alice = net.client("alice", NS, Replica.inMemory(net.options(Role.CLIENT).schema(both).build()));
      Client bob = net.client("bob", NS, Replica.inMemory(net.options(Role.CLIENT).schema(both).build()));
      bob.connect(edge, "k-bob", 2);
      net.runUntil("bob live", bob::live);
      bob.write("cards", "plan", w -> w.set("owner", "bob").set("title", "the plan").set("body", "details"));
      net.runUntil("bob synced", bob::synced);
      // alice's catch-up withholds bob's card, and ends with a vector that covers it.
      alice.connect(edge, "k-alice", 2);
      net.runUntil("alice live", alice::live);
      bob.write("cards", "plan", w -> w.enable("shared"));
      net.runUntil("alice sees the card", () -> alice.collection("cards").get("plan").isPresent());
      net.settle();
      Projector projector = new Projector(both);
      Map<String, Document> want = projected(edge, projector, "cards", 2, Claims.user("alice"));
      assertThat(want.get("plan").fields().lww("title").value()).contains(Value.of("the plan"));
      assertThat(alice.visible("cards")).as("live").isEqualTo(want);
      alice.connect(edge, "k-alice", 2);
      net.runUntil("alice synced", alice::synced);
      assertThat(alice.visible("cards")).as("after a reconnect").isEqualTo(want);
    }
  }

  /**
   * A card is written unshared; alice's catch-up withholds it (and hands her a vector covering it);
   * it is shared while alice is away; alice comes back, by catch-up from the log or, below the
   * compaction floor, by repair. She must hold it whole. (Pinned from SchemaConvergencePropertyTest
   * seed 13.)
   */
  @Test
  void aDocumentSharedWhileAClientWasAwayArrivesWholeByCatchUp() throws Exception {
    sharedWhileAway(false);
  }

  @Test
  @Disabled("bug: states a client joins from a view repair are joined with the client's vector as its context; that "
      + "vector covers the dots caught-up withheld, so their fields read as removed by the client and are dropped "
      + "(the 'reveal' states sent live are joined as unobserved, these are not); the client keeps a partial card")
  void aDocumentSharedWhileAClientWasAwayArrivesWholeByRepair() throws Exception {
    sharedWhileAway(true);
  }

  static void sharedWhileAway(boolean trimmed) throws Exception {
    Schema both = schema(V1, V2);
    try (SyncNet net = new SyncNet(37)) {
      Edge edge = net.edge("edge", Replica.inMemory(net.options(Role.EDGE).schema(both).build())).serve(both)
          .credential("k-alice", Claims.user("alice")).credential("k-bob", Claims.user("bob"));
      Client alice = net.client("alice", NS, Replica.inMemory(net.options(Role.CLIENT).schema(both).build()));
      Client bob = net.client("bob", NS, Replica.inMemory(net.options(Role.CLIENT).schema(both).build()));
      bob.connect(edge, "k-bob", 2);
      net.runUntil("bob live", bob::live);
      bob.write("cards", "plan", w -> w.set("owner", "bob").set("title", "the plan").set("body", "details"));
      net.runUntil("bob synced", bob::synced);
      alice.connect(edge, "k-alice", 2);
      net.runUntil("alice live", alice::live);
      alice.disconnect();
      bob.write("cards", "plan", w -> w.enable("shared"));
      net.runUntil("bob synced", bob::synced);
      if (trimmed) {
        edge.replica.flush();
        assertThat(edge.ns(NS).compactLog(new RetentionPolicy(0, Duration.ofDays(365)))).isPositive();
      }
      alice.connect(edge, "k-alice", 2);
      net.runUntil("alice synced", alice::synced);
      net.settle();
      Map<String, Document> want = projected(edge, new Projector(both), "cards", 2, Claims.user("alice"));
      assertThat(want.get("plan").fields().lww("title").value()).contains(Value.of("the plan"));
      assertThat(alice.visible("cards")).isEqualTo(want);
    }
  }

  /**
   * alice deletes her card; the ack is lost; she pushes the delete again on reconnecting. The
   * edge already applied it: it must ack it, not judge it again against the card it deleted.
   * (Pinned from SchemaConvergencePropertyTest seed 120.)
   */
  @Test
  void aRetriedDeleteWhoseAckWasLostIsAckedNotRejected() throws Exception {
    Schema both = schema(V1, V2);
    try (SyncNet net = new SyncNet(38)) {
      Edge edge = net.edge("edge", Replica.inMemory(net.options(Role.EDGE).schema(both).build())).serve(both)
          .credential("k-alice", Claims.user("alice"));
      Client alice = net.client("alice", NS, Replica.inMemory(net.options(Role.CLIENT).schema(both).build()));
      SyncNet.Connection first = alice.connect(edge, "k-alice", 2);
      net.runUntil("alice live", alice::live);
      alice.write("cards", "mine", w -> w.set("owner", "alice").set("title", "to be deleted"));
      net.runUntil("alice synced", alice::synced);
      first.fate = m -> m instanceof SyncMessage.Ack ? SyncNet.Fate.DROP : SyncNet.Fate.DELIVER;
      alice.delete("cards", "mine");
      net.settle();
      assertThat(edge.ns(NS).collection("cards").get("mine")).as("the edge applied the delete").isEmpty();
      assertThat(alice.ns().outbox().size()).as("but its ack was lost").isEqualTo(1);
      alice.connect(edge, "k-alice", 2);
      net.runUntil("alice synced", alice::synced);
      assertThat(alice.ns().outbox().rejections()).isEmpty();
    }
  }

  /** The edge's documents of {@code collection} as a client of {@code version} with {@code claims} may see them. */
  static Map<String, Document> projected(Edge edge, Projector projector, String collection, int version, Claims claims) {
    Map<String, Document> out = new TreeMap<>();
    edge.visible(NS, collection).forEach((id, doc) -> {
      Optional<Document> seen = projector.project(collection, id, doc, version, claims);
      if (seen.isPresent() && seen.get().exists()) {
        out.put(id, seen.get().visible());
      }
    });
    return out;
  }

  /** Every delta and state a client received names only readable documents and fields of its version. */
  static int inspect(List<SyncMessage> received, String collection, Set<String> knownFields, Set<String> forbiddenIds,
      Set<String> unknownCollections) {
    int deltas = 0;
    int states = 0;
    int statesMessages = 0;
    for (SyncMessage m : received) {
      List<Object[]> docs = new ArrayList<>(); // {collection, id, document}
      if (m instanceof SyncMessage.Deltas ds) {
        for (Delta d : ds.deltas()) {
          docs.add(new Object[] {d.collection(), d.documentId(), d.change()});
          deltas++;
        }
      } else if (m instanceof SyncMessage.States ss) {
        statesMessages++;
        for (SyncMessage.State s : ss.states()) {
          docs.add(new Object[] {s.collection(), s.documentId(), s.document()});
          states++;
        }
      }
      for (Object[] d : docs) {
        String c = (String) d[0];
        String id = (String) d[1];
        assertThat(unknownCollections).as("collection of %s/%s in %s", c, id, m).doesNotContain(c);
        if (c.equals(collection)) {
          assertThat(forbiddenIds).as("a document the client may not read was sent: %s in %s", id, m).doesNotContain(id);
        }
        assertThat(fieldNames((Document) d[2])).as("fields of %s/%s in %s", c, id, m).isSubsetOf(knownFields);
      }
    }
    assertThat(deltas).as("some deltas were inspected").isPositive();
    assertThat(statesMessages).as("a repair's states message was inspected").isPositive();
    return states;
  }

  static Set<String> fieldNames(Document d) {
    Set<String> names = new TreeSet<>();
    for (Map.Entry<FieldKey, Field> e : d.fields().entries()) {
      names.add(e.getKey().name());
    }
    return names;
  }
}
