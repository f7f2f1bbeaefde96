package dev.lattice.replica.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.clock.HlcTimestamp;
import dev.lattice.crdt.type.Document;
import dev.lattice.replica.Replica;
import dev.lattice.replica.Role;
import dev.lattice.replica.log.Delta;
import dev.lattice.replica.sync.SyncNet.Client;
import dev.lattice.replica.sync.SyncNet.Connection;
import dev.lattice.replica.sync.SyncNet.Edge;
import dev.lattice.schema.Claims;
import dev.lattice.schema.Schema;
import dev.lattice.schema.load.SchemaLoader;
import dev.lattice.schema.load.SchemaLoader.Source;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input at the session level: each refused hello gets its error code, is closed, and changes
 * nothing on the edge; refused pushes are answered per write and the queue moves on; the edge stays
 * healthy for the next client.
 */
class SessionBadInputTest {
  static final String NS = "team";
  static final String STRICT = "strict";
  static final String STRICT_V1 = """
      namespace: strict
      version: 1
      collections:
        items:
          fields:
            name: { type: lww, value: { type: string, maxLength: 10 } }
            n: counter
          access:
            read: [authenticated]
            write: [authenticated]
      """;
  static final String STRICT_V2 = """
      namespace: strict
      version: 2
      minimumClientVersion: 2
      collections:
        items:
          fields:
            name: { type: lww, value: { type: string, maxLength: 10 } }
            n: counter
            done: flag
          access:
            read: [authenticated]
            write: [authenticated]
      migrate:
        items:
          - add: done
      """;
  static final ReplicaId RAW = new ReplicaId(0x1234_5678_9abcL);
  static final long TEN_MINUTES = 600_000;

  static Schema strict() throws Exception {
    return new SchemaLoader().load(List.of(Source.of("strict.v1.yaml", STRICT_V1), Source.of("strict.v2.yaml", STRICT_V2)));
  }

  static Edge edge(SyncNet net) throws Exception {
    Schema strict = strict();
    Edge edge = net.edge("edge", Replica.inMemory(net.options(Role.EDGE).schema(strict).build()))
        .serve(NS).serve(strict)
        .credential("k-alice", Claims.user("alice")).credential("k-bob", Claims.user("bob"))
        .credential("api-key", Claims.ofServer());
    // Something stored, so "nothing changed" is a real check.
    edge.ns(NS).collection("tasks").update("t0", w -> w.set("title", "stored before"));
    edge.ns(STRICT).collection("items").update("i0", w -> w.set("name", "before"));
    edge.replica.flush();
    return edge;
  }

  /** A connection to {@code edge} whose client side the test drives by hand. */
  static Connection raw(SyncNet net, Edge edge) {
    Connection c = net.new Connection();
    edge.answer(c.b);
    c.a.handler = m -> { };
    return c;
  }

  static SyncMessage.Hello hello(SyncNet net, String ns, String credential, int schema, SyncMessage.Role role,
      int protocol) {
    VersionVector claimed = VersionVector.of(new Dot(RAW, 1), new Dot(RAW, 2), new Dot(new ReplicaId(99), 7));
    return new SyncMessage.Hello(protocol, ns, credential, schema, RAW, claimed,
        HlcTimestamp.pack(net.wall.get(), 0), role, false);
  }

