package dev.lattice.replica;

import dev.lattice.crdt.causal.Dot;
import java.util.concurrent.CompletableFuture;

/**
 * What a local write returns: the dot that names it everywhere, its HLC timestamp, and a future
 * that completes once the write is durable under the replica's {@link Durability} (already
 * complete for {@code SYNC} and {@code COMMIT}).
 */
public record WriteReceipt(Dot dot, long hlc, CompletableFuture<Void> durable) {}
