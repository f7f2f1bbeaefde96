package dev.lattice.replica;

import java.util.Set;

/**
 * Documents of one collection that changed since the listener was last called, and whether the
 * changes came from local writes, remote deltas, or both.
 */
public record ChangeBatch(String namespace, String collection, Set<String> documentIds, boolean local, boolean remote) {
  public ChangeBatch {
    documentIds = Set.copyOf(documentIds);
  }
}
