package dev.lattice.replica.sync;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.merkle.Scope;
import dev.lattice.replica.DocumentView;
import dev.lattice.replica.Namespace;
import dev.lattice.replica.RepairSession;
import dev.lattice.replica.RepairStates;
import dev.lattice.replica.log.Delta;
import dev.lattice.replica.log.DeltaPage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Everything one side sends so that the other holds what it may read of a namespace: first a
 * catch-up from the receiver's vector (pages of the delta log, or, below the log's compaction
 * floor, a Merkle repair followed by the rest of the log), then {@code caught-up}, then live
 * deltas as they are accepted here.
 *
 * <h2>Why nothing is lost between catch-up and live</h2>
 *
 * Live deltas are offered only after they are committed, on the session's thread. While catching
 * up, offers are ignored: the next page read sees every delta committed before it. Catch-up ends
 * with a page read that found nothing more, so every delta committed before that read was paged,
 * and every delta committed after it is offered once the session is live. {@link #sent} (the
 * receiver's vector joined with every dot sent or received since) drops the overlap.
 */
final class Downstream {
  enum Phase { CATCHING_UP, REPAIRING, LIVE }

  /** Whole documents are larger than deltas: fewer to a message keeps it well under the size limit. */
  static final int STATES_PER_MESSAGE = 500;

  private final Namespace namespace;
  private final SessionOutput out;
  private final SyncLimits limits;
  private final SessionEvents events;
  /** Null for a receiver that sees everything as stored (a peer edge, a schemaless namespace). */
  private final DeltaView deltaView;
  private final DocumentView documentView;
  private final Collection<String> viewCollections;
  /** Deltas after which the receiver gets the document's whole state too (null: never). */
  private final java.util.function.Predicate<Delta> revealsDocument;

  private VersionVector sent;
  private final List<Held> heldStates = new ArrayList<>();

  private record Held(List<SyncMessage.State> states, VersionVector vector) {}
  private Phase phase = Phase.CATCHING_UP;
  private RepairSession repair;
  private boolean repairedThisCatchUp;

  Downstream(Namespace namespace, SessionOutput out, SyncLimits limits, SessionEvents events, VersionVector start,
      DeltaView deltaView, DocumentView documentView, Collection<String> viewCollections,
      java.util.function.Predicate<Delta> revealsDocument) {
    this.namespace = namespace;
    this.out = out;
    this.limits = limits;
    this.events = events;
    this.sent = start;
    this.deltaView = deltaView;
    this.documentView = documentView;
    this.viewCollections = viewCollections;
    this.revealsDocument = revealsDocument;
  }

  Namespace namespace() {
    return namespace;
  }

  /**
   * Document states this node joined by repair, for a live receiver: passed through the
   * receiver's view (a document it may not read is left out) and sent as {@code states}, which
   * the receiver joins like a repair's.
   */
  void offerStates(List<SyncMessage.State> states, VersionVector vector) {
    if (phase != Phase.LIVE) {
      // Joined here after this catch-up read the log and not in it: send them once live.
      heldStates.add(new Held(states, vector));
      return;
    }
    List<SyncMessage.State> visible = new ArrayList<>(states.size());
    for (SyncMessage.State s : states) {
      if (documentView == null) {
        visible.add(s);
      } else {
        documentView.apply(s.collection(), s.documentId(), s.document())
            .ifPresent(d -> visible.add(new SyncMessage.State(s.collection(), s.documentId(), d)));
      }
    }
    if (visible.isEmpty()) {
      return;
    }
    // Through a client's view, a document may be one it could not read before: a reveal.
    sendBatches(visible, vector, documentView != null, out, limits);
  }

  Phase phase() {
    return phase;
  }

  VersionVector sent() {
    return sent;
  }

  /** Starts (or, on a resync, restarts) the catch-up from what the receiver holds. */
  void catchUpFrom(VersionVector receiverHolds) {
    if (phase == Phase.REPAIRING) {
      return; // the repair's own catch-up follows it
    }
    sent = sent.merge(receiverHolds);
    phase = Phase.CATCHING_UP;
    repairedThisCatchUp = false;
    pump();
  }

  /** The receiver has this dot already (it sent it to us). */
  void receiverHas(List<Delta> deltas) {
    sent = sent.merge(VersionVector.ofDots(dots(deltas)));
  }

  /** The transport can take more: continues a paused catch-up. */
  void resume() {
    pump();
  }

  private void pump() {
    while (phase == Phase.CATCHING_UP && out.writable()) {
      DeltaPage page = namespace.deltasSince(sent, limits.pageBytes());
      if (page instanceof DeltaPage.NeedsRepair needs) {
        startRepair(needs);
        return;
      }
      DeltaPage.Deltas deltas = (DeltaPage.Deltas) page;
      sendVisible(deltas.deltas());
      if (!deltas.more()) {
        out.send(new SyncMessage.CaughtUp(sent));
        phase = Phase.LIVE;
        List<Held> held = List.copyOf(heldStates);
        heldStates.clear();
        held.forEach(h -> offerStates(h.states(), h.vector()));
      }
    }
  }

  /** Deltas just committed here; sent if the receiver is live and lacks them. */
  void offer(List<Delta> committed) {
    if (phase != Phase.LIVE) {
      return;
    }
    List<Delta> fresh = new ArrayList<>(committed.size());
    for (Delta d : committed) {
      if (!sent.covers(d.dot())) {
        fresh.add(d);
      }
    }
    if (!fresh.isEmpty()) {
      sendVisible(fresh);
    }
  }

  private void sendVisible(List<Delta> deltas) {
    if (deltas.isEmpty()) {
      return;
    }
    sent = sent.merge(VersionVector.ofDots(dots(deltas)));
    List<Delta> visible = new ArrayList<>(deltas.size());
    for (Delta d : deltas) {
      if (deltaView == null) {
        visible.add(d);
      } else {
        Optional<Delta> seen = deltaView.apply(d);
        if (seen.isPresent() && seen.get().change().fields().entryCount() > 0) {
          visible.add(seen.get());
        }
      }
    }
    for (int from = 0; from < visible.size(); from += limits.maxBatch()) {
      List<Delta> batch = visible.subList(from, Math.min(visible.size(), from + limits.maxBatch()));
      out.send(new SyncMessage.Deltas(batch));
      events.deltasOut(batch.size());
    }
    if (revealsDocument != null) {
      java.util.Set<String> keys = new java.util.LinkedHashSet<>();
      for (Delta d : visible) {
        if (revealsDocument.test(d)) {
          keys.add(Namespace.documentKey(d.collection(), d.documentId()));
        }
      }
      if (!keys.isEmpty()) {
        RepairStates states = namespace.viewStates(List.copyOf(keys), documentView);
        sendStates(states, out, limits, true);
      }
    }
  }

  private static List<Dot> dots(List<Delta> deltas) {
    List<Dot> dots = new ArrayList<>(deltas.size());
    for (Delta d : deltas) {
      dots.add(d.dot());
    }
    return dots;
  }

  // ---- repair below the compaction floor ----

  private void startRepair(DeltaPage.NeedsRepair needs) {
    if (repairedThisCatchUp) {
      // The log was trimmed again past what the repair just delivered; let the receiver reconnect.
      throw new SyncException(ErrorCode.INTERNAL, "the delta log was compacted past replica " + needs.replica()
          + " seq " + needs.missingFrom() + " during a repair; reconnect to resume");
    }
    repairedThisCatchUp = true;
    openRepair();
  }

  /**
   * Periodic anti-entropy: a Merkle repair while live, which heals what lost messages or a
   * trimmed log left different. Returns false (and does nothing) unless live.
   */
  boolean repairNow() {
    if (phase != Phase.LIVE) {
      return false;
    }
    openRepair();
    return true;
  }

  private void openRepair() {
    phase = Phase.REPAIRING;
    repair = documentView == null ? namespace.openRepair(Scope.all())
        : namespace.openRepairOfView(viewCollections, documentView);
    flushRepair();
  }

  /** A repair message from the receiver; false if this side has no repair under way. */
  boolean onRepair(byte[] message) {
    if (phase != Phase.REPAIRING) {
      return false;
    }
    try {
      repair.receive(message);
    } catch (dev.lattice.replica.ReplicaException e) {
      throw Receiver.fatal(e);
    }
    flushRepair();
    return true;
  }

  private void flushRepair() {
    for (Optional<byte[]> m = repair.nextMessage(); m.isPresent(); m = repair.nextMessage()) {
      out.send(new SyncMessage.Repair(m.get(), true));
    }
    if (repair.isDone()) {
      finishRepair();
    }
  }

  private void finishRepair() {
    List<String> keys = repair.differingKeys();
    sendStates(documentView == null ? namespace.repairStates(keys) : namespace.viewStates(keys, documentView),
        out, limits);
    events.repaired(keys.size(), documentView != null);
    sent = sent.merge(repair.startVector());
    repair = null;
    phase = Phase.CATCHING_UP;
    pump();
  }

  /** Sends the states of a finished repair in batches, the last one marked. */
  static void sendStates(RepairStates states, SessionOutput out, SyncLimits limits) {
    sendStates(states, out, limits, false);
  }

  static void sendStates(RepairStates states, SessionOutput out, SyncLimits limits, boolean reveal) {
    sendBatches(messageStates(states), states.vector(), reveal, out, limits);
  }

  /** Sends {@code states} in messages of at most {@link #STATES_PER_MESSAGE}, the last one marked; none: one empty. */
  private static void sendBatches(List<SyncMessage.State> states, VersionVector vector, boolean reveal,
      SessionOutput out, SyncLimits limits) {
    if (states.isEmpty()) {
      out.send(new SyncMessage.States(List.of(), vector, true, reveal));
      return;
    }
    int batch = Math.min(limits.maxBatch(), STATES_PER_MESSAGE);
    for (int from = 0; from < states.size(); from += batch) {
      int to = Math.min(states.size(), from + batch);
      out.send(new SyncMessage.States(states.subList(from, to), vector, to == states.size(), reveal));
    }
  }

  /** The wire form of stored states. */
  static List<SyncMessage.State> messageStates(RepairStates states) {
    List<SyncMessage.State> out = new ArrayList<>(states.states().size());
    for (RepairStates.State s : states.states()) {
      out.add(new SyncMessage.State(s.collection(), s.documentId(), s.document()));
    }
    return out;
  }
}
