package dev.lattice.edge.sync;

import static dev.lattice.edge.sync.EdgeTestKit.await;
import static dev.lattice.edge.sync.EdgeTestKit.client;
import static dev.lattice.edge.sync.EdgeTestKit.visible;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.clock.HlcTimestamp;
import dev.lattice.crdt.type.Document;
import dev.lattice.edge.auth.TokenSigner;
import dev.lattice.edge.auth.UserToken;
import dev.lattice.edge.config.EdgeConfig;
import dev.lattice.edge.config.Limits;
import dev.lattice.edge.config.NamespaceConfig;
import dev.lattice.edge.http.SocketGuard;
import dev.lattice.replica.Namespace;
import dev.lattice.replica.Replica;
import dev.lattice.replica.ReplicaOptions;
import dev.lattice.replica.Role;
import dev.lattice.replica.WriteReceipt;
import dev.lattice.replica.client.SyncClient;
import dev.lattice.replica.log.Delta;
import dev.lattice.replica.sync.ErrorCode;
import dev.lattice.replica.sync.SyncCodec;
import dev.lattice.replica.sync.SyncLimits;
import dev.lattice.replica.sync.SyncMessage;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input over real sockets: every kind of malformed, oversized, unauthenticated, misaddressed,
 * skewed or premature message gets its documented error (a fatal one followed by a close), the
 * edge stays healthy and serves a normal client afterwards, and none of it changes stored data.
 */
class EdgeBadInputTest {
  private static final String NS = "dev";
  private static final String KEY = "bad-input-key-0123456789";
  private static final long TEN_MINUTES = Duration.ofMinutes(10).toMillis();
  private static final int MAX_MESSAGE = 128 << 10;

  @TempDir
  Path dir;

