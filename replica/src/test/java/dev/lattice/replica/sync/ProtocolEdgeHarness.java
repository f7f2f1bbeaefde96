package dev.lattice.replica.sync;

import dev.lattice.replica.Durability;
import dev.lattice.replica.Replica;
import dev.lattice.replica.ReplicaOptions;
import dev.lattice.replica.Role;
import dev.lattice.schema.Claims;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An edge for the session vectors: a real {@link ServerSession} on an in-memory replica with a
 * fixed wall clock, behind the small transport rule that {@code docs/PROTOCOL.md} states (decode
 * each frame; the first message must be {@code hello}; a refused message is answered with its
 * {@code error}, and a fatal one closes the connection). Credentials are a fixed table standing in
 * for the edge's API keys and user tokens.
 */
final class ProtocolEdgeHarness implements AutoCloseable {
  /** The edge's wall clock: 2023-11-14T22:13:20Z. */
  static final long WALL_MILLIS = 1_700_000_000_000L;
  static final String API_KEY = "key-0123456789abcdef";
  static final String USER_TOKEN = "alice.signature";

  private final Replica replica;
  private final SyncHub hub = new SyncHub();
  private final SyncCodec codec = new SyncCodec(SyncLimits.defaults());
  private final BlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
  private final List<Connection> connections = new ArrayList<>();
  private int sessions;

  ProtocolEdgeHarness() {
    replica = Replica.inMemory(ReplicaOptions.builder().role(Role.EDGE).durability(Durability.COMMIT)
        .random(new SplittableRandom(7)).wallClock(() -> WALL_MILLIS).build());
  }

  Replica replica() {
    return replica;
  }

  /** What the edge sent on one connection, and whether it closed it. */
  final class Connection implements SessionOutput {
    final Deque<SyncMessage> sent = new ArrayDeque<>();
    boolean closed;
    ServerSession session;

    @Override
    public void send(SyncMessage message) {
      if (!closed) {
        sent.add(message);
      }
    }

    @Override
    public boolean writable() {
      return true;
    }

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    @Override
    public void close(ErrorCode code, String reason) {
      closed = true;
    }

    /** One frame from the client, text or binary. */
    void receive(String text, byte[] binary) {
      if (closed) {
        return;
      }
      try {
        SyncMessage m = text != null ? codec.decodeText(text) : codec.decodeBinary(binary);
        if (session == null) {
          if (!(m instanceof SyncMessage.Hello hello)) {
            throw new SyncException(ErrorCode.PROTOCOL_VIOLATION, "the first message must be hello");
          }
          session = ServerSession.accept(hello, this::served, this::authenticate, replica, hub, this,
              codec.limits(), SessionEvents.NONE, "s" + (++sessions));
        } else {
          session.receive(m);
        }
      } catch (SyncException e) {
        send(e.toMessage());
        if (e.fatal()) {
          if (session != null) {
            session.closed();
          }
          closed = true;
        }
      }
    }

    private Optional<ServedNamespace> served(String name) {
      return name.equals("notes") ? Optional.of(new ServedNamespace(replica.namespace("notes"), Optional.empty()))
          : Optional.empty();
    }

    private Claims authenticate(String namespace, String credential) {
      if (credential.isBlank()) {
        throw new SyncException(ErrorCode.UNAUTHENTICATED, "no credential");
      }
      Map<String, Claims> table = Map.of(API_KEY, Claims.ofServer(), USER_TOKEN, Claims.user("alice"));
      Claims c = table.get(credential);
      if (c == null) {
        throw new SyncException(ErrorCode.BAD_TOKEN, "not an API key of the namespace nor a valid token");
      }
      return c;
    }
  }

  Connection connection(int index) {
    while (connections.size() <= index) {
      connections.add(new Connection());
    }
    return connections.get(index);
  }

  /** Runs tasks the sessions queued (acks once durable, live deliveries); waits up to 5 s for one if asked. */
  void runTasks(boolean waitForOne) throws InterruptedException {
    Runnable t = waitForOne ? tasks.poll(5, TimeUnit.SECONDS) : tasks.poll();
    while (t != null) {
      t.run();
      t = tasks.poll();
    }
  }

  @Override
  public void close() {
    replica.close();
  }
}
