package dev.lattice.replica;

import dev.lattice.crdt.causal.Dot;
import java.util.concurrent.CompletableFuture;

/**
 * What a local write returns: the dot that names it everywhere, its HLC timestamp, and a future
 * that completes once the write is durable under the replica's {@link Durability} (already
 * complete for {@code SYNC} and {@code COMMIT}).
 *
 * <p>A mutation that changes nothing (deleting a missing document, removing an absent field) is
 * not a write: it takes no dot, its {@code dot} is null and {@link #changed} is false.
 */
public record WriteReceipt(Dot dot, long hlc, CompletableFuture<Void> durable) {

  static WriteReceipt unchanged() {
    return new WriteReceipt(null, 0, CompletableFuture.completedFuture(null));
  }

  /** False if the mutation changed nothing and so was not written. */
  public boolean changed() {
    return dot != null;
  }
}
