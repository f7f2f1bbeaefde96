package dev.lattice.edge.sync;

import dev.lattice.edge.EdgeNamespace;
import dev.lattice.edge.EdgeNode;
import dev.lattice.edge.config.PeerConfig;
import dev.lattice.edge.http.SocketGuard;
import dev.lattice.replica.sync.PeerLink;
import dev.lattice.replica.sync.SyncCodec;
import dev.lattice.replica.sync.SyncException;
import dev.lattice.replica.sync.SyncHub;
import dev.lattice.replica.sync.SyncMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Keeps one namespace synced with one peer edge: connects to the peer's {@code /v1/sync} with
 * its API key, runs a {@link PeerLink} over the connection, reconnects with jittered backoff
 * after any failure (a partition heals by itself), and runs an anti-entropy Merkle repair every
 * {@code antiEntropyInterval}. Everything runs on one Vert.x context.
 */
public final class PeerConnector {
  private static final long MIN_BACKOFF_MS = 200;
  private static final long MAX_BACKOFF_MS = 10_000;

  private final EdgeNode node;
  private final SyncHub hub;
  private final PeerConfig peer;
  private final EdgeNamespace namespace;
  private final Context context;
  private final WebSocketClient client;
  private final SplittableRandom random = new SplittableRandom();
  private WebSocket socket;
  private PeerLink link;
  private int attempt;
  private long antiEntropyTimer = -1;
  private boolean stopped;

  PeerConnector(EdgeNode node, SyncHub hub, PeerConfig peer, EdgeNamespace namespace) {
    this.node = node;
    this.hub = hub;
    this.peer = peer;
    this.namespace = namespace;
    this.context = node.vertx().getOrCreateContext();
    this.client = node.vertx().createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(node.config().limits().maxFrameBytes())
        .setMaxMessageSize(node.config().limits().maxMessageBytes())
        .setTryUsePerMessageCompression(false)
        .setTryUsePerFrameCompression(false)
        .setConnectTimeout(10_000));
  }

  void start() {
    context.runOnContext(v -> {
      connect();
      long every = node.config().antiEntropyInterval().toMillis();
      antiEntropyTimer = node.vertx().setPeriodic(every, every, id -> {
        if (link != null) {
          guarded(() -> link.repairNow());
        }
      });
    });
  }

  /** Whether a link is open and welcomed. */
  public boolean connected() {
    return link != null && link.isOpen();
  }

  /** Starts an anti-entropy round now; false if not connected or not yet live both ways. */
  public Future<Boolean> repairNow() {
    Promise<Boolean> p = Promise.promise();
    context.runOnContext(v -> p.complete(link != null && guarded(() -> link.repairNow())));
    return p.future();
  }

  Future<Void> stop() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      stopped = true;
      if (antiEntropyTimer >= 0) {
        node.vertx().cancelTimer(antiEntropyTimer);
      }
      Future<Void> closing = socket == null ? Future.succeededFuture() : socket.close();
      closing.onComplete(ar -> client.close().onComplete(x -> done.complete()));
    });
    return done.future();
  }

  private void connect() {
    if (stopped) {
      return;
    }
    WebSocketConnectOptions options = new WebSocketConnectOptions()
        .setAbsoluteURI(peer.url().resolve(SyncEndpoint.PATH).toString());
    client.connect(options).onComplete(ar -> context.runOnContext(v -> {
      if (ar.failed()) {
        reconnectLater();
      } else {
        opened(ar.result());
      }
    }));
  }

  private void opened(WebSocket ws) {
    if (stopped) {
      ws.close();
      return;
    }
    socket = ws;
    SocketGuard guard = SocketGuard.install(ws, node.config().limits(), node.metrics());
    SyncCodec codec = SyncService.codec(node);
    SocketTransport transport = new SocketTransport(node.vertx(), context, guard, codec, node.metrics());
    PeerLink opened = new PeerLink(node.replica(), namespace.name(), peer.apiKey(),
        namespace.schema().map(s -> s.currentVersion()).orElse(0), hub, transport, codec.limits(),
        new MetricsEvents(node.metrics(), namespace.name()));
    link = opened;
    transport.onResume(opened::resume);
    guard.binaryMessageHandler(data -> frame(opened, transport, () -> codec.decodeBinary(data.getBytes())));
    guard.textMessageHandler(text -> frame(opened, transport, () -> codec.decodeText(text)));
    guard.onClose(v -> {
      opened.closed();
      if (link == opened) {
        link = null;
        socket = null;
        reconnectLater();
      }
    });
    opened.start();
  }

  private void frame(PeerLink l, SocketTransport transport, Supplier<SyncMessage> decode) {
    try {
      SyncMessage m = decode.get();
      if (m instanceof SyncMessage.Welcome) {
        attempt = 0;
      }
      if (m instanceof SyncMessage.Error e && e.fatal()) {
        transport.close(dev.lattice.replica.sync.ErrorCode.INTERNAL, e.code());
        return;
      }
      l.receive(m);
    } catch (SyncException e) {
      transport.fail(e);
    } catch (RuntimeException e) {
      transport.close(dev.lattice.replica.sync.ErrorCode.INTERNAL, e.toString());
    }
  }

  private boolean guarded(Supplier<Boolean> action) {
    try {
      return action.get();
    } catch (RuntimeException e) {
      if (socket != null) {
        socket.close((short) 1011, "anti-entropy failed");
      }
      return false;
    }
  }

  private void reconnectLater() {
    if (stopped) {
      return;
    }
    long ceiling = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS << Math.min(attempt, 16));
    long delay = ceiling / 2 + random.nextLong(ceiling / 2 + 1);
    attempt++;
    node.vertx().setTimer(delay, id -> context.runOnContext(v -> connect()));
  }
}
