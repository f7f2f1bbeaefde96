package dev.lattice.edge.presence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.presence.PresenceCodec;
import dev.lattice.presence.PresenceException;
import dev.lattice.presence.PresenceFrame;
import dev.lattice.presence.PresenceMessage;
import dev.lattice.presence.PresenceMessage.ErrorMessage;
import dev.lattice.presence.PresenceMessage.Hello;
import dev.lattice.presence.PresenceMessage.Welcome;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A presence client written by hand over a Vert.x WebSocket: sends exactly the texts a test gives
 * it and keeps every message the edge sends, decoded, in arrival order, so tests see precisely what
 * crossed the wire. Messages to one connection arrive in the order the edge sent them, which is
 * what lets a test prove that something did <em>not</em> arrive: a later expected message came
 * first.
 */
final class PresenceWire implements AutoCloseable {
  static final PresenceCodec CODEC = new PresenceCodec(16 << 20);
  static final long TIMEOUT_S = 20;

  private final WebSocketClient client;
  private final Context context;
  private final BlockingQueue<PresenceMessage> inbox = new LinkedBlockingQueue<>();
  /** Every frame received, with its arrival time. */
  final List<Arrival> frames = new CopyOnWriteArrayList<>();
  final List<String> problems = new CopyOnWriteArrayList<>();
  final CompletableFuture<Short> closed = new CompletableFuture<>();
  volatile String closeReason;
  private volatile WebSocket socket;
  Welcome welcome;

  record Arrival(long nanos, PresenceFrame frame) {}

  private PresenceWire(Vertx vertx) {
    this.context = vertx.getOrCreateContext();
    this.client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(16 << 20)
        .setMaxMessageSize(16 << 20).setTryUsePerMessageCompression(false).setTryUsePerFrameCompression(false));
  }

  static PresenceWire connect(Vertx vertx, int port) throws Exception {
    PresenceWire w = new PresenceWire(vertx);
    Promise<WebSocket> opened = Promise.promise();
    w.context.runOnContext(v -> w.client.connect(new WebSocketConnectOptions().setHost("localhost").setPort(port)
        .setURI(PresenceEndpoint.PATH)).onComplete(opened));
    w.attach(await(opened.future()));
    return w;
  }

  /** Connects and says p-hello; returns the welcome. */
  static PresenceWire welcomed(Vertx vertx, int port, String namespace, String credential) throws Exception {
    PresenceWire w = connect(vertx, port);
    w.send(new Hello(namespace, credential));
    w.welcome = w.next(Welcome.class);
    return w;
  }

  private void attach(WebSocket ws) {
    socket = ws;
    ws.textMessageHandler(text -> {
      try {
        PresenceMessage m = CODEC.decode(text);
        if (m instanceof PresenceFrame) {
          frames.add(new Arrival(System.nanoTime(), (PresenceFrame) m));
        }
        inbox.add(m);
      } catch (PresenceException e) {
        problems.add("undecodable: " + e.getMessage() + ": " + text);
      }
    });
    ws.binaryMessageHandler(b -> problems.add("binary message from the edge"));
    ws.closeHandler(v -> {
      closeReason = ws.closeReason();
      closed.complete(ws.closeStatusCode());
    });
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
  }

  String id() {
    return welcome.connectionId();
  }

  void send(String text) throws Exception {
    WebSocket ws = socket;
    Promise<Void> sent = Promise.promise();
    context.runOnContext(v -> ws.writeTextMessage(text).onComplete(sent));
    await(sent.future());
  }

  /** Sends without waiting (safe on an event loop). */
  void post(String text) {
    WebSocket ws = socket;
    context.runOnContext(v -> ws.writeTextMessage(text));
  }

  void send(PresenceMessage m) throws Exception {
    send(CODEC.encode(m));
  }

  void sendBinary(byte[] data) throws Exception {
    WebSocket ws = socket;
    Promise<Void> sent = Promise.promise();
    context.runOnContext(v -> ws.writeBinaryMessage(Buffer.buffer(data)).onComplete(sent));
    await(sent.future());
  }

  /** The next message, waiting for it. */
  PresenceMessage next() throws InterruptedException {
    PresenceMessage m = inbox.poll(TIMEOUT_S, TimeUnit.SECONDS);
    assertThat(m).as("a message within " + TIMEOUT_S + " s").isNotNull();
    return m;
  }

  <T extends PresenceMessage> T next(Class<T> type) throws InterruptedException {
    PresenceMessage m = next();
    assertThat(m).isInstanceOf(type);
    return type.cast(m);
  }

  PresenceFrame nextFrame() throws InterruptedException {
    return next(PresenceFrame.class);
  }

  ErrorMessage nextError() throws InterruptedException {
    return next(ErrorMessage.class);
  }

  /** Messages received and not yet taken. */
  int waiting() {
    return inbox.size();
  }

  short awaitClosed() throws Exception {
    return closed.get(TIMEOUT_S, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    WebSocket ws = socket;
    if (ws != null && !ws.isClosed()) {
      context.runOnContext(v -> ws.close());
    }
    client.close();
  }
}