  private Vertx vertx;
  private SyncService edge;
  private int port;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final SyncCodec codec = new SyncCodec(SyncLimits.defaults());

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    Limits limits = Limits.builder().maxFrameBytes(64 << 10).maxMessageBytes(MAX_MESSAGE).build();
    edge = EdgeTestKit.startEdge(vertx, EdgeConfig.builder().host("127.0.0.1").port(0).dataDir(dir.resolve("edge"))
        .namespace(NamespaceConfig.schemaless(NS, List.of(KEY))).limits(limits).build());
    port = edge.node().port();
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
  void everyBadInputGetsItsErrorAndChangesNothing() throws Exception {
    // Some stored data first, which nothing below may change.
    Replica seed = closeLater(Replica.inMemory(ReplicaOptions.builder().role(Role.CLIENT).build()));
    try (SyncClient c = client(seed, port, NS, KEY).build().start()) {
      for (int i = 0; i < 3; i++) {
        int n = i;
        await(c.confirmation(seed.namespace(NS).collection("tasks").update("t" + i, d -> d.set("n", n))));
      }
    }
    Namespace stored = edge.node().replica().namespace(NS);
    VersionVector vectorBefore = stored.committedVector();
    Map<String, Document> docsBefore = visible(edge.node().replica(), NS, "tasks");
    assertThat(docsBefore).hasSize(3);

    // A client with a real write to push, and one whose clock runs ten minutes ahead.
    Replica phone = closeLater(Replica.inMemory(ReplicaOptions.builder().role(Role.CLIENT).build()));
    phone.namespace(NS).collection("tasks").update("evil", d -> d.set("n", 666));
    SyncMessage.Push push = new SyncMessage.Push(1, phone.namespace(NS).outbox().pending(10));
    Replica ahead = closeLater(Replica.inMemory(ReplicaOptions.builder().role(Role.CLIENT)
        .wallClock(() -> System.currentTimeMillis() + TEN_MINUTES).build()));
    WriteReceipt skewed = ahead.namespace(NS).collection("tasks").update("from-the-future", d -> d.set("n", 1));
    List<Delta> skewedDeltas = ahead.namespace(NS).outbox().pending(10);
    assertThat(HlcTimestamp.millis(skewed.hlc())).isGreaterThan(System.currentTimeMillis() + TEN_MINUTES / 2);

    // Malformed frames, before any hello.
    fatal(textFrame("this is not JSON {"), ErrorCode.BAD_FRAME);
    fatal(binaryFrame(new byte[] {(byte) 0xff, 0x00, 0x13, 0x37}), ErrorCode.BAD_FRAME);
    fatal(textFrame("{\"ns\":\"dev\",\"credential\":\"" + KEY + "\"}"), ErrorCode.BAD_FRAME);
    fatal(textFrame("{\"t\":\"teleport\"}"), ErrorCode.BAD_FRAME);
    fatal(textFrame(codec.encodeText(push)), ErrorCode.PROTOCOL_VIOLATION);
    fatal(binaryFrame(codec.encodeBinary(push)), ErrorCode.PROTOCOL_VIOLATION);

    // Credentials.
    fatal(hello(NS, "", SyncMessage.PROTOCOL, nowHlc()), ErrorCode.UNAUTHENTICATED);
    fatal(hello(NS, "not-a-key-nor-a-token", SyncMessage.PROTOCOL, nowHlc()), ErrorCode.BAD_TOKEN);
    TokenSigner forger = new TokenSigner("another secret, at least 32 bytes long".getBytes(StandardCharsets.UTF_8),
        Clock.systemUTC());
    fatal(hello(NS, forger.issue(NS, "mallory", List.of(), Duration.ofHours(1)), SyncMessage.PROTOCOL, nowHlc()),
        ErrorCode.BAD_TOKEN);
    TokenSigner signer = edge.node().tokenSigner();
    fatal(hello(NS, signer.issue("elsewhere", "alice", List.of(), Duration.ofHours(1)), SyncMessage.PROTOCOL, nowHlc()),
        ErrorCode.BAD_TOKEN);
    long past = System.currentTimeMillis() / 1000 - 60;
    fatal(hello(NS, signer.sign(new UserToken(NS, "alice", List.of(), past)), SyncMessage.PROTOCOL, nowHlc()),
        ErrorCode.TOKEN_EXPIRED);

    SyncMessage.Hello peerWithUserToken = new SyncMessage.Hello(SyncMessage.PROTOCOL, NS,
        signer.issue(NS, "alice", List.of(), Duration.ofHours(1)), 0, phone.id(), VersionVector.EMPTY, nowHlc(),
        SyncMessage.Role.PEER, false);
    fatal(binaryFrame(codec.encodeBinary(peerWithUserToken)), ErrorCode.FORBIDDEN);

    // Namespace, protocol version, clock.
    fatal(hello("nowhere", KEY, SyncMessage.PROTOCOL, nowHlc()), ErrorCode.UNKNOWN_NAMESPACE);
    fatal(hello(NS, KEY, SyncMessage.PROTOCOL + 1, nowHlc()), ErrorCode.UNSUPPORTED_PROTOCOL);
    fatal(hello(NS, KEY, SyncMessage.PROTOCOL, HlcTimestamp.pack(System.currentTimeMillis() + TEN_MINUTES, 0)),
        ErrorCode.CLOCK_SKEW);

    // A second hello on an open session.
    try (WireClient c = WireClient.connect(vertx, port, true)) {
      SyncMessage.Hello hello = new SyncMessage.Hello(SyncMessage.PROTOCOL, NS, KEY, 0, phone.id(), VersionVector.EMPTY,
          nowHlc(), SyncMessage.Role.CLIENT, false);
      c.send(hello);
      c.expect(SyncMessage.Welcome.class);
      c.skipUntil(SyncMessage.CaughtUp.class);
      c.send(hello);
      SyncMessage.Error error = c.expect(SyncMessage.Error.class);
      assertThat(error.code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION.wire());
      assertThat(error.fatal()).isTrue();
      c.awaitClosed();
      assertThat(c.closeStatus()).isEqualTo(SocketGuard.POLICY_VIOLATION);
    }

    // A frame over the frame limit: closed with 1009.
    try (WireClient c = WireClient.connect(vertx, port, false)) {
      c.sendFrame(WebSocketFrame.binaryFrame(Buffer.buffer(new byte[96 << 10]), true));
      c.awaitClosed();
      assertThat(c.closeStatus()).isEqualTo(SocketGuard.MESSAGE_TOO_BIG);
      assertThat(c.received()).isEmpty();
    }

    // A message over the limit, in frames each under the frame limit: closed with 1009.
    try (WireClient c = WireClient.connect(vertx, port, false)) {
      byte[] chunk = new byte[32 << 10];
      java.util.Arrays.fill(chunk, (byte) 'x');
      c.sendFrame(WebSocketFrame.textFrame("{\"t\":\"hello\",\"pad\":\"" + new String(chunk, StandardCharsets.US_ASCII),
          false));
      for (int sent = chunk.length; sent <= MAX_MESSAGE; sent += chunk.length) {
        c.sendFrame(WebSocketFrame.continuationFrame(Buffer.buffer(chunk), sent + chunk.length > MAX_MESSAGE));
      }
      c.awaitClosed();
      assertThat(c.closeStatus()).isEqualTo(SocketGuard.MESSAGE_TOO_BIG);
      assertThat(c.received()).isEmpty();
    }

    // A push whose delta is ten minutes ahead: refused, not fatal, nothing applied, the session goes on.
    try (WireClient c = WireClient.connect(vertx, port, true)) {
      c.send(new SyncMessage.Hello(SyncMessage.PROTOCOL, NS, KEY, 0, ahead.id(), VersionVector.EMPTY, nowHlc(),
          SyncMessage.Role.CLIENT, false));
      c.expect(SyncMessage.Welcome.class);
      c.skipUntil(SyncMessage.CaughtUp.class);
      c.send(new SyncMessage.Push(7, skewedDeltas));
      SyncMessage.Error error = c.expect(SyncMessage.Error.class);
      assertThat(error.code()).isEqualTo(ErrorCode.CLOCK_SKEW.wire());
      assertThat(error.fatal()).isFalse();
      c.send(new SyncMessage.Resync(stored.committedVector()));
      assertThat(c.next()).as("the session still answers").isInstanceOf(SyncMessage.CaughtUp.class);
      assertThat(c.isClosed()).isFalse();
      assertThat(c.received()).noneMatch(m -> m instanceof SyncMessage.Ack);
      assertThat(c.problems()).isEmpty();
    }

    assertThat(stored.committedVector()).isEqualTo(vectorBefore);
    assertThat(visible(edge.node().replica(), NS, "tasks")).isEqualTo(docsBefore);
    String metrics = edge.node().metrics().scrape();
    assertThat(metrics).contains("lattice_skew_rejections_total 2.0");
    assertThat(metrics).containsPattern("lattice_oversized_total\\{kind=\"message\"\\} 1.0");
    assertThat(metrics).containsPattern("lattice_oversized_total\\{kind=\"frame\"\\} 1.0");

    // Still healthy: REST answers, and a well-behaved client syncs.
    assertThat(EdgeTestKit.get(port, "/health").statusCode()).isEqualTo(200);
    assertThat(EdgeTestKit.get(port, "/ready").statusCode()).isEqualTo(200);
    Replica good = closeLater(Replica.inMemory(ReplicaOptions.builder().role(Role.CLIENT).build()));
    SyncClient goodClient = closeLater(client(good, port, NS, KEY).build().start());
    await(goodClient.confirmation(good.namespace(NS).collection("tasks").update("after", d -> d.set("n", 4))));
    await(goodClient.awaitSynced());
    assertThat(visible(good, NS, "tasks")).isEqualTo(visible(edge.node().replica(), NS, "tasks"))
        .containsKeys("t0", "t1", "t2", "after");
  }

