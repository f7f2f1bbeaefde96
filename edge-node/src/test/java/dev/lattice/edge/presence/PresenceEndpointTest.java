package dev.lattice.edge.presence;

import static dev.lattice.edge.presence.PresenceTestKit.NS;
import static dev.lattice.edge.presence.PresenceTestKit.await;
import static dev.lattice.edge.presence.PresenceTestKit.join;
import static dev.lattice.edge.presence.PresenceTestKit.key;
import static dev.lattice.edge.presence.PresenceTestKit.leave;
import static dev.lattice.edge.presence.PresenceTestKit.meter;
import static dev.lattice.edge.presence.PresenceTestKit.set;
import static dev.lattice.edge.presence.PresenceTestKit.token;
import static dev.lattice.edge.presence.PresenceTestKit.touch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lattice.edge.EdgeNode;
import dev.lattice.edge.config.EdgeConfig;
import dev.lattice.edge.config.Limits;
import dev.lattice.presence.PresenceConfig;
import dev.lattice.presence.PresenceException.Reason;
import dev.lattice.presence.PresenceFrame;
import dev.lattice.presence.PresenceFrame.Entry;
import dev.lattice.presence.PresenceMessage;
import dev.lattice.presence.PresenceMessage.ErrorMessage;
import dev.lattice.presence.PresenceMessage.Hello;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /v1/presence} over real loopback sockets: the hello and its refusals, join, update, leave,
 * disconnect and TTL semantics, the coalescing bound, spoofing, rate limits, and metrics.
 */
@ExtendWith(VertxExtension.class)
class PresenceEndpointTest {
  @TempDir
  Path dir;

