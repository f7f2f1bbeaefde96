package dev.lattice.replica.sync;

import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.merkle.Scope;
import dev.lattice.replica.ApplyResult;
import dev.lattice.replica.Namespace;
import dev.lattice.replica.RepairSession;
import dev.lattice.replica.RepairStates;
import dev.lattice.replica.ReplicaException;
import dev.lattice.replica.log.Delta;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one side does with what the other side's {@link Downstream} sends: applies deltas, answers
 * a Merkle repair the sender opened, joins the states it sends, and adopts the vector of
 * {@code caught-up}. Anything it cannot apply ends the session (fatal), because adopting a vector
 * after a delta was skipped would claim a dot this side never received.
 */
final class Receiver {
  private final Namespace namespace;
  private final SessionOutput out;
  private final SyncLimits limits;
  private final SessionEvents events;
  /** Peers answer a repair with their own states too; clients never do (the edge would not trust them). */
  private final boolean sendsStates;
  private RepairSession responder;

  Receiver(Namespace namespace, SessionOutput out, SyncLimits limits, SessionEvents events, boolean sendsStates) {
    this.namespace = namespace;
    this.out = out;
    this.limits = limits;
    this.events = events;
    this.sendsStates = sendsStates;
  }

  ApplyResult onDeltas(List<Delta> deltas) {
    ApplyResult result = apply(() -> namespace.applyRemote(deltas));
    events.deltasIn(deltas.size(), result.applied().size());
    return result;
  }

  /** A repair message the peer sent as the initiator; this side answers. */
  void onRepair(byte[] message) {
    if (responder == null) {
      responder = namespace.answerRepair(Scope.all());
    }
    try {
      responder.receive(message);
    } catch (ReplicaException e) {
      responder = null;
      throw fatal(e);
    }
    for (Optional<byte[]> m = responder.nextMessage(); m.isPresent(); m = responder.nextMessage()) {
      out.send(new SyncMessage.Repair(m.get(), false));
    }
    if (responder.isDone()) {
      List<String> keys = responder.differingKeys();
      if (sendsStates) {
        Downstream.sendStates(namespace.repairStates(keys), out, limits);
        // The initiator now holds the effect of every dot this side held when the repair began
        // (equal documents, or these states): it adopts that vector, so its own sessions'
        // catch-ups see the repaired dots as covered (and repair them) rather than miss them.
        out.send(new SyncMessage.CaughtUp(responder.startVector()));
      }
      events.repaired(keys.size(), false);
      responder = null;
    }
  }

  void onStates(SyncMessage.States states) {
    List<RepairStates.State> list = new ArrayList<>(states.states().size());
    for (SyncMessage.State s : states.states()) {
      list.add(new RepairStates.State(s.collection(), s.documentId(), s.document()));
    }
    RepairStates joined = new RepairStates(list, states.vector());
    apply(() -> states.reveal() ? namespace.applyRevealed(joined) : namespace.applyRepair(joined, VersionVector.EMPTY));
  }

  void onCaughtUp(VersionVector vector) {
    apply(() -> namespace.applyRepair(new RepairStates(List.of(), VersionVector.EMPTY), vector));
  }

  private <T> T apply(java.util.function.Supplier<T> action) {
    try {
      return action.get();
    } catch (ReplicaException e) {
      throw fatal(e);
    }
  }

  /** The wire error for a replica refusing what the peer sent. */
  static SyncException fatal(ReplicaException e) {
    switch (e.reason()) {
      case CLOCK_SKEW:
        return new SyncException(ErrorCode.CLOCK_SKEW, e.getMessage(), true, e);
      case INVALID_NAME:
        return new SyncException(ErrorCode.INVALID_NAME, e.getMessage(), true, e);
      case MALFORMED_DELTA:
        return new SyncException(ErrorCode.BAD_FRAME, e.getMessage(), true, e);
      default:
        return new SyncException(ErrorCode.INTERNAL, e.getMessage(), true, e);
    }
  }
}
