package dev.lattice.replica;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.type.Document;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a namespace's writers changed since the last commit began: the write-behind buffer in front
 * of the MVStore maps.
 *
 * <h2>Why writes are buffered</h2>
 *
 * MVStore captures each map's root separately when it commits, so a commit that ran beside a
 * writer could hold half of a mutation (its document but not its log entry). Rather than keep
 * writers out for the whole commit (page serialization and compression included), writers never
 * touch the maps: they record their changes here under the write lock, and the thread that
 * commits swaps this buffer for an empty one (a moment under the lock), writes the swapped
 * buffer into the maps and commits, while writers fill the next one. Encoding documents and
 * keeping digests current happen there too, on the committing thread, off the writers' path.
 * Readers look here first ({@link #documents} is concurrent for that), then in the buffer being
 * committed, then in the maps.
 */
final class PendingWrites {
  /** Latest state of each written document; an empty document means "remove". */
  final Map<String, Document> documents = new ConcurrentHashMap<>();
  final Map<Dot, byte[]> logAppends = new LinkedHashMap<>();
  final Set<Dot> logRemovals = new HashSet<>();
  final Map<Long, Long> floors = new HashMap<>();
  final Set<Dot> queued = new HashSet<>();
  final Set<Dot> unqueued = new HashSet<>();
  final Map<Dot, byte[]> rejected = new LinkedHashMap<>();
  /** The vector when the buffer was swapped out, and its entries that changed since the last commit. */
  VersionVector vector;
  Map<Long, byte[]> vectorEntries = Map.of();
  int changes;

  boolean isEmpty() {
    return changes == 0 && vectorEntries.isEmpty();
  }
}