  private interface Frame {
    void sendOn(WireClient c);
  }

  private static Frame textFrame(String text) {
    return c -> c.sendText(text);
  }

  private static Frame binaryFrame(byte[] bytes) {
    return c -> c.sendBinary(bytes);
  }

  private Frame hello(String namespace, String credential, int protocol, long hlc) {
    SyncMessage.Hello hello = new SyncMessage.Hello(protocol, namespace, credential, 0,
        dev.lattice.crdt.causal.ReplicaId.random(new java.util.SplittableRandom()), VersionVector.EMPTY, hlc,
        SyncMessage.Role.CLIENT, false);
    return binaryFrame(codec.encodeBinary(hello));
  }

  private static long nowHlc() {
    return HlcTimestamp.pack(System.currentTimeMillis(), 0);
  }

  /** Sends {@code frame} on a new connection: the edge answers {@code code}, fatal, and closes. */
  private void fatal(Frame frame, ErrorCode code) throws Exception {
    try (WireClient c = WireClient.connect(vertx, port, false)) {
      frame.sendOn(c);
      SyncMessage.Error error = c.expect(SyncMessage.Error.class);
      assertThat(error.code()).as("error for %s (%s)", code, error.message()).isEqualTo(code.wire());
      assertThat(error.fatal()).as("fatal flag of %s", code).isTrue();
      c.awaitClosed();
      assertThat(c.received()).as("nothing but the error").hasSize(1);
      assertThat(c.closeStatus()).isEqualTo(SocketGuard.POLICY_VIOLATION);
      assertThat(c.closeReason()).isEqualTo(code.wire());
      assertThat(c.problems()).isEmpty();
    }
  }
}
