package dev.lattice.replica.sync;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.replica.Namespace;
import dev.lattice.replica.Replica;
import dev.lattice.replica.log.Delta;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A client's side of one sync session, sans I/O. It opens with {@code hello} (the committed
 * vector: a client never claims what a crash could still take back), applies what the edge sends
 * (deltas, a repair it answers, states, {@code caught-up}), and pushes its outbound queue in
 * batches, a few in flight, dropping each write only on the ack that says it is durable at the
 * edge. A rejected write is surfaced and dropped so it never blocks the queue; a push refused as
 * a whole for a transient reason (a skewed clock) stays queued and goes again on the next
 * {@link #pushMore()}.
 */
public final class ClientSession {

  /** What the session tells its owner (the {@code SyncClient}); called on the session's thread. */
  public interface Listener {
    default void welcomed(SyncMessage.Welcome welcome) {}

    default void caughtUp() {}

    default void acked(List<Dot> acked, List<SyncMessage.Rejection> rejected) {}

    /** A non-fatal error from the edge (a fatal one closes the connection instead). */
    default void error(SyncMessage.Error error) {}
  }

  /** Pushes in flight at once: enough to hide a round trip, few enough to bound a retry. */
  static final int WINDOW = 4;
  static final int PUSH_BATCH = 1_000;

  private final Replica replica;
  private final Namespace namespace;
  private final String credential;
  private final int schemaVersion;
  private final SessionOutput out;
  private final Listener listener;
  private final Receiver receiver;
  private final Map<Long, List<Dot>> inFlight = new LinkedHashMap<>();
  private final Set<Dot> inFlightDots = new HashSet<>();
  private long nextPushId = 1;
  private SyncMessage.Welcome welcome;
  private boolean caughtUp;
  private int batch = PUSH_BATCH;

  public ClientSession(Replica replica, String namespace, String credential, int schemaVersion, SessionOutput out,
      SyncLimits limits, Listener listener) {
    this.replica = replica;
    this.namespace = replica.namespace(namespace);
    this.credential = credential;
    this.schemaVersion = schemaVersion;
    this.out = out;
    this.listener = listener;
    this.receiver = new Receiver(this.namespace, out, limits, SessionEvents.NONE, false);
  }

  /** Sends {@code hello}; {@code compress} asks for deflated catch-up pages. */
  public void start(boolean compress) {
    out.send(new SyncMessage.Hello(SyncMessage.PROTOCOL, namespace.name(), credential, schemaVersion, replica.id(),
        namespace.committedVector(), replica.clock().now(), SyncMessage.Role.CLIENT, compress));
  }

  public boolean isOpen() {
    return welcome != null;
  }

  /** Whether the edge has said this replica holds everything it may read (until the next reconnect). */
  public boolean isCaughtUp() {
    return caughtUp;
  }

  /**
   * Takes one decoded message from the edge.
   *
   * @throws SyncException if the message breaks the protocol or cannot be applied (fatal)
   */
  public void receive(SyncMessage message) {
    if (welcome == null) {
      if (message instanceof SyncMessage.Welcome w) {
        welcome = w;
        batch = Math.max(1, Math.min(PUSH_BATCH, w.maxBatch()));
        listener.welcomed(w);
        pushMore();
        return;
      }
      if (message instanceof SyncMessage.Error e) {
        listener.error(e);
        return;
      }
      throw new SyncException(ErrorCode.PROTOCOL_VIOLATION, "expected welcome, got " + message.getClass().getSimpleName());
    }
    if (message instanceof SyncMessage.Deltas d) {
      receiver.onDeltas(d.deltas());
    } else if (message instanceof SyncMessage.Repair r) {
      if (!r.fromInitiator()) {
        throw new SyncException(ErrorCode.PROTOCOL_VIOLATION, "a client opens no repair, so takes no repair answer");
      }
      receiver.onRepair(r.message());
    } else if (message instanceof SyncMessage.States s) {
      receiver.onStates(s);
    } else if (message instanceof SyncMessage.CaughtUp c) {
      receiver.onCaughtUp(c.vector());
      caughtUp = true;
      listener.caughtUp();
    } else if (message instanceof SyncMessage.Ack a) {
      onAck(a);
    } else if (message instanceof SyncMessage.Error e) {
      onError(e);
    } else {
      throw new SyncException(ErrorCode.PROTOCOL_VIOLATION,
          "a client does not take \"" + message.getClass().getSimpleName() + "\" from an edge");
    }
  }

  private void onAck(SyncMessage.Ack ack) {
    List<Dot> sent = inFlight.remove(ack.id());
    if (sent != null) {
      sent.forEach(inFlightDots::remove);
    }
    // Even an ack of a push this session stopped tracking (after a refused push) is true.
    namespace.outbox().acknowledge(ack.acked());
    for (SyncMessage.Rejection r : ack.rejected()) {
      namespace.outbox().reject(r.dot(), r.code(), r.message());
    }
    listener.acked(ack.acked(), ack.rejected());
    pushMore();
  }

  private void onError(SyncMessage.Error error) {
    // A refused push (clock skew) is not acked: its writes stay queued for the next attempt, which
    // the owner delays (the edge's clock, or ours, must move on first).
    if (ErrorCode.CLOCK_SKEW.wire().equals(error.code())) {
      inFlight.clear();
      inFlightDots.clear();
    }
    listener.error(error);
  }

  /** Pushes queued writes while the window has room; call after local writes and on a timer. */
  public void pushMore() {
    if (welcome == null) {
      return;
    }
    while (inFlight.size() < WINDOW) {
      List<Delta> next = new ArrayList<>(batch);
      for (Delta d : namespace.outbox().pending(inFlightDots.size() + batch)) {
        if (!inFlightDots.contains(d.dot())) {
          next.add(d);
        }
      }
      if (next.isEmpty()) {
        return;
      }
      long id = nextPushId++;
      List<Dot> dots = new ArrayList<>(next.size());
      next.forEach(d -> dots.add(d.dot()));
      inFlight.put(id, dots);
      inFlightDots.addAll(dots);
      out.send(new SyncMessage.Push(id, next));
    }
  }

  /** Writes sent and not yet answered. */
  public int inFlight() {
    return inFlightDots.size();
  }
}
