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
 * Each step reads the Merkle index of the committed documents while no commit changes it, so
 * writes go on during a repair. The vector a side may hand its peer to adopt is the one the index
 * described when the session opened: every document the peer then compares is at least as new as
 * that, so what the peer ends with covers every dot of that vector. Writes made during the
 * session arrive as ordinary deltas.
 */
public final class RepairSession {
  private final Namespace namespace;
  private final Reconciler reconciler;
  private final VersionVector startVector;

  RepairSession(Namespace namespace, Reconciler reconciler, VersionVector startVector) {
    this.namespace = namespace;
    this.reconciler = reconciler;
    this.startVector = startVector;
  }

  /** The next message for the peer, encoded, or empty if none is due now. */
  public Optional<byte[]> nextMessage() {
    return namespace.withDigests(() -> reconciler.nextMessage().map(MessageCodec::encode));
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
      namespace.withDigests(() -> {
        try {
          reconciler.receive(decoded);
        } catch (ReconcileException e) {
          throw new ReplicaException(ReplicaException.Reason.MALFORMED_DELTA,
              "repair message refused (" + e.getMessage() + ")", e);
        }
        return null;
      });
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
