package dev.lattice.replica;

import dev.lattice.crdt.causal.Dot;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What {@link Replica#batch} returns: the dot of each write the batch made, in the order made,
 * and a future that completes once all of them are durable under the batch's durability.
 */
public final class BatchReceipt {
  private final List<Dot> dots;
  private final Committer committer;
  private final long ticket;

  BatchReceipt(List<Dot> dots, Committer committer, long ticket) {
    this.dots = List.copyOf(dots);
    this.committer = committer;
    this.ticket = ticket;
  }

  /** The dots of the writes, in order; mutations that changed nothing have none. */
  public List<Dot> dots() {
    return dots;
  }

  /** How many writes the batch made. */
  public int size() {
    return dots.size();
  }

  /** As {@link WriteReceipt#durable()}, for every write of the batch at once. */
  public CompletableFuture<Void> durable() {
    return dots.isEmpty() ? CompletableFuture.completedFuture(null) : committer.whenCommitted(ticket);
  }
}
