package dev.lattice.replica;

import dev.lattice.crdt.causal.Dot;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The outcome of applying remote deltas: which were new, which had been applied before (and so
 * changed nothing), and a future that completes once the new ones are durable. An upstream acks
 * dots only after {@code durable} completes.
 */
public record ApplyResult(List<Dot> applied, List<Dot> duplicates, CompletableFuture<Void> durable) {
  public ApplyResult {
    applied = List.copyOf(applied);
    duplicates = List.copyOf(duplicates);
  }
}
