package dev.lattice.replica;

import dev.lattice.crdt.causal.Dot;
import java.util.concurrent.CompletableFuture;

/**
 * What a local write returns: the dot that names it everywhere, its HLC timestamp, and
 * {@link #durable()}, a future that completes once the write is durable under the replica's
 * {@link Durability} (already complete for {@code SYNC} and {@code COMMIT}).
 *
 * <p>A mutation that changes nothing (deleting a missing document, removing an absent field) is
 * not a write: it takes no dot, its {@code dot} is null and {@link #changed} is false.
 */
public final class WriteReceipt {
  private static final WriteReceipt UNCHANGED = new WriteReceipt(null, 0, null, 0);

  private final Dot dot;
  private final long hlc;
  private final Committer committer;
  private final long ticket;

  WriteReceipt(Dot dot, long hlc, Committer committer, long ticket) {
    this.dot = dot;
    this.hlc = hlc;
    this.committer = committer;
    this.ticket = ticket;
  }

  static WriteReceipt unchanged() {
    return UNCHANGED;
  }

  /** The write's dot, or null if the mutation changed nothing. */
  public Dot dot() {
    return dot;
  }

  public long hlc() {
    return hlc;
  }

  /**
   * Completes once the write is committed; callbacks run on the replica's callback executor (see
   * {@link ReplicaOptions#callbackExecutor}), never on the thread that commits. Fails with
   * {@link ReplicaException} (CLOSED, STORAGE) if the write can no longer be committed.
   */
  public CompletableFuture<Void> durable() {
    return committer == null ? CompletableFuture.completedFuture(null) : committer.whenCommitted(ticket);
  }

  /** False if the mutation changed nothing and so was not written. */
  public boolean changed() {
    return dot != null;
  }

  @Override
  public String toString() {
    return dot == null ? "WriteReceipt[unchanged]" : "WriteReceipt[" + dot + " at " + hlc + "]";
  }
}
