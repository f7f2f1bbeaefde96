package dev.lattice.edge.sync;

import dev.lattice.edge.EdgeNamespace;
import dev.lattice.edge.EdgeNode;
import dev.lattice.edge.auth.AuthException;
import dev.lattice.edge.http.RateLimiter;
import dev.lattice.edge.http.SocketEndpoint;
import dev.lattice.edge.http.SocketGuard;
import dev.lattice.replica.sync.ErrorCode;
import dev.lattice.replica.sync.ServedNamespace;
import dev.lattice.replica.sync.ServerSession;
import dev.lattice.replica.sync.SyncCodec;
import dev.lattice.replica.sync.SyncException;
import dev.lattice.replica.sync.SyncHub;
import dev.lattice.replica.sync.SyncMessage;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * {@code /v1/sync}: one {@link ServerSession} per WebSocket. This class only moves frames: it
 * decodes each with the node's {@link SyncCodec}, hands it to the session on the socket's event
 * loop, and turns every {@link SyncException} into its error message (closing the connection for
 * a fatal one). The first message must be {@code hello}; until it is accepted nothing else is read.
 */
public final class SyncEndpoint implements SocketEndpoint {
  public static final String PATH = "/v1/sync";

  private final SyncHub hub;

  public SyncEndpoint(SyncHub hub) {
    this.hub = hub;
  }

  @Override
  public void accept(ServerWebSocket socket, EdgeNode node) {
    SocketGuard guard = SocketGuard.install(socket, node.config().limits(), node.metrics());
    SyncCodec codec = SyncService.codec(node);
    SocketTransport transport = new SocketTransport(node.vertx(), Vertx.currentContext(), guard, codec, node.metrics());
    Connection connection = new Connection(node, transport, guard);
    guard.textMessageHandler(text -> connection.frame(() -> codec.decodeText(text), false));
    guard.binaryMessageHandler(data -> connection.frame(() -> codec.decodeBinary(data.getBytes()), true));
    guard.onRateLimited(verdict -> {
      if (verdict == RateLimiter.Verdict.REJECT) {
        transport.send(new SyncMessage.Error(ErrorCode.RATE_LIMITED.wire(),
            "more than " + node.config().limits().messagesPerSecond() + " messages a second; this one was dropped", false));
      }
    });
    guard.onClose(v -> connection.closed());
  }

  /** One connection: the session once {@code hello} is accepted. */
  private final class Connection {
    private final EdgeNode node;
    private final SocketTransport transport;
    private final SocketGuard guard;
    private ServerSession session;

    Connection(EdgeNode node, SocketTransport transport, SocketGuard guard) {
      this.node = node;
      this.transport = transport;
      this.guard = guard;
    }

    void frame(Supplier<SyncMessage> decode, boolean binary) {
      if (transport.closing()) {
        return;
      }
      if (session == null) {
        transport.framing(binary, false); // even an undecodable first frame is answered in its own framing
      }
      try {
        SyncMessage message = decode.get();
        if (session == null) {
          open(message, binary);
        } else {
          session.receive(message);
        }
      } catch (SyncException e) {
        fail(e);
      } catch (RuntimeException e) {
        fail(new SyncException(ErrorCode.INTERNAL, "the edge failed: " + e, true, e));
      }
    }

    private void open(SyncMessage message, boolean binary) {
      if (!(message instanceof SyncMessage.Hello hello)) {
        throw new SyncException(ErrorCode.PROTOCOL_VIOLATION,
            "the first message must be hello, not " + message.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT));
      }
      transport.framing(binary, hello.compress());
      ServerSession opened = ServerSession.accept(hello, this::served, this::authenticate, node.replica(), hub,
          transport, SyncService.codec(node).limits(), new MetricsEvents(node.metrics(), hello.namespace()),
          UUID.randomUUID().toString());
      session = opened;
      transport.onResume(opened::resume);
      node.metrics().sessionOpened(hello.namespace());
    }

    private Optional<ServedNamespace> served(String name) {
      return node.namespace(name).map((EdgeNamespace n) -> new ServedNamespace(n.namespace(), n.projector()));
    }

    private dev.lattice.schema.Claims authenticate(String namespace, String credential) {
      try {
        return node.authenticator().authenticate(namespace, credential);
      } catch (AuthException e) {
        ErrorCode code = ErrorCode.ofWire(e.code());
        throw new SyncException(code == null ? ErrorCode.BAD_TOKEN : code, e.getMessage(), true, e);
      }
    }

    private void fail(SyncException e) {
      if (e.fatal()) {
        closed();
      }
      transport.fail(e);
    }

    void closed() {
      if (session != null) {
        ServerSession s = session;
        session = null;
        s.closed();
        node.metrics().sessionClosed(s.namespace());
      }
    }
  }
}
