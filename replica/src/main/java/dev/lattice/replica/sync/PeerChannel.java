package dev.lattice.replica.sync;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.replica.ApplyResult;
import dev.lattice.replica.log.Delta;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The symmetric part of a session between two edges, the same on the side that connected and
 * the side that accepted: each sends the other what it misses and applies what it receives, and
 * either may run a Merkle repair; the other answers it and sends its own differing states.
 */
final class PeerChannel {
  private final String namespace;
  private final Downstream downstream;
  private final Receiver receiver;
  private final SyncHub hub;
  private final SyncHub.Member self;
  private boolean peerCaughtUp;

  PeerChannel(String namespace, Downstream downstream, Receiver receiver, SyncHub hub, SyncHub.Member self) {
    this.namespace = namespace;
    this.downstream = downstream;
    this.receiver = receiver;
    this.hub = hub;
    this.self = self;
  }

  void handle(SyncMessage message) {
    if (message instanceof SyncMessage.Deltas d) {
      ApplyResult result = receiver.onDeltas(d.deltas());
      downstream.receiverHas(d.deltas());
      publishWhenDurable(hub, namespace, self, d.deltas(), result);
    } else if (message instanceof SyncMessage.Repair r) {
      if (!downstream.onRepair(r.message())) {
        receiver.onRepair(r.message());
      }
    } else if (message instanceof SyncMessage.States s) {
      receiver.onStates(s);
    } else if (message instanceof SyncMessage.CaughtUp c) {
      receiver.onCaughtUp(c.vector());
      peerCaughtUp = true;
    } else if (message instanceof SyncMessage.Resync r) {
      downstream.catchUpFrom(r.vector());
    } else if (message instanceof SyncMessage.Error) {
      return; // non-fatal ones (rate-limited) need nothing; after a fatal one the sender closes
    } else {
      throw new SyncException(ErrorCode.PROTOCOL_VIOLATION,
          "a peer session does not take \"" + message.getClass().getSimpleName() + "\" once open");
    }
  }

  /** Starts an anti-entropy round if both directions are live; false otherwise. */
  boolean repairNow() {
    return peerCaughtUp && downstream.repairNow();
  }

  /** Once the new deltas of {@code result} are durable here, offers them to every other session. */
  static void publishWhenDurable(SyncHub hub, String namespace, SyncHub.Member source, List<Delta> received,
      ApplyResult result) {
    if (result.applied().isEmpty()) {
      return;
    }
    Set<Dot> applied = new HashSet<>(result.applied());
    List<Delta> fresh = new ArrayList<>(applied.size());
    for (Delta d : received) {
      if (applied.contains(d.dot())) {
        fresh.add(d);
      }
    }
    result.durable().thenRun(() -> hub.publish(namespace, fresh, source));
  }
}
