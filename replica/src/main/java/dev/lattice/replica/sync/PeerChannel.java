package dev.lattice.replica.sync;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.replica.ApplyResult;
import dev.lattice.replica.Namespace;
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
  /** Documents changed by the peer's repair states since its last {@code caught-up}. */
  private final java.util.Set<String> repairedKeys = new java.util.LinkedHashSet<>();

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
      if (r.fromInitiator()) {
        receiver.onRepair(r.message());
      } else if (!downstream.onRepair(r.message())) {
        throw new SyncException(ErrorCode.PROTOCOL_VIOLATION, "a repair answer arrived, but this side opened no repair");
      }
    } else if (message instanceof SyncMessage.States s) {
      List<String> keys = keys(s);
      dev.lattice.replica.RepairStates before = keys.isEmpty() ? null : downstream.namespace().repairStates(keys);
      receiver.onStates(s);
      if (before != null) {
        publishChanged(before, downstream.namespace().repairStates(keys));
      }
    } else if (message instanceof SyncMessage.CaughtUp c) {
      receiver.onCaughtUp(c.vector());
      peerCaughtUp = true;
      republishRepaired();
    } else if (message instanceof SyncMessage.Resync r) {
      downstream.catchUpFrom(r.vector());
    } else if (message instanceof SyncMessage.Error) {
      return; // non-fatal ones (rate-limited) need nothing; after a fatal one the sender closes
    } else {
      throw new SyncException(ErrorCode.PROTOCOL_VIOLATION,
          "a peer session does not take \"" + message.getClass().getSimpleName() + "\" once open");
    }
  }

  private static List<String> keys(SyncMessage.States states) {
    List<String> keys = new ArrayList<>(states.states().size());
    for (SyncMessage.State s : states.states()) {
      keys.add(Namespace.documentKey(s.collection(), s.documentId()));
    }
    return keys;
  }

  /**
   * What a repair changed here came with no deltas, so live sessions would not see it until they
   * reconnect: hand them the joined states of the documents that changed (only those, or states
   * would echo between edges forever).
   */
  private void publishChanged(dev.lattice.replica.RepairStates before, dev.lattice.replica.RepairStates after) {
    List<SyncMessage.State> changed = new ArrayList<>();
    for (int i = 0; i < after.states().size(); i++) {
      dev.lattice.replica.RepairStates.State now = after.states().get(i);
      if (!now.document().equals(before.states().get(i).document())) {
        changed.add(new SyncMessage.State(now.collection(), now.documentId(), now.document()));
        repairedKeys.add(Namespace.documentKey(now.collection(), now.documentId()));
      }
    }
    hub.publishStates(namespace, changed, after.vector(), self);
  }

  /**
   * Until the peer's {@code caught-up} adopts the repair's vector, the repaired documents are
   * stored here but their dots are not in this node's vector, so a session that caught up in
   * between was not sent them. Once adopted, every session gets them again (live ones at once,
   * catching-up ones when live).
   */
  private void republishRepaired() {
    if (repairedKeys.isEmpty()) {
      return;
    }
    dev.lattice.replica.RepairStates now = downstream.namespace().repairStates(List.copyOf(repairedKeys));
    repairedKeys.clear();
    hub.publishStates(namespace, Downstream.messageStates(now), now.vector(), self);
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