  static Stream<Arguments> refusedHellos() {
    SyncMessage.Role client = SyncMessage.Role.CLIENT;
    return Stream.of(
        Arguments.of("wrong protocol version", ErrorCode.UNSUPPORTED_PROTOCOL,
            (Function<SyncNet, SyncMessage.Hello>) n -> hello(n, NS, "k-alice", 0, client, 2)),
        Arguments.of("unknown namespace", ErrorCode.UNKNOWN_NAMESPACE,
            (Function<SyncNet, SyncMessage.Hello>) n -> hello(n, "nope", "k-alice", 0, client, 1)),
        Arguments.of("bad credential", ErrorCode.BAD_TOKEN,
            (Function<SyncNet, SyncMessage.Hello>) n -> hello(n, NS, "forged", 0, client, 1)),
        Arguments.of("a user token asking for role peer", ErrorCode.FORBIDDEN,
            (Function<SyncNet, SyncMessage.Hello>) n -> hello(n, NS, "k-alice", 0, SyncMessage.Role.PEER, 1)),
        Arguments.of("schema version below the minimum", ErrorCode.UPGRADE_REQUIRED,
            (Function<SyncNet, SyncMessage.Hello>) n -> hello(n, STRICT, "k-alice", 1, client, 1)),
        Arguments.of("schema version the edge does not know", ErrorCode.UNKNOWN_VERSION,
            (Function<SyncNet, SyncMessage.Hello>) n -> hello(n, STRICT, "k-alice", 3, client, 1)),
        Arguments.of("schema version 0 on a namespace with a schema", ErrorCode.UNKNOWN_VERSION,
            (Function<SyncNet, SyncMessage.Hello>) n -> hello(n, STRICT, "k-alice", 0, client, 1)),
        Arguments.of("a schema version on a schemaless namespace", ErrorCode.UNKNOWN_VERSION,
            (Function<SyncNet, SyncMessage.Hello>) n -> hello(n, NS, "k-alice", 1, client, 1)),
        Arguments.of("a peer on another schema version", ErrorCode.UNKNOWN_VERSION,
            (Function<SyncNet, SyncMessage.Hello>) n -> hello(n, STRICT, "api-key", 1, SyncMessage.Role.PEER, 1)),
        Arguments.of("an HLC ten minutes ahead", ErrorCode.CLOCK_SKEW,
            (Function<SyncNet, SyncMessage.Hello>) n -> {
              SyncMessage.Hello h = hello(n, NS, "k-alice", 0, client, 1);
              return new SyncMessage.Hello(h.protocol(), h.namespace(), h.credential(), h.schemaVersion(), h.replica(),
                  h.vector(), HlcTimestamp.pack(n.wall.get() + TEN_MINUTES, 0), h.role(), h.compress());
            }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedHellos")
  void aRefusedHelloGetsItsErrorIsClosedAndChangesNothing(String what, ErrorCode code,
      Function<SyncNet, SyncMessage.Hello> hello) throws Exception {
    try (SyncNet net = new SyncNet(51)) {
      Edge edge = edge(net);
      Map<String, VersionVector> before = Map.of(NS, edge.ns(NS).vector(), STRICT, edge.ns(STRICT).vector());
      Connection c = raw(net, edge);
      c.a.send(hello.apply(net));
      net.settle();
      assertThat(c.a.received).as(what).hasSize(1);
      SyncMessage.Error error = (SyncMessage.Error) c.a.received.get(0);
      assertThat(error.code()).as(what + ": " + error.message()).isEqualTo(code.wire());
      assertThat(error.fatal()).isTrue();
      assertThat(c.b.closedWith).as("the edge closed the connection").isEqualTo(code);
      assertThat(c.isUp()).isFalse();
      assertThat(edge.ns(NS).vector()).isEqualTo(before.get(NS));
      assertThat(edge.ns(STRICT).vector()).isEqualTo(before.get(STRICT));
      assertThat(edge.hub.sessions(NS) + edge.hub.sessions(STRICT)).as("no session joined").isZero();
      assertHealthy(net, edge);
    }
  }

  /** The edge still serves a well-behaved client. */
  static void assertHealthy(SyncNet net, Edge edge) {
    Client bob = net.client("bob-" + net.frames(), NS);
    bob.connect(edge, "k-bob");
    bob.write("tasks", "health", w -> w.increment("checks", 1));
    net.runUntil("a new client synced", bob::synced);
    assertThat(bob.collection("tasks").get("t0")).isPresent();
    bob.disconnect();
  }

  @Test
  void aClientWhoseClockIsTenMinutesAheadIsRefusedAtHello() throws Exception {
    try (SyncNet net = new SyncNet(52)) {
      Edge edge = edge(net);
      VersionVector before = edge.ns(NS).vector();
      Client fast = net.client("fast", NS,
          Replica.inMemory(net.options(Role.CLIENT).wallClock(() -> net.wall.get() + TEN_MINUTES).build()));
      fast.write("tasks", "f1", w -> w.set("title", "from the future"));
      Connection c = fast.connect(edge, "k-alice");
      net.settle();
      assertThat(fast.errors).extracting(SyncMessage.Error::code).containsExactly(ErrorCode.CLOCK_SKEW.wire());
      assertThat(c.isUp()).isFalse();
      assertThat(fast.session.isOpen()).isFalse();
      assertThat(edge.ns(NS).vector()).isEqualTo(before);
      assertThat(edge.events.skewRejected).isEqualTo(1);
      assertThat(fast.ns().outbox().size()).isEqualTo(1);
    }
  }

  @Test
  void aPushWithASkewedDeltaIsRefusedWholeNonFatallyAndStaysQueuedUntilTheClocksAgree() throws Exception {
    try (SyncNet net = new SyncNet(53)) {
      Edge edge = edge(net);
      AtomicLong clientWall = new AtomicLong(net.wall.get());
      Client alice = net.client("alice", NS, Replica.inMemory(net.options(Role.CLIENT).wallClock(clientWall::get).build()));
      Connection c = alice.connect(edge, "k-alice");
      net.runUntil("alice live", alice::live);
      VersionVector before = edge.ns(NS).vector();

      clientWall.addAndGet(TEN_MINUTES); // alice's clock jumps ahead after the handshake
      alice.write("tasks", "skewed", w -> w.set("title", "from the future"));
      net.settle();
      assertThat(alice.errors).extracting(SyncMessage.Error::code).containsExactly(ErrorCode.CLOCK_SKEW.wire());
      assertThat(alice.errors.get(0).fatal()).isFalse();
      assertThat(c.isUp()).as("a refused push does not end the session").isTrue();
      assertThat(edge.ns(NS).vector()).as("nothing applied").isEqualTo(before);
      assertThat(edge.ns(NS).collection("tasks").get("skewed")).isEmpty();
      assertThat(alice.ns().outbox().size()).as("still queued").isEqualTo(1);
      assertThat(alice.ns().outbox().rejections()).as("not rejected for good").isEmpty();
      assertThat(alice.session.inFlight()).isZero();

      net.wall.addAndGet(TEN_MINUTES); // the edge's clock catches up
      alice.pushMore();
      net.runUntil("alice synced", alice::synced);
      assertThat(edge.ns(NS).collection("tasks").get("skewed")).isPresent();
      assertThat(edge.events.skewRejected).isEqualTo(1);
    }
  }

  /**
   * A client replica the test writes with and whose deltas it pushes by hand over a raw
   * connection, so every delta is well-formed (its dots are its own) unless the test bends it.
   */
  static final class Scratch implements AutoCloseable {
    final AtomicLong wall;
    final Replica replica;

    Scratch(SyncNet net) {
      this.wall = new AtomicLong(net.wall.get());
      this.replica = Replica.inMemory(net.options(Role.CLIENT).wallClock(wall::get).build());
    }

    ReplicaId id() {
      return replica.id();
    }

    Delta write(String collection, String id) {
      replica.namespace(NS).collection(collection).update(id, w -> w.set("title", "x").increment("n", 1));
      List<Delta> pending = replica.namespace(NS).outbox().pending(Integer.MAX_VALUE);
      return pending.get(pending.size() - 1);
    }

    @Override
    public void close() {
      replica.close();
    }
  }

  static Delta renamed(Delta d, String collection) {
    return new Delta(d.dot(), d.hlc(), collection, d.documentId(), d.change());
  }

  /** Opens a raw client session as {@code as} on {@code ns} and waits for its catch-up. */
  static Connection openRaw(SyncNet net, Edge edge, String ns, int schema, ReplicaId as) {
    Connection c = raw(net, edge);
    SyncMessage.Hello h = hello(net, ns, "k-alice", schema, SyncMessage.Role.CLIENT, 1);
    c.a.send(new SyncMessage.Hello(1, ns, h.credential(), schema, as, VersionVector.EMPTY, h.hlc(), h.role(), false));
    net.runUntil("raw session caught up", () -> c.a.received.stream().anyMatch(m -> m instanceof SyncMessage.CaughtUp));
    return c;
  }

  static SyncMessage.Ack ackOf(Connection c, long id) {
    return c.a.received.stream().filter(m -> m instanceof SyncMessage.Ack a && a.id() == id)
        .map(m -> (SyncMessage.Ack) m).findFirst().orElseThrow(() -> new AssertionError("no ack " + id + " in " + c.a.received));
  }

  @Test
  void aPushOfAnotherReplicasWriteIsRejectedForbiddenAndTheRestIsAcked() throws Exception {
    try (SyncNet net = new SyncNet(54); Scratch me = new Scratch(net); Scratch other = new Scratch(net)) {
      Edge edge = edge(net);
      Connection c = openRaw(net, edge, NS, 0, me.id());
      Delta own = me.write("tasks", "mine");
      Delta stolen = other.write("tasks", "stolen");
      c.a.send(new SyncMessage.Push(1, List.of(own, stolen)));
      net.settle();
      SyncMessage.Ack ack = ackOf(c, 1);
      assertThat(ack.acked()).containsExactly(own.dot());
      assertThat(ack.rejected()).extracting(SyncMessage.Rejection::dot).containsExactly(stolen.dot());
      assertThat(ack.rejected().get(0).code()).isEqualTo(ErrorCode.FORBIDDEN.wire());
      assertThat(edge.ns(NS).vector().covers(stolen.dot())).isFalse();
      assertThat(edge.ns(NS).collection("tasks").get("stolen")).isEmpty();
      assertThat(edge.ns(NS).collection("tasks").get("mine")).isPresent();
      assertThat(c.isUp()).isTrue();
      assertThat(edge.events.rejected).containsEntry("forbidden", 1);
    }
  }

  @Test
  void writesThatBreakTheSchemaAreRejectedSurfacedAndSkippedSoLaterWritesAreAcked() throws Exception {
    try (SyncNet net = new SyncNet(55)) {
      Edge edge = edge(net);
      Schema strict = strict();
      Client alice = net.client("alice", STRICT, Replica.inMemory(net.options(Role.CLIENT).schema(strict).build()));
      alice.connect(edge, "k-alice", 2);
      net.runUntil("alice live", alice::live);
      VersionVector before = edge.ns(STRICT).vector();
      alice.write("items", "bad1", w -> w.set("nope", "no such field"));
      alice.write("items", "bad2", w -> w.set("name", 42L));
      alice.write("items", "bad3", w -> w.set("name", "far too long for ten"));
      alice.write("items", "bad4", w -> w.increment("name", 1));
      alice.write("items", "good", w -> w.set("name", "fine").increment("n", 2).enable("done"));
      net.runUntil("alice synced", alice::synced);
      alice.write("items", "later", w -> w.set("name", "later"));
      net.runUntil("alice synced", alice::synced);

      Map<Dot, String> rejections = alice.ns().outbox().rejections();
      assertThat(rejections.values()).hasSize(4);
      assertThat(rejections.values()).anyMatch(r -> r.startsWith("unknown-field:"));
      assertThat(rejections.values()).filteredOn(r -> r.startsWith("wrong-type:")).hasSize(2);
      assertThat(rejections.values()).anyMatch(r -> r.startsWith("value-out-of-bounds:"));
      assertThat(alice.ns().outbox().size()).isZero();
      for (String bad : List.of("bad1", "bad2", "bad3", "bad4")) {
        assertThat(edge.ns(STRICT).collection("items").get(bad)).as(bad).isEmpty();
      }
      assertThat(edge.ns(STRICT).collection("items").get("good")).isPresent();
      assertThat(edge.ns(STRICT).collection("items").get("later")).isPresent();
      for (Dot rejected : rejections.keySet()) {
        assertThat(edge.ns(STRICT).vector().covers(rejected)).isFalse();
      }
      assertThat(before.isCoveredBy(edge.ns(STRICT).vector())).isTrue();
      assertThat(edge.events.rejected.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(4);
      assertThat(alice.errors).isEmpty();
    }
  }

  @Test
  void aSecondLiveSessionOfTheSameClientReplicaIsRefusedAsADuplicate() throws Exception {
    try (SyncNet net = new SyncNet(56)) {
      Edge edge = edge(net);
      Client alice = net.client("alice", NS);
      Client bob = net.client("bob", NS);
      Connection first = alice.connect(edge, "k-alice");
      bob.connect(edge, "k-bob");
      net.runUntil("both live", () -> alice.live() && bob.live());

      // A copy of alice's store, in another process, opens a session with the same replica id.
      Connection second = net.new Connection();
      ClientSession copy = new ClientSession(alice.replica, NS, "k-alice", 0, second.a, net.limits,
          new ClientSession.Listener() { });
      second.a.handler = copy::receive;
      edge.answer(second.b);
      copy.start(false);
      net.settle();
      assertThat(second.a.received).hasSize(1);
      SyncMessage.Error error = (SyncMessage.Error) second.a.received.get(0);
      assertThat(error.code()).isEqualTo(ErrorCode.DUPLICATE_REPLICA.wire());
      assertThat(error.fatal()).isTrue();
      assertThat(second.isUp()).isFalse();

      // The first session is unaffected.
      assertThat(first.isUp()).isTrue();
      alice.write("tasks", "still", w -> w.set("title", "working"));
      net.runUntil("bob sees alice's write", () -> bob.collection("tasks").get("still").isPresent());

      // Once it is gone, the replica may connect again.
      alice.disconnect();
      alice.connect(edge, "k-alice");
      net.runUntil("alice back", alice::synced);
      assertThat(alice.errors).isEmpty();
    }
  }

  static Stream<Arguments> messagesAClientMayNotSend() {
    return Stream.of(
        Arguments.of("deltas", (Function<Scratch, SyncMessage>) me ->
            new SyncMessage.Deltas(List.of(me.write("tasks", "sneaky")))),
        Arguments.of("states", (Function<Scratch, SyncMessage>) me -> new SyncMessage.States(
            List.of(new SyncMessage.State("tasks", "sneaky", me.write("tasks", "sneaky").change())),
            VersionVector.of(new Dot(me.id(), 1)), true)),
        Arguments.of("caught-up", (Function<Scratch, SyncMessage>) me ->
            new SyncMessage.CaughtUp(VersionVector.of(new Dot(me.id(), 1)))),
        Arguments.of("hello again", (Function<Scratch, SyncMessage>) me -> new SyncMessage.Hello(1, NS, "k-alice", 0,
            me.id(), VersionVector.EMPTY, HlcTimestamp.pack(me.wall.get(), 0), SyncMessage.Role.CLIENT, false)),
        Arguments.of("an unsolicited repair", (Function<Scratch, SyncMessage>) me ->
            new SyncMessage.Repair(new byte[] {1, 2, 3})));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("messagesAClientMayNotSend")
  void aMessageAClientMayNotSendIsAProtocolViolationAndChangesNothing(String what,
      Function<Scratch, SyncMessage> message) throws Exception {
    try (SyncNet net = new SyncNet(57); Scratch me = new Scratch(net)) {
      Edge edge = edge(net);
      Connection c = openRaw(net, edge, NS, 0, me.id());
      VersionVector before = edge.ns(NS).vector();
      c.a.send(message.apply(me));
      net.settle();
      SyncMessage last = c.a.received.get(c.a.received.size() - 1);
      assertThat(last).isInstanceOf(SyncMessage.Error.class);
      assertThat(((SyncMessage.Error) last).code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION.wire());
      assertThat(c.isUp()).isFalse();
      assertThat(edge.ns(NS).vector()).isEqualTo(before);
      assertThat(edge.ns(NS).collection("tasks").get("sneaky")).isEmpty();
      assertThat(edge.hub.sessions(NS)).isZero();
      assertHealthy(net, edge);
    }
  }

  @Test
  void aPushNamingAnInvalidCollectionIsRejectedOnASchemalessNamespace() throws Exception {
    try (SyncNet net = new SyncNet(58); Scratch me = new Scratch(net)) {
      Edge edge = edge(net);
      Connection c = openRaw(net, edge, NS, 0, me.id());
      Delta bad = renamed(me.write("tasks", "x"), "bad name!");
      Delta good = me.write("tasks", "ok");
      c.a.send(new SyncMessage.Push(1, List.of(bad, good)));
      net.settle();
      SyncMessage.Ack ack = ackOf(c, 1);
      assertThat(ack.acked()).containsExactly(good.dot());
      assertThat(ack.rejected()).extracting(SyncMessage.Rejection::code).containsExactly(ErrorCode.INVALID_NAME.wire());
      assertThat(edge.ns(NS).collection("tasks").get("ok")).isPresent();
    }
  }

  @Test
  void aPushNamingAnInvalidCollectionIsRejectedOnANamespaceWithASchema() throws Exception {
    try (SyncNet net = new SyncNet(59); Scratch me = new Scratch(net)) {
      Edge edge = edge(net);
      Connection c = openRaw(net, edge, STRICT, 2, me.id());
      Delta bad = renamed(me.write("items", "x"), "bad name!");
      c.a.send(new SyncMessage.Push(1, List.of(bad)));
      net.settle();
      assertThat(net.failures).isEmpty();
      SyncMessage.Ack ack = ackOf(c, 1);
      assertThat(ack.rejected()).extracting(SyncMessage.Rejection::dot).containsExactly(bad.dot());
    }
  }

  @Test
  void aSkewedDeltaBesideAnInvalidNameIsNotRejectedForGood() throws Exception {
    try (SyncNet net = new SyncNet(60); Scratch me = new Scratch(net)) {
      Edge edge = edge(net);
      Connection c = openRaw(net, edge, NS, 0, me.id());
      Delta bad = renamed(me.write("tasks", "x"), "bad name!");
      me.wall.addAndGet(TEN_MINUTES);
      Delta skewed = me.write("tasks", "future");
      c.a.send(new SyncMessage.Push(1, List.of(bad, skewed)));
      net.settle();
      List<SyncMessage.Rejection> rejected = c.a.received.stream().filter(m -> m instanceof SyncMessage.Ack)
          .flatMap(m -> ((SyncMessage.Ack) m).rejected().stream()).toList();
      assertThat(rejected).extracting(SyncMessage.Rejection::dot).as("the skewed write may be retried")
          .doesNotContain(skewed.dot());
      assertThat(edge.ns(NS).collection("tasks").get("future")).isEmpty();
    }
  }

  /** Regression: a ReplicaException used to escape receive() here (fixed in ce2e49f). */
  @Test
  void aMalformedRepairMessageIsABadFrame() throws Exception {
    try (SyncNet net = new SyncNet(61)) {
      // The client side: a session welcomed by a (raw) edge that then sends garbage as a repair.
      Connection c = net.new Connection();
      Client alice = net.client("alice", NS);
      ClientSession session = new ClientSession(alice.replica, NS, "k", 0, c.a, net.limits, alice);
      c.a.handler = session::receive;
      c.b.handler = m -> { };
      session.start(false);
      c.b.send(new SyncMessage.Welcome(1, new ReplicaId(5), HlcTimestamp.pack(net.wall.get(), 0), 0,
          VersionVector.EMPTY, "s", 1 << 20, 100));
      c.b.send(new SyncMessage.Repair(new byte[] {0x52, 1, 2, 3, 4}));
      net.settle();
      assertThat(net.failures).as("only SyncExceptions leave receive()").isEmpty();
      assertThat(c.b.received).anyMatch(m -> m instanceof SyncMessage.Error e && e.code().equals(ErrorCode.BAD_FRAME.wire()));
    }
  }
}