  private Vertx vertx;
  private EdgeConfig config;
  private final List<EdgeNode> nodes = new ArrayList<>();
  private final List<PresenceWire> wires = new ArrayList<>();

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
  }

  @AfterEach
  void tearDown() throws Exception {
    wires.forEach(PresenceWire::close);
    for (EdgeNode n : nodes) {
      await(n.close());
    }
  }

  private EdgeNode node(PresenceConfig presence, Limits limits) throws Exception {
    config = PresenceTestKit.config(dir.resolve("edge" + nodes.size()), 0, limits);
    EdgeNode n = PresenceTestKit.start(vertx, config, new PresenceEndpoint(presence));
    nodes.add(n);
    return n;
  }

  private EdgeNode node() throws Exception {
    return node(PresenceConfig.DEFAULT, Limits.DEFAULT);
  }

  private PresenceWire wire(EdgeNode n) throws Exception {
    PresenceWire w = PresenceWire.connect(vertx, n.port());
    wires.add(w);
    return w;
  }

  private PresenceWire member(EdgeNode n, String user) throws Exception {
    PresenceWire w = PresenceWire.welcomed(vertx, n.port(), NS, token(n, user));
    wires.add(w);
    return w;
  }

  private static Entry only(PresenceFrame f) {
    assertThat(f.members()).hasSize(1);
    return f.members().get(0);
  }

  // ---- hello

  @Test
  void theWelcomeCarriesTheIdentityFromTheCredentialAndAnEdgeAssignedId() throws Exception {
    EdgeNode n = node();
    PresenceWire alice = member(n, "alice");
    PresenceWire alice2 = member(n, "alice");
    assertThat(alice.welcome.userId()).isEqualTo("alice");
    assertThat(alice.welcome.connectionId()).startsWith("c-").isNotEqualTo(alice2.welcome.connectionId());
    assertThat(alice.welcome.ttlMillis()).isEqualTo(30_000);
    assertThat(alice.welcome.tickMillis()).isEqualTo(50);
    assertThat(alice.welcome.maxUpdatesPerSecond()).isEqualTo(30);
    PresenceWire server = PresenceWire.welcomed(vertx, n.port(), NS, key(config));
    wires.add(server);
    assertThat(server.welcome.userId()).isEqualTo(PresenceEndpoint.SERVER_USER);
    assertThat(meter(n, PresenceMetrics.CONNECTIONS)).isEqualTo(3);
  }

  @Test
  void aRefusedHelloGetsItsCodeThenA1008Close() throws Exception {
    EdgeNode n = node();
    String expired = n.tokenSigner().issue(NS, "alice", List.of(), Duration.ofSeconds(-5));
    String otherNamespace = n.tokenSigner().issue("elsewhere", "alice", List.of(), Duration.ofHours(1));
    Map<String, Reason> cases = Map.of(
        CODEC(new Hello(NS, "")), Reason.UNAUTHENTICATED,
        CODEC(new Hello(NS, "not-a-key")), Reason.BAD_TOKEN,
        CODEC(new Hello(NS, "bm90.YXRva2Vu")), Reason.BAD_TOKEN,
        CODEC(new Hello(NS, otherNamespace)), Reason.BAD_TOKEN,
        CODEC(new Hello(NS, expired)), Reason.TOKEN_EXPIRED,
        CODEC(new Hello("ghost", key(config))), Reason.UNKNOWN_NAMESPACE,
        join("board", "{}"), Reason.PROTOCOL_VIOLATION,
        "{\"t\":\"p-hello\"", Reason.MALFORMED,
        "{\"t\":\"p-hello\",\"ns\":\"dev\",\"credential\":\"" + key(config) + "\",\"user\":\"root\"}", Reason.MALFORMED);
    for (Map.Entry<String, Reason> c : cases.entrySet()) {
      PresenceWire w = wire(n);
      w.send(c.getKey());
      ErrorMessage e = w.nextError();
      assertThat(e.reason()).as(c.getKey()).isEqualTo(c.getValue());
      assertThat(e.message()).isNotBlank().doesNotContain(key(config));
      assertThat(w.awaitClosed()).as(c.getKey()).isEqualTo((short) 1008);
      assertThat(w.closeReason).isEqualTo(c.getValue().code());
    }
    assertThat(meter(n, PresenceMetrics.CONNECTIONS)).isZero();
    assertThat(meter(n, PresenceMetrics.REFUSED, "code", "bad-token")).isEqualTo(3);
  }

  private static String CODEC(PresenceMessage m) {
    return PresenceWire.CODEC.encode(m);
  }

  @Test
  void aSecondHelloAndBinaryMessagesAreRefusedButTheConnectionStays() throws Exception {
    EdgeNode n = node();
    PresenceWire alice = member(n, "alice");
    alice.send(new Hello(NS, token(n, "mallory")));
    assertThat(alice.nextError().reason()).isEqualTo(Reason.PROTOCOL_VIOLATION);
    alice.sendBinary(new byte[] {1, 2, 3});
    assertThat(alice.nextError().reason()).isEqualTo(Reason.MALFORMED);
    alice.send(join("board", "{}"));
    assertThat(alice.nextFrame().snapshot()).isTrue();
  }

  // ---- join, update, leave, disconnect

  @Test
  void joinUpdateAndLeaveReachTheOthersButNeverEchoTheSender() throws Exception {
    EdgeNode n = node();
    PresenceWire alice = member(n, "alice");
    PresenceWire bob = member(n, "bob");
    alice.send(join("board", "{\"x\":1}"));
    assertThat(alice.nextFrame()).isEqualTo(new PresenceFrame("board", List.of(), List.of(), true));

    bob.send(join("board", "{\"y\":2}"));
    PresenceFrame bobSnapshot = bob.nextFrame();
    assertThat(bobSnapshot.snapshot()).isTrue();
    assertThat(only(bobSnapshot)).isEqualTo(new Entry(alice.id(), "alice", 1, "{\"x\":1}"));
    PresenceFrame aliceSeesBob = alice.nextFrame();
    assertThat(aliceSeesBob.snapshot()).isFalse();
    assertThat(only(aliceSeesBob)).isEqualTo(new Entry(bob.id(), "bob", 1, "{\"y\":2}"));

    alice.send(set("board", "{ \"x\" : 5 }"));
    assertThat(only(bob.nextFrame())).isEqualTo(new Entry(alice.id(), "alice", 2, "{\"x\":5}"));
    // Had alice been echoed her own update, it would arrive before bob's next one.
    bob.send(set("board", "{\"y\":3}"));
    assertThat(only(alice.nextFrame())).isEqualTo(new Entry(bob.id(), "bob", 2, "{\"y\":3}"));

    alice.send(leave("board"));
    PresenceFrame left = bob.nextFrame();
    assertThat(left.members()).isEmpty();
    assertThat(left.left()).containsExactly(alice.id());
    assertThat(meter(n, PresenceMetrics.MEMBERS)).isEqualTo(1);
    alice.send(touch("board"));
    assertThat(alice.nextError()).isEqualTo(new ErrorMessage(Reason.NOT_A_MEMBER,
        "connection " + alice.id() + " is not in room board", "board"));
    assertThat(alice.waiting()).isZero();
  }

  @Test
  void aClosedSocketIsReportedAsLeftOnTheNextTick() throws Exception {
    EdgeNode n = node();
    PresenceWire alice = member(n, "alice");
    PresenceWire bob = member(n, "bob");
    alice.send(join("board", "{}"));
    alice.send(join("other", "{}"));
    alice.nextFrame();
    alice.nextFrame();
    bob.send(join("board", "{}"));
    bob.send(join("other", "{}"));
    assertThat(only(alice.nextFrame()).id()).isEqualTo(bob.id());
    assertThat(only(alice.nextFrame()).id()).isEqualTo(bob.id());
    bob.close();
    PresenceFrame f1 = alice.nextFrame();
    PresenceFrame f2 = alice.nextFrame();
    assertThat(Set.of(f1.room(), f2.room())).containsExactlyInAnyOrder("board", "other");
    assertThat(f1.left()).containsExactly(bob.id());
    assertThat(f2.left()).containsExactly(bob.id());
    await().atMost(Duration.ofSeconds(10)).until(() -> meter(n, PresenceMetrics.CONNECTIONS) == 1
        && meter(n, PresenceMetrics.MEMBERS) == 2);
  }

  @Test
  void aSilentMemberExpiresAfterTheTtlAndAHeartbeatKeepsOneAlive() throws Exception {
    EdgeNode n = node(PresenceConfig.builder().tick(Duration.ofMillis(20)).memberTtl(Duration.ofMillis(400)).build(),
        Limits.DEFAULT);
    PresenceWire alice = member(n, "alice");
    PresenceWire bob = member(n, "bob");
    alice.send(join("board", "{}"));
    alice.nextFrame();
    long heartbeat = vertx.setPeriodic(100, id -> alice.post(touch("board")));
    try {
      bob.send(join("board", "{}"));
      bob.nextFrame();
      assertThat(only(alice.nextFrame()).id()).isEqualTo(bob.id());
      // Bob says nothing more: after the TTL the next tick reports him left.
      PresenceFrame expired = alice.nextFrame();
      assertThat(expired.left()).containsExactly(bob.id());
      assertThat(expired.members()).isEmpty();
      bob.send(set("board", "{\"x\":1}"));
      assertThat(bob.nextError().reason()).isEqualTo(Reason.NOT_A_MEMBER);
      // Alice, who heartbeats, is still there.
      PresenceWire carol = member(n, "carol");
      carol.send(join("board", "{}"));
      assertThat(only(carol.nextFrame()).id()).isEqualTo(alice.id());
    } finally {
      vertx.cancelTimer(heartbeat);
    }
  }

  // ---- coalescing

  /**
   * Four members each send 150 updates as fast as the socket takes them; every member receives at
   * most one frame per tick for the room (counted against the hub's ticks and against the wall
   * clock), never its own entry nor one member twice in a frame, and still ends with everyone's
   * last state: coalescing skips intermediate states, never the latest.
   */
  @Test
  void eachClientGetsAtMostOneFramePerTickAndStillEveryLatestState() throws Exception {
    PresenceConfig presence = PresenceConfig.builder().maxUpdatesPerSecond(100_000).build();
    EdgeNode n = node(presence, Limits.builder().messagesPerSecond(100_000).burst(100_000).build());
    int count = 4;
    int updates = 150;
    long start = System.nanoTime();
    List<PresenceWire> ws = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      PresenceWire w = member(n, "user" + i);
      w.send(join("board", "{\"n\":0}"));
      ws.add(w);
    }
    for (int k = 1; k <= updates; k++) {
      for (PresenceWire w : ws) {
        w.send(set("board", "{\"n\":" + k + "}"));
      }
    }
    // Everyone ends up with everyone else's last state.
    await().atMost(Duration.ofSeconds(20)).until(() -> ws.stream().allMatch(w -> lastStates(w).size() == count - 1
        && lastStates(w).values().stream().allMatch(s -> s.equals("{\"n\":" + updates + "}"))));
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    // Every tick with something to send, since the node started.
    double ticks = meter(n, PresenceMetrics.TICKS);
    for (PresenceWire w : ws) {
      int frames = 0;
      for (PresenceWire.Arrival a : w.frames) {
        PresenceFrame f = a.frame();
        assertThat(f.room()).isEqualTo("board");
        Set<String> ids = new HashSet<>();
        for (Entry e : f.members()) {
          assertThat(e.id()).isNotEqualTo(w.id());
          assertThat(ids.add(e.id())).as("one entry per member").isTrue();
        }
        frames++;
      }
      // The hub's ticks with output bound the frames (one per room and tick), and so does the clock.
      assertThat((double) frames).as("frames to " + w.id()).isLessThanOrEqualTo(ticks);
      assertThat(frames).isLessThanOrEqualTo((int) (elapsedMs / 50) + 2);
      assertThat(frames).as("coalesced well below the %d updates of the others", (count - 1) * updates)
          .isLessThan((count - 1) * updates / 2);
    }
  }

  /** The latest state of each other member as the wire's frames tell it, honouring clocks. */
  private static Map<String, String> lastStates(PresenceWire w) {
    Map<String, Entry> view = new java.util.HashMap<>();
    for (PresenceWire.Arrival a : w.frames) {
      PresenceFrame f = a.frame();
      if (f.snapshot()) {
        view.clear();
      }
      f.left().forEach(view::remove);
      for (Entry e : f.members()) {
        Entry held = view.get(e.id());
        if (held == null || e.clock() > held.clock()) {
          view.put(e.id(), e);
        }
      }
    }
    Map<String, String> out = new java.util.HashMap<>();
    view.forEach((id, e) -> out.put(id, e.state()));
    return out;
  }

  // ---- identity

  @Test
  void aClientCannotSpeakForAnotherUserOrConnection() throws Exception {
    EdgeNode n = node();
    PresenceWire alice = member(n, "alice");
    PresenceWire bob = member(n, "bob");
    bob.send(join("board", "{\"me\":\"bob\"}"));
    bob.nextFrame();
    alice.send(join("lobby", "{}"));
    alice.nextFrame();
    // Identity fields are refused outright, whatever they claim.
    alice.send("{\"t\":\"p-set\",\"room\":\"lobby\",\"state\":{\"x\":1},\"user\":\"bob\"}");
    ErrorMessage spoof = alice.nextError();
    assertThat(spoof.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(spoof.message()).contains("identity comes from the connection's token");
    alice.send("{\"t\":\"p-join\",\"room\":\"board\",\"state\":{},\"id\":\"" + bob.id() + "\"}");
    assertThat(alice.nextError().message()).contains("identity");
    alice.send("{\"t\":\"p-leave\",\"room\":\"board\",\"userId\":\"bob\"}");
    assertThat(alice.nextError().message()).contains("identity");
    // Without identity fields a message can only ever be about the sender's own membership.
    alice.send(set("board", "{\"me\":\"alice\"}"));
    assertThat(alice.nextError().reason()).isEqualTo(Reason.NOT_A_MEMBER);
    alice.send(leave("board"));
    assertThat(alice.nextError().reason()).isEqualTo(Reason.NOT_A_MEMBER);
    // A state may say anything about a name, but the entry's user and id are the edge's.
    alice.send(join("board", "{\"user\":\"bob\",\"id\":\"" + bob.id() + "\"}"));
    Entry seen = only(bob.nextFrame());
    assertThat(seen.user()).isEqualTo("alice");
    assertThat(seen.id()).isEqualTo(alice.id());
    PresenceFrame aliceSnapshot = alice.nextFrame();
    assertThat(aliceSnapshot.snapshot()).isTrue();
    assertThat(only(aliceSnapshot)).isEqualTo(new Entry(bob.id(), "bob", 1, "{\"me\":\"bob\"}"));
    assertThat(meter(n, PresenceMetrics.REFUSED, "code", "malformed")).isEqualTo(3);
  }

  // ---- limits

  @Test
  void theMemberRateLimitRefusesTheExcessAndKeepsTheConnection() throws Exception {
    EdgeNode n = node(PresenceConfig.builder().maxUpdatesPerSecond(1).build(), Limits.DEFAULT);
    PresenceWire alice = member(n, "alice");
    alice.send(join("board", "{}"));
    for (int i = 0; i < 5; i++) {
      alice.send(set("board", "{\"i\":" + i + "}"));
    }
    alice.send(leave("elsewhere")); // answered after the five sets: the end of their answers
    int refused = 0;
    int snapshots = 0;
    while (true) {
      PresenceMessage m = alice.next();
      if (m instanceof PresenceFrame) {
        snapshots++;
      } else if (((ErrorMessage) m).reason() == Reason.RATE_LIMITED) {
        assertThat(m.room()).isEqualTo("board");
        refused++;
      } else {
        assertThat(((ErrorMessage) m).reason()).isEqualTo(Reason.NOT_A_MEMBER);
        break;
      }
    }
    // The join took the one token; a set passes only if a second went by meanwhile.
    assertThat(refused).isBetween(4, 5);
    assertThat(snapshots).isLessThanOrEqualTo(1);
    assertThat(meter(n, PresenceMetrics.RATE_LIMITED, "scope", "member")).isEqualTo(refused);
  }

  @Test
  void theConnectionRateLimitOfTheSocketGuardAppliesToo() throws Exception {
    EdgeNode n = node(PresenceConfig.DEFAULT, Limits.builder().messagesPerSecond(1).burst(3).build());
    PresenceWire alice = member(n, "alice"); // the hello took one token
    for (int i = 0; i < 4; i++) {
      alice.send(touch("nowhere"));
    }
    List<Reason> answers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ErrorMessage e = alice.nextError();
      answers.add(e.reason());
      if (e.reason() == Reason.RATE_LIMITED) {
        assertThat(e.room()).isNull();
        assertThat(e.message()).contains("on this connection");
      }
    }
    // Two touches fit in the burst; of the other two, at most one found a token refilled meanwhile.
    assertThat(answers.subList(0, 2)).containsOnly(Reason.NOT_A_MEMBER);
    assertThat(answers).contains(Reason.RATE_LIMITED);
    assertThat(meter(n, PresenceMetrics.RATE_LIMITED, "scope", "connection"))
        .isEqualTo(answers.stream().filter(r -> r == Reason.RATE_LIMITED).count());
  }

  @Test
  void metricsShowInTheScrape() throws Exception {
    EdgeNode n = node();
    PresenceWire alice = member(n, "alice");
    PresenceWire bob = member(n, "bob");
    alice.send(join("board", "{}"));
    bob.send(join("board", "{}"));
    alice.nextFrame();
    bob.nextFrame();
    await().atMost(Duration.ofSeconds(10)).until(() -> meter(n, PresenceMetrics.FRAMES_OUT) >= 2);
    String scrape = n.metrics().scrape();
    assertThat(scrape).contains("lattice_presence_connections 2.0", "lattice_presence_members 2.0",
        "lattice_presence_frames_out_total", "lattice_presence_bytes_out_bytes_total",
        "lattice_presence_messages_in_total{type=\"p-join\"} 2.0", "lattice_presence_tick_seconds_count");
  }
}
