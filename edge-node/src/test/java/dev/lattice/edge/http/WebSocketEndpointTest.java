package dev.lattice.edge.http;

import static dev.lattice.edge.EdgeNodeTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lattice.edge.EdgeMetrics;
import dev.lattice.edge.EdgeNode;
import dev.lattice.edge.EdgeNodeTestSupport;
import dev.lattice.edge.config.EdgeConfig;
import dev.lattice.edge.config.Limits;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's WebSocket handling and the guards, against a trivial echo endpoint that installs a
 * {@link SocketGuard} the way the sync and presence endpoints do. Limits are small so each
 * violation takes a few kilobytes.
 */
@ExtendWith(VertxExtension.class)
class WebSocketEndpointTest {
  static final int FRAME = 1024;
  static final int MESSAGE = 4096;
  static final int OUTBOUND = 64 * 1024;
  static final int MAX_CONNECTIONS = 3;

  private EdgeNode node;
  private final AtomicBoolean guardWasShared = new AtomicBoolean(true);
  private final AtomicInteger endpointClosed = new AtomicInteger();

  /** Echoes text; "flood" makes it send 16 KiB messages every millisecond until refused. */
  private final SocketEndpoint echo = (socket, node) -> {
    SocketGuard guard = SocketGuard.install(socket, node.config().limits(), node.metrics());
    guardWasShared.compareAndSet(true, SocketGuard.of(socket).orElseThrow() == guard);
    guard.onRateLimited(v -> guard.sender().sendText(v == RateLimiter.Verdict.REJECT ? "rate-limited" : "bye"));
    guard.onClose(v -> endpointClosed.incrementAndGet());
    guard.textMessageHandler(text -> {
      if (text.equals("flood")) {
        String chunk = "x".repeat(16 * 1024);
        node.vertx().setPeriodic(1, id -> {
          for (int i = 0; i < 4; i++) {
            if (!guard.sender().sendText(chunk)) {
              node.vertx().cancelTimer(id);
              return;
            }
          }
        });
      } else {
        guard.sender().sendText(text);
      }
    });
  };

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) throws Exception {
    Limits limits = Limits.builder().maxFrameBytes(FRAME).maxMessageBytes(MESSAGE).outboundBufferBytes(OUTBOUND)
        .maxConnections(MAX_CONNECTIONS).messagesPerSecond(1).burst(2).build();
    EdgeConfig config = EdgeConfig.embeddedDefaults(dir, 0).toBuilder().limits(limits).build();
    Map<String, SocketEndpoint> endpoints = Map.of("/echo", echo, "/broken", (socket, n) -> {
      throw new IllegalStateException("endpoint bug");
    });
    EdgeNode.start(vertx, config, endpoints).onComplete(ctx.succeeding(n -> {
      node = n;
      ctx.completeNow();
    }));
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    node.close().onComplete(ctx.succeedingThenComplete());
  }

  private WebSocketClient client(Vertx vertx, int frameSize) {
    return vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(frameSize)
        .setMaxMessageSize(64 * 1024 * 1024).setReceiveBufferSize(4096));
  }

  private WebSocketConnectOptions to(String path) {
    return new WebSocketConnectOptions().setHost("localhost").setPort(node.port()).setURI(path);
  }

  private static Future<Short> closeStatus(WebSocket ws) {
    Promise<Short> closed = Promise.promise();
    ws.closeHandler(v -> closed.tryComplete(ws.closeStatusCode()));
    return closed.future();
  }

  @Test
  void anAcceptedSocketReachesItsEndpointWithTheServersGuard(Vertx vertx, VertxTestContext ctx) {
    client(vertx, FRAME).connect(to("/echo")).onComplete(ctx.succeeding(ws -> {
      ws.textMessageHandler(text -> ctx.verify(() -> {
        assertThat(text).isEqualTo("hello");
        assertThat(guardWasShared).isTrue();
        assertThat(node.metrics().connections()).isEqualTo(1);
        ctx.completeNow();
      }));
      ws.writeTextMessage("hello");
    }));
  }

  @Test
  void anUnknownPathIs404(Vertx vertx, VertxTestContext ctx) {
    client(vertx, FRAME).connect(to("/nowhere")).onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertThat(e).isInstanceOfSatisfying(UpgradeRejectedException.class, u -> assertThat(u.getStatus()).isEqualTo(404));
      ctx.completeNow();
    })));
  }

  @Test
  void aForeignOriginIs403AndTheNodesOwnIsAccepted(Vertx vertx, VertxTestContext ctx) {
    WebSocketClient client = client(vertx, FRAME);
    client.connect(to("/echo").addHeader("Origin", "https://evil.example")).onComplete(ctx.failing(e -> {
      ctx.verify(() -> assertThat(e).isInstanceOfSatisfying(UpgradeRejectedException.class,
          u -> assertThat(u.getStatus()).isEqualTo(403)));
      client.connect(to("/echo").addHeader("Origin", "http://localhost:" + node.port()))
          .onComplete(ctx.succeeding(ws -> ctx.verify(() -> {
            assertThat(node.metrics().scrape()).contains("lattice_websocket_refused_total{reason=\"origin\"} 1");
            ctx.completeNow();
          })));
    }));
  }

  @Test
  void connectionsBeyondTheCapAre503UntilOneCloses(Vertx vertx) {
    WebSocketClient client = client(vertx, FRAME);
    List<WebSocket> open = new ArrayList<>();
    for (int i = 0; i < MAX_CONNECTIONS; i++) {
      open.add(await(client.connect(to("/echo"))));
    }
    Throwable refused = await(client.connect(to("/echo")).transform(ar -> Future.succeededFuture(ar.cause())));
    assertThat(refused).isInstanceOfSatisfying(UpgradeRejectedException.class, u -> assertThat(u.getStatus()).isEqualTo(503));
    await(open.get(0).close());
    await().atMost(Duration.ofSeconds(10)).until(() -> node.metrics().connections() == MAX_CONNECTIONS - 1);
    assertThat(await(client.connect(to("/echo")))).isNotNull();
    assertThat(endpointClosed).hasValue(1);
  }

  @Test
  void anOversizedMessageIsClosedWith1009(Vertx vertx, VertxTestContext ctx) {
    Checkpoint noEcho = ctx.checkpoint();
    // The client splits the message into frames within the frame limit; only the message is too big.
    client(vertx, FRAME).connect(to("/echo")).onComplete(ctx.succeeding(ws -> {
      ws.textMessageHandler(text -> ctx.failNow("an oversized message was echoed"));
      closeStatus(ws).onComplete(ctx.succeeding(status -> ctx.verify(() -> {
        assertThat(status).isEqualTo(SocketGuard.MESSAGE_TOO_BIG);
        assertThat(ws.closeReason()).contains("message larger than " + MESSAGE);
        assertThat(node.metrics().scrape()).contains("lattice_oversized_total{kind=\"message\"} 1.0");
        noEcho.flag();
      })));
      ws.writeTextMessage("m".repeat(2 * MESSAGE));
    }));
  }

  @Test
  void anOversizedFrameIsClosedWith1009(Vertx vertx, VertxTestContext ctx) {
    client(vertx, 64 * 1024).connect(to("/echo")).onComplete(ctx.succeeding(ws -> {
      closeStatus(ws).onComplete(ctx.succeeding(status -> ctx.verify(() -> {
        assertThat(status).isEqualTo(SocketGuard.MESSAGE_TOO_BIG);
        assertThat(ws.closeReason()).contains("frame larger than " + FRAME);
        assertThat(node.metrics().scrape()).contains("lattice_oversized_total{kind=\"frame\"} 1.0");
        ctx.completeNow();
      })));
      ws.writeFinalTextFrame("f".repeat(2 * FRAME));
    }));
  }

  @Test
  void aSlowConsumerIsClosedWith1008AndNeverBufferedBeyondTheLimit(Vertx vertx) {
    WebSocket ws = await(client(vertx, FRAME).connect(to("/echo")));
    Future<Short> closed = closeStatus(ws);
    ws.pause();  // a client that never reads
    await(ws.writeTextMessage("flood"));
    await().atMost(Duration.ofSeconds(15))
        .until(() -> node.metrics().registry().get(EdgeMetrics.SLOW_CONSUMERS).counter().count() == 1.0);
    // Bounded: at most the limit plus one message was ever queued for it.
    assertThat(node.metrics().outboundQueuedBytes()).isLessThanOrEqualTo(OUTBOUND + 16 * 1024);
    ws.resume();  // reading again, it gets what was queued, then the close
    assertThat(await(closed)).isEqualTo(BoundedSender.SLOW_CONSUMER_STATUS);
    assertThat(ws.closeReason()).isEqualTo(BoundedSender.SLOW_CONSUMER_REASON);
    await().atMost(Duration.ofSeconds(10)).until(() -> node.metrics().outboundQueuedBytes() == 0);
  }

  @Test
  void sustainedExcessIsRejectedThenClosedWith1008(Vertx vertx, VertxTestContext ctx) {
    // Burst 2 at 1/s: two echoes, two "rate-limited" answers, then the third rejection in a row closes.
    List<String> received = new ArrayList<>();
    client(vertx, FRAME).connect(to("/echo")).onComplete(ctx.succeeding(ws -> {
      ws.textMessageHandler(received::add);
      closeStatus(ws).onComplete(ctx.succeeding(status -> ctx.verify(() -> {
        assertThat(status).isEqualTo(SocketGuard.POLICY_VIOLATION);
        assertThat(ws.closeReason()).isEqualTo(SocketGuard.RATE_LIMIT_REASON);
        assertThat(received).containsExactly("m0", "m1", "rate-limited", "rate-limited", "bye");
        assertThat(node.metrics().scrape()).contains("lattice_rate_limit_disconnects_total 1.0",
            "lattice_rate_limited_messages_total 3.0");
        ctx.completeNow();
      })));
      for (int i = 0; i < 10; i++) {
        ws.writeTextMessage("m" + i);
      }
    }));
  }

  @Test
  void anEndpointThatThrowsClosesTheSocketWith1011(Vertx vertx) {
    // The close follows the 101 at once; Vert.x's client sometimes reads both in one go and reports
    // "connection closed while handshake in process" instead of the 1011. Either way the socket is
    // closed and its connection slot released.
    Future<Short> outcome = client(vertx, FRAME).connect(to("/broken")).compose(WebSocketEndpointTest::closeStatus);
    Short status = await(outcome.recover(e -> Future.succeededFuture((short) -1)));
    assertThat(status).isIn((short) 1011, (short) -1);
    await().atMost(Duration.ofSeconds(10)).until(() -> node.metrics().connections() == 0);
  }

  @Test
  void upgradesAreRefusedOnceTheNodeCloses(Vertx vertx, @TempDir Path other) throws Exception {
    EdgeNode second = EdgeNodeTestSupport.startNode(vertx, EdgeConfig.embeddedDefaults(other, 0), Map.of("/echo", echo));
    WebSocket ws = await(client(vertx, FRAME).connect(new WebSocketConnectOptions().setHost("localhost")
        .setPort(second.port()).setURI("/echo")));
    Future<Short> closed = closeStatus(ws);
    await(second.close());
    assertThat(await(closed)).as("undeploying the server closes its sockets").isNotNull();
    assertThat(second.metrics().connections()).isZero();
  }
}
