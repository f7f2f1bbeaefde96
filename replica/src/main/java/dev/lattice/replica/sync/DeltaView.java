package dev.lattice.replica.sync;

import dev.lattice.replica.log.Delta;
import java.util.Optional;

/**
 * What one receiver may see of a delta, in its shape (an edge projects each delta for a client's
 * schema version and claims). Empty: the receiver gets nothing of it.
 */
@FunctionalInterface
public interface DeltaView {
  Optional<Delta> apply(Delta delta);
}
