package dev.lattice.replica.sync;

import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.replica.Namespace;
import dev.lattice.replica.Replica;
import dev.lattice.replica.log.Delta;
import java.util.List;

/**
 * The side of an edge-to-edge session that connected, sans I/O. After {@code hello} (with an API
 * key of the other edge) and its {@code welcome}, both sides are symmetric ({@link PeerChannel}):
 * each catches the other up from the vector it announced and streams its new deltas; this side
 * also runs the periodic anti-entropy repair ({@link #repairNow()}).
 */
public final class PeerLink implements SyncHub.Member {
  private final Replica replica;
  private final Namespace namespace;
  private final String credential;
  private final int schemaVersion;
  private final SyncHub hub;
  private final SessionOutput out;
  private final SyncLimits limits;
  private final SessionEvents events;
  private PeerChannel channel;
  private Downstream downstream;
  private ReplicaId remote;
  private boolean closed;

  public PeerLink(Replica replica, String namespace, String credential, int schemaVersion, SyncHub hub,
      SessionOutput out, SyncLimits limits, SessionEvents events) {
    this.replica = replica;
    this.namespace = replica.namespace(namespace);
    this.credential = credential;
    this.schemaVersion = schemaVersion;
    this.hub = hub;
    this.out = out;
    this.limits = limits;
    this.events = events;
  }

  public void start() {
    out.send(new SyncMessage.Hello(SyncMessage.PROTOCOL, namespace.name(), credential, schemaVersion, replica.id(),
        namespace.committedVector(), replica.clock().now(), SyncMessage.Role.PEER, true));
  }

  public boolean isOpen() {
    return channel != null;
  }

  /** @throws SyncException if the message breaks the protocol or cannot be applied */
  public void receive(SyncMessage message) {
    if (closed) {
      return;
    }
    if (channel == null) {
      if (message instanceof SyncMessage.Welcome w) {
        remote = w.replica();
        downstream = new Downstream(namespace, out, limits, events, w.vector(), null, null, null, null);
        channel = new PeerChannel(namespace.name(), downstream, new Receiver(namespace, out, limits, events, true),
            hub, this);
        hub.join(this);
        downstream.catchUpFrom(w.vector());
        return;
      }
      if (message instanceof SyncMessage.Error) {
        return; // the transport reports it and closes
      }
      throw new SyncException(ErrorCode.PROTOCOL_VIOLATION, "expected welcome, got " + message.getClass().getSimpleName());
    }
    if (message instanceof SyncMessage.Error) {
      return;
    }
    channel.handle(message);
  }

  public void resume() {
    if (downstream != null && !closed) {
      downstream.resume();
    }
  }

  /** Starts an anti-entropy round if both directions are live; false otherwise. */
  public boolean repairNow() {
    return channel != null && !closed && channel.repairNow();
  }

  public void closed() {
    closed = true;
    if (channel != null) {
      hub.leave(this);
    }
  }

  @Override
  public String namespace() {
    return namespace.name();
  }

  @Override
  public ReplicaId peerReplica() {
    return remote;
  }

  @Override
  public boolean exclusive() {
    return false;
  }

  @Override
  public void deliverStates(List<SyncMessage.State> states, dev.lattice.crdt.causal.VersionVector vector) {
    out.execute(() -> {
      if (!closed && downstream != null) {
        downstream.offerStates(states, vector);
      }
    });
  }

  @Override
  public void deliver(List<Delta> committed) {
    out.execute(() -> {
      if (!closed && downstream != null) {
        try {
          downstream.offer(committed);
        } catch (SyncException e) {
          if (e.fatal()) {
            closed();
          }
          out.fail(e);
        }
      }
    });
  }
}
