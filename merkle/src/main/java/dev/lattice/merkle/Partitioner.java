package dev.lattice.merkle;

/**
 * Chooses the partition of a key: a prefix of the key that names the unit a {@link Scope} selects.
 * Each partition has its own hash trie, so a partition (one collection, say) can be reconciled on
 * its own and its cost does not depend on the size of other partitions.
 *
 * <p>Both sides of a reconciliation must use the same partitioner; it is not sent on the wire.
 * The partition must be a prefix of the key so that a scope over partition names is also a
 * statement about key prefixes.
 */
@FunctionalInterface
public interface Partitioner {

  /** Length of the partition prefix of {@code key}, in {@code [0, key.length]}. */
  int partitionLength(byte[] key);

  /**
   * The replica layout {@code collection \0 documentId}: the partition is everything up to and
   * including the first {@code separator} byte. A key without the separator belongs to the
   * partition with the empty name.
   */
  static Partitioner upToFirst(byte separator) {
    return key -> {
      for (int i = 0; i < key.length; i++) {
        if (key[i] == separator) {
          return i + 1;
        }
      }
      return 0;
    };
  }

  /** Every key in one partition, the empty name. */
  static Partitioner single() {
    return key -> 0;
  }
}
