package dev.lattice.edge.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.replica.Replica;
import dev.lattice.replica.sync.ClientSession;
import dev.lattice.replica.sync.ErrorCode;
import dev.lattice.replica.sync.PeerLink;
import dev.lattice.replica.sync.SessionEvents;
import dev.lattice.replica.sync.SessionOutput;
import dev.lattice.replica.sync.SyncCodec;
import dev.lattice.replica.sync.SyncException;
import dev.lattice.replica.sync.SyncHub;
import dev.lattice.replica.sync.SyncLimits;
import dev.lattice.replica.sync.SyncMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A sync client written by hand over a Vert.x WebSocket: it sends whatever frames a test gives it,
 * and decodes and keeps every frame the edge sends, so a test can inspect exactly what crossed
 * the wire. Optionally a {@link ClientSession} runs on top ({@link #runSession}), which answers
 * the edge as a real client would (catch-up, repair) while every frame is still recorded, or a
 * {@link PeerLink} ({@link #runPeerLink}) that plays another edge.
 *
 * <p>All handlers run on one Vert.x context, the session's thread.
 */
final class WireClient implements AutoCloseable {
  private static final int LARGE = 64 << 20;

  private final Context context;
  private final WebSocketClient client;
  private final SyncCodec codec = new SyncCodec(SyncLimits.defaults());
  private final boolean json;
  private final BlockingQueue<SyncMessage> inbox = new LinkedBlockingQueue<>();
  private final List<SyncMessage> received = new CopyOnWriteArrayList<>();
  private final List<String> problems = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private volatile WebSocket socket;
  private volatile ClientSession session;
  private volatile PeerLink peerLink;
  private volatile java.util.function.Predicate<SyncMessage> hold = m -> false;
  private final List<SyncMessage> held = new java.util.ArrayList<>();

  private WireClient(Vertx vertx, boolean json) {
    this.context = vertx.getOrCreateContext();
    this.json = json;
    this.client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(LARGE).setMaxMessageSize(LARGE)
        .setTryUsePerMessageCompression(false).setTryUsePerFrameCompression(false));
  }

  /** Connects to {@code /v1/sync} with CBOR ({@code json} false) or JSON framing for {@link #send}. */
  static WireClient connect(Vertx vertx, int port, boolean json) throws Exception {
    return connect(vertx, port, json, Map.of());
  }

  static WireClient connect(Vertx vertx, int port, boolean json, Map<String, String> headers) throws Exception {
    WireClient c = new WireClient(vertx, json);
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("localhost").setPort(port)
        .setURI(SyncEndpoint.PATH);
    headers.forEach(options::addHeader);
    Promise<WebSocket> opened = Promise.promise();
    // Handlers go on in the connect callback, on the socket's context, before any frame can arrive.
    c.context.runOnContext(v -> c.client.connect(options).onSuccess(c::attach).onComplete(opened));
    try {
      EdgeTestKit.await(opened.future());
    } catch (Exception e) {
      c.client.close();
      throw e;
    }
    return c;
  }

  /** Tries to open a socket with these headers, for tests of refused upgrades; closes it if it opens. */
  static Future<WebSocket> tryUpgrade(Vertx vertx, int port, Map<String, String> headers) {
    WebSocketClient client = vertx.createWebSocketClient();
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("localhost").setPort(port)
        .setURI(SyncEndpoint.PATH);
    headers.forEach(options::addHeader);
    return client.connect(options).andThen(ar -> {
      if (ar.succeeded()) {
        ar.result().close();
      }
    }).eventually(() -> client.close());
  }

  private void attach(WebSocket ws) {
    socket = ws;
    ws.textMessageHandler(text -> received(() -> codec.decodeText(text)));
    ws.binaryMessageHandler(data -> received(() -> codec.decodeBinary(data.getBytes())));
    ws.exceptionHandler(t -> problems.add("socket error: " + t));
    ws.closeHandler(v -> closed.complete(null));
  }

  private void received(java.util.function.Supplier<SyncMessage> decode) {
    SyncMessage m;
    try {
      m = decode.get();
    } catch (SyncException e) {
      problems.add("undecodable frame from the edge: " + e.getMessage());
      return;
    }
    received.add(m);
    inbox.add(m);
    ClientSession s = session;
    PeerLink p = peerLink;
    if (s != null || p != null) {
      try {
        if (s != null) {
          s.receive(m);
        } else {
          p.receive(m);
        }
      } catch (SyncException e) {
        problems.add("client session refused " + m + ": " + e.getMessage());
        send(e.toMessage());
        if (e.fatal()) {
          socket.close();
        }
      }
    }
  }

  /**
   * Runs a real client session of {@code replica} over this socket (it sends {@code hello} now);
   * frames stay recorded.
   */
  ClientSession runSession(Replica replica, String namespace, String credential, int schemaVersion) throws Exception {
    Promise<ClientSession> started = Promise.promise();
    context.runOnContext(v -> {
      ClientSession s = new ClientSession(replica, namespace, credential, schemaVersion, new Output(),
          codec.limits(), new ClientSession.Listener() {});
      session = s;
      s.start(true);
      started.complete(s);
    });
    return EdgeTestKit.await(started.future());
  }

  /**
   * Runs the connecting side of an edge-to-edge session for {@code replica} (an edge's replica)
   * over this socket; it sends {@code hello} now. Frames stay recorded.
   */
  PeerLink runPeerLink(Replica replica, String namespace, String apiKey) throws Exception {
    Promise<PeerLink> started = Promise.promise();
    context.runOnContext(v -> {
      PeerLink link = new PeerLink(replica, namespace, apiKey, 0, new SyncHub(), new Output(), codec.limits(),
          SessionEvents.NONE);
      peerLink = link;
      link.start();
      started.complete(link);
    });
    return EdgeTestKit.await(started.future());
  }

  /** Whether the running session has been told it is caught up (read on its thread). */
  boolean sessionCaughtUp() throws Exception {
    Promise<Boolean> p = Promise.promise();
    context.runOnContext(v -> p.complete(session != null && session.isCaughtUp()));
    return EdgeTestKit.await(p.future());
  }

  /**
   * Holds back what the running session sends that matches {@code filter}, until {@link #release()}
   * (to open a window between two of its messages). Call before starting the session.
   */
  void holdOutgoing(java.util.function.Predicate<SyncMessage> filter) {
    hold = filter;
  }

  /** Sends what {@link #holdOutgoing} held back, in order, and holds nothing from now on. */
  void release() throws Exception {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      hold = m -> false;
      held.forEach(this::send);
      held.clear();
      done.complete();
    });
    EdgeTestKit.await(done.future());
  }

  /** Whether something is held back now. */
  boolean holding() throws Exception {
    Promise<Boolean> p = Promise.promise();
    context.runOnContext(v -> p.complete(!held.isEmpty()));
    return EdgeTestKit.await(p.future());
  }

  private final class Output implements SessionOutput {
    @Override
    public void send(SyncMessage message) {
      if (hold.test(message)) {
        held.add(message);
        return;
      }
      WireClient.this.send(message);
    }

    @Override
    public boolean writable() {
      return true;
    }

    @Override
    public void execute(Runnable task) {
      context.runOnContext(v -> task.run());
    }

    @Override
    public void close(ErrorCode code, String reason) {
      socket.close();
    }
  }

  // ---- sending ----

  void send(SyncMessage message) {
    if (json) {
      socket.writeTextMessage(codec.encodeText(message));
    } else {
      socket.writeBinaryMessage(Buffer.buffer(codec.encodeBinary(message)));
    }
  }

  void sendText(String text) {
    socket.writeTextMessage(text);
  }

  void sendBinary(byte[] bytes) {
    socket.writeBinaryMessage(Buffer.buffer(bytes));
  }

  void sendFrame(WebSocketFrame frame) {
    socket.writeFrame(frame);
  }

  // ---- what arrived ----

  /** The next message from the edge, waiting for it. */
  SyncMessage next() throws InterruptedException {
    SyncMessage m = inbox.poll(EdgeTestKit.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(m).as("a message from the edge within %s (problems: %s)", EdgeTestKit.TIMEOUT, problems).isNotNull();
    return m;
  }

  /** The next message, which must be of this type. */
  <T extends SyncMessage> T expect(Class<T> type) throws InterruptedException {
    SyncMessage m = next();
    assertThat(m).as("next message from the edge").isInstanceOf(type);
    return type.cast(m);
  }

  /** Skips messages until one of this type arrives. */
  <T extends SyncMessage> T skipUntil(Class<T> type) throws InterruptedException {
    while (true) {
      SyncMessage m = next();
      if (type.isInstance(m)) {
        return type.cast(m);
      }
    }
  }

  /** Every message the edge sent so far, decoded, in order. */
  List<SyncMessage> received() {
    return List.copyOf(received);
  }

  /** Frames that did not decode and session failures; empty for a well-behaved edge. */
  List<String> problems() {
    return List.copyOf(problems);
  }

  boolean isClosed() {
    return closed.isDone();
  }

  /** Waits until the edge (or we) closed the connection. */
  void awaitClosed() throws Exception {
    EdgeTestKit.await(closed);
  }

  /** The close status the edge sent, once closed (null if none). */
  Short closeStatus() {
    return socket.closeStatusCode();
  }

  String closeReason() {
    return socket.closeReason();
  }

  /** Closes the socket at once, without waiting for anything the edge may still send. */
  void drop() throws Exception {
    EdgeTestKit.await(socket.close());
  }

  @Override
  public void close() throws ExecutionException, TimeoutException {
    if (socket != null && !closed.isDone()) {
      socket.close();
    }
    try {
      client.close().toCompletionStage().toCompletableFuture().get(EdgeTestKit.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while closing the client", e);
    }
  }
}
