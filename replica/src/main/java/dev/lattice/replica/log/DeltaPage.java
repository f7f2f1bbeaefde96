package dev.lattice.replica.log;

import dev.lattice.crdt.causal.ReplicaId;
import java.util.List;

/**
 * The answer to "deltas since vector V": either a page of deltas (ask again with the vector
 * advanced while {@code more} is set), or a statement that the log no longer holds what V misses
 * and only a Merkle repair can bring that peer up to date. Never a wrong answer.
 */
public sealed interface DeltaPage {

  record Deltas(List<Delta> deltas, boolean more, long bytes) implements DeltaPage {
    public Deltas {
      deltas = List.copyOf(deltas);
    }
  }

  /** The peer is below the compaction floor of {@code replica}: seq {@code floor} and older are gone. */
  record NeedsRepair(ReplicaId replica, long floor, long missingFrom) implements DeltaPage {}
}
