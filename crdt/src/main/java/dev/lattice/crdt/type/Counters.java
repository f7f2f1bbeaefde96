package dev.lattice.crdt.type;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import java.util.List;
import java.util.NavigableMap;

/** What the two counters share: finding one replica's entries. */
final class Counters {
  private Counters() {}

  /** The dots of {@code replica} in a dot-ordered map; dots sort by replica first, so this is a range. */
  static List<Dot> ownDots(NavigableMap<Dot, ?> entries, ReplicaId replica) {
    return List.copyOf(entries.subMap(new Dot(replica, 1), true, new Dot(replica, Long.MAX_VALUE), true).keySet());
  }
}
