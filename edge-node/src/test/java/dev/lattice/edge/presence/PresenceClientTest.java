package dev.lattice.edge.presence;

import static dev.lattice.edge.presence.PresenceTestKit.NS;
import static dev.lattice.edge.presence.PresenceTestKit.await;
import static dev.lattice.edge.presence.PresenceTestKit.join;
import static dev.lattice.edge.presence.PresenceTestKit.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.lattice.edge.EdgeNode;
import dev.lattice.edge.config.EdgeConfig;
import dev.lattice.edge.config.Limits;
import dev.lattice.presence.PresenceConfig;
import dev.lattice.presence.PresenceException.Reason;
import dev.lattice.presence.PresenceFrame;
import dev.lattice.presence.PresenceMessage.ErrorMessage;
import dev.lattice.presence.client.Member;
import dev.lattice.presence.client.PresenceClient;
import dev.lattice.presence.client.PresenceRefusedException;
import dev.lattice.presence.client.RoomEvent;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The Java {@link PresenceClient} against a real edge: the room life cycle, heartbeats, throttling, reconnects. */
@ExtendWith(VertxExtension.class)
class PresenceClientTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  Path dir;

  private Vertx vertx;
  private EdgeNode node;
  private EdgeConfig config;
  private final List<PresenceClient> clients = new ArrayList<>();
  private final List<PresenceWire> wires = new ArrayList<>();
  private long seed = 1;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
  }

  @AfterEach
  void tearDown() throws Exception {
    clients.forEach(PresenceClient::close);
    wires.forEach(PresenceWire::close);
    if (node != null) {
      await(node.close());
    }
  }

  private void start(PresenceConfig presence, int port) throws Exception {
    config = PresenceTestKit.config(dir.resolve("edge"), port, Limits.DEFAULT);
    node = PresenceTestKit.start(vertx, config, new PresenceEndpoint(presence));
  }

  private PresenceClient client(String credential) {
    PresenceClient c = PresenceClient.builder(URI.create("ws://localhost:" + node.port()), NS, credential)
        .backoff(Duration.ofMillis(20), Duration.ofMillis(200)).random(new SplittableRandom(seed++)).connect();
    clients.add(c);
    return c;
  }

  private static Map<String, String> states(Map<String, Member> members) {
    Map<String, String> out = new java.util.HashMap<>();
    members.values().forEach(m -> out.put(m.user(), m.state()));
    return out;
  }

  @Test
  void joinSetListenAndLeave() throws Exception {
    start(PresenceConfig.DEFAULT, 0);
    PresenceClient alice = client(token(node, "alice"));
    PresenceClient bob = client(token(node, "bob"));
    List<RoomEvent> bobEvents = new CopyOnWriteArrayList<>();
    bob.listen("doc:1", bobEvents::add);

    alice.join("doc:1", "{\"cursor\":[0,0]}").get(20, TimeUnit.SECONDS);
    bob.join("doc:1", "{\"cursor\":[5,5]}").get(20, TimeUnit.SECONDS);
    assertThat(bobEvents.get(0).snapshot()).isTrue();
    assertThat(states(bobEvents.get(0).members())).containsExactly(Map.entry("alice", "{\"cursor\":[0,0]}"));

    alice.set("doc:1", "{ \"cursor\" : [1, 2] }");
    await().atMost(WAIT).until(() -> states(bob.members("doc:1")).equals(Map.of("alice", "{\"cursor\":[1,2]}")));
    await().atMost(WAIT).until(() -> states(alice.members("doc:1")).equals(Map.of("bob", "{\"cursor\":[5,5]}")));
    RoomEvent updated = bobEvents.get(bobEvents.size() - 1);
    assertThat(updated.updated()).extracting(Member::user).containsExactly("alice");
    assertThat(updated.updated().get(0).id()).isEqualTo(alice.welcome().orElseThrow().connectionId());

    alice.leave("doc:1");
    await().atMost(WAIT).until(() -> bob.members("doc:1").isEmpty());
    RoomEvent left = bobEvents.get(bobEvents.size() - 1);
    assertThat(left.left()).extracting(Member::user).containsExactly("alice");
    assertThat(alice.rooms()).isEmpty();
    assertThatThrownBy(() -> alice.set("doc:1", "{}")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> bob.join("doc:1", "{}")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> bob.set("doc:1", "{}} ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> bob.set("doc:1", "{},\"user\":\"x\"")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> bob.join("bad room", "{}")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aRefusedJoinFailsItsFutureAndForgetsTheRoom() throws Exception {
    start(PresenceConfig.builder().maxMembersPerRoom(1).build(), 0);
    PresenceClient alice = client(token(node, "alice"));
    PresenceClient bob = client(token(node, "bob"));
    alice.join("small", "{}").get(20, TimeUnit.SECONDS);
    assertThatThrownBy(() -> bob.join("small", "{}").get(20, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).cause().isInstanceOfSatisfying(PresenceRefusedException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.ROOM_FULL));
    assertThat(bob.rooms()).isEmpty();
    assertThat(bob.state()).isEqualTo(PresenceClient.State.ONLINE);
  }

  @Test
  void aBadCredentialStopsTheClientForGood() throws Exception {
    start(PresenceConfig.DEFAULT, 0);
    PresenceClient mallory = client("forged.token");
    assertThatThrownBy(() -> mallory.awaitOnline().get(20, TimeUnit.SECONDS))
        .cause().isInstanceOfSatisfying(PresenceRefusedException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.BAD_TOKEN));
    assertThat(mallory.state()).isEqualTo(PresenceClient.State.FAILED);
    assertThat(mallory.lastError().map(ErrorMessage::reason)).contains(Reason.BAD_TOKEN);
    assertThatThrownBy(() -> mallory.join("r", "{}")).isInstanceOf(IllegalStateException.class);
  }

  /** A member that only listens is kept alive by heartbeats; a silent raw socket beside it expires. */
  @Test
  void heartbeatsKeepAStillMemberInTheRoom() throws Exception {
    start(PresenceConfig.builder().tick(Duration.ofMillis(20)).memberTtl(Duration.ofMillis(300)).build(), 0);
    PresenceClient alice = client(token(node, "alice"));
    alice.join("board", "{\"still\":true}").get(20, TimeUnit.SECONDS);
    PresenceWire silent = PresenceWire.welcomed(vertx, node.port(), NS, token(node, "bob"));
    wires.add(silent);
    silent.send(join("board", "{}"));
    await().atMost(WAIT).until(() -> states(alice.members("board")).containsKey("bob"));
    // Bob joined after alice and said nothing since: once he expired, alice had been quiet longer.
    await().atMost(WAIT).until(() -> alice.members("board").isEmpty());
    PresenceWire carol = PresenceWire.welcomed(vertx, node.port(), NS, token(node, "carol"));
    wires.add(carol);
    carol.send(join("board", "{}"));
    PresenceFrame snapshot = carol.nextFrame();
    assertThat(snapshot.members()).extracting(PresenceFrame.Entry::user).containsExactly("alice");
    assertThat(alice.lastError()).isEmpty();
  }

  /** Sets faster than the member rate are held and coalesced: no refusal, and the last one arrives. */
  @Test
  void setsAreSpacedUnderTheRateLimit() throws Exception {
    start(PresenceConfig.builder().maxUpdatesPerSecond(10).build(), 0);
    PresenceClient alice = client(token(node, "alice"));
    PresenceClient bob = client(token(node, "bob"));
    alice.join("board", "{\"i\":0}").get(20, TimeUnit.SECONDS);
    bob.join("board", "{}").get(20, TimeUnit.SECONDS);
    for (int i = 1; i <= 200; i++) {
      alice.set("board", "{\"i\":" + i + "}");
    }
    await().atMost(WAIT).until(() -> "{\"i\":200}".equals(states(bob.members("board")).get("alice")));
    assertThat(alice.lastError()).isEmpty();
    assertThat(PresenceTestKit.meter(node, PresenceMetrics.RATE_LIMITED, "scope", "member")).isZero();
  }

  /**
   * The node restarts on the same address; both clients reconnect by themselves, with new member
   * ids, and each is back in the room with its last state, seen by the other.
   */
  @Test
  void aReconnectRestoresMembershipWithTheLastState() throws Exception {
    config = PresenceTestKit.config(dir.resolve("edge"), PresenceTestKit.freePort(), Limits.DEFAULT);
    PresenceEndpoint endpoint = new PresenceEndpoint(PresenceConfig.DEFAULT);
    node = PresenceTestKit.start(vertx, config, endpoint);
    PresenceClient alice = client(token(node, "alice"));
    PresenceClient bob = client(token(node, "bob"));
    List<PresenceClient.State> aliceStates = new CopyOnWriteArrayList<>();
    alice.onStateChange(aliceStates::add);
    alice.join("doc:7", "{\"v\":1}").get(20, TimeUnit.SECONDS);
    alice.join("doc:8", "{\"w\":1}").get(20, TimeUnit.SECONDS);
    bob.join("doc:7", "{\"v\":2}").get(20, TimeUnit.SECONDS);
    alice.set("doc:7", "{\"v\":3}");
    await().atMost(WAIT).until(() -> "{\"v\":3}".equals(states(bob.members("doc:7")).get("alice")));
    String aliceId = alice.welcome().orElseThrow().connectionId();

    await(node.close());
    await().atMost(WAIT).until(() -> alice.state() != PresenceClient.State.ONLINE
        && bob.state() != PresenceClient.State.ONLINE);
    node = PresenceTestKit.start(vertx, config, endpoint);

    await().atMost(WAIT).until(() -> alice.state() == PresenceClient.State.ONLINE
        && bob.state() == PresenceClient.State.ONLINE);
    assertThat(alice.welcome().orElseThrow().connectionId()).isNotEqualTo(aliceId);
    await().atMost(WAIT).until(() -> {
      Map<String, Member> seenByBob = bob.members("doc:7");
      return states(seenByBob).equals(Map.of("alice", "{\"v\":3}"))
          && seenByBob.containsKey(alice.welcome().orElseThrow().connectionId());
    });
    await().atMost(WAIT).until(() -> states(alice.members("doc:7")).equals(Map.of("bob", "{\"v\":2}")));
    // The room only alice is in is back too: a newcomer's snapshot shows her there.
    PresenceWire carol = PresenceWire.welcomed(vertx, node.port(), NS, token(node, "carol"));
    wires.add(carol);
    carol.send(join("doc:8", "{}"));
    assertThat(carol.nextFrame().members()).extracting(PresenceFrame.Entry::state).containsExactly("{\"w\":1}");
    assertThat(aliceStates).contains(PresenceClient.State.OFFLINE, PresenceClient.State.ONLINE);
    assertThat(PresenceTestKit.meter(node, PresenceMetrics.MEMBERS)).isEqualTo(4);
  }
}
