package dev.lattice.replica;

import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.merkle.Difference;
import dev.lattice.merkle.MerkleCodecException;
import dev.lattice.merkle.Scope;
import dev.lattice.merkle.sync.MessageCodec;
import dev.lattice.merkle.sync.ReconcileException;
import dev.lattice.merkle.sync.Reconciler;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One side of a Merkle repair of a namespace, sans I/O: move the messages of
 * {@link #nextMessage}/{@link #receive} to the peer until {@link #isDone}, then exchange the
 * states of {@link #differingKeys} ({@link Namespace#repairStates}) and join them
 * ({@link Namespace#applyRepair}).
 *
 * <h2>Consistency</h2>
 *
 * A session compares the committed documents of one version: when it opens, what is staged is
 * committed and that version (documents and digest buckets) is pinned until the session is done
 * or closed, so writes and commits go on during a repair. The vector a side may hand its peer to
 * adopt is the one committed with that version: every document the peer then compares is at
 * least as new, so what the peer ends with covers every dot of that vector. Writes made during
 * the session arrive as ordinary deltas. Not thread-safe: one thread moves a session's messages.
 */
public final class RepairSession {
  private static final java.lang.ref.Cleaner CLEANER = java.lang.ref.Cleaner.create();

  private final Reconciler reconciler;
  private final VersionVector startVector;
  private final java.lang.ref.Cleaner.Cleanable release;

  /**
   * @param release frees what the session holds (a pinned store version); run once, when the
   *     session is done, closed, or dropped unclosed and collected
   */
  RepairSession(Reconciler reconciler, VersionVector startVector, Runnable release) {
    this.reconciler = reconciler;
    this.startVector = startVector;
    this.release = CLEANER.register(this, release);
  }

  /** Frees the store version the session reads; done sessions free it by themselves. */
  public void close() {
    release.clean();
  }

  /** The next message for the peer, encoded, or empty if none is due now. */
  public Optional<byte[]> nextMessage() {
    Optional<byte[]> next = reconciler.nextMessage().map(MessageCodec::encode);
    if (reconciler.isDone()) {
      close();
    }
    return next;
  }

  /**
   * Takes the peer's message.
   *
   * @throws ReplicaException MALFORMED_DELTA if the bytes do not decode or break the protocol;
   *     the session is then unusable and nothing was stored
   */
  public void receive(byte[] message) {
    try {
      var decoded = MessageCodec.decode(message);
      try {
        reconciler.receive(decoded);
      } catch (ReconcileException e) {
        close();
        throw new ReplicaException(ReplicaException.Reason.MALFORMED_DELTA,
            "repair message refused (" + e.getMessage() + ")", e);
      }
      if (reconciler.isDone()) {
        close();
      }
    } catch (MerkleCodecException e) {
      throw new ReplicaException(ReplicaException.Reason.MALFORMED_DELTA,
          "repair message does not decode: " + e.getMessage(), e);
    }
  }

  public boolean isDone() {
    return reconciler.isDone();
  }

  /** Keys ({@code collection \0 id}) of documents that differ between the two sides. */
  public List<String> differingKeys() {
    List<String> out = new ArrayList<>();
    for (Difference d : reconciler.differences()) {
      out.add(new String(d.key(), StandardCharsets.UTF_8));
    }
    return out;
  }

  /** This side's vector when the session opened: what the peer may adopt after joining. */
  public VersionVector startVector() {
    return startVector;
  }

  /** Whether the session covers the whole namespace, so that the peer may adopt the vector. */
  public boolean coversEverything() {
    return reconciler.scope() != null && reconciler.scope().covers(Scope.all());
  }

  public int messagesSent() {
    return reconciler.messagesSent();
  }
}
