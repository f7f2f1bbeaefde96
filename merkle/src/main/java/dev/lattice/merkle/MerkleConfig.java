package dev.lattice.merkle;

/**
 * Shape of a Merkle trie ({@link dev.lattice.merkle.sync.TreeView}, kept by {@link
 * dev.lattice.merkle.tree.DigestBuckets}). Two tries can be reconciled cheaply only if their leaf
 * capacities are equal (the reconciler checks this) and their partitioners agree (it cannot).
 *
 * @param leafCapacity a node holding at most this many entries is a leaf; more, and it splits
 *     into {@link #FANOUT} children. Small leaves make updates and differences cheap; large
 *     leaves make the tree shallower.
 * @param partitioner how keys map to partitions
 */
public record MerkleConfig(int leafCapacity, Partitioner partitioner) {

  /** Children per inner node: one hex digit of the key hash per level. */
  public static final int FANOUT = 16;
  /** Maximum trie depth: the 64-bit key hash has 16 hex digits. */
  public static final int MAX_DEPTH = 16;
  public static final int MAX_KEY_LENGTH = 16 * 1024;
  public static final int MAX_LEAF_CAPACITY = 1024;

  /**
   * @throws MerkleIndexException with reason CONFIG if leafCapacity is outside [1, 1024]
   */
  public MerkleConfig {
    if (leafCapacity < 1 || leafCapacity > MAX_LEAF_CAPACITY) {
      throw new MerkleIndexException(
          MerkleIndexException.Reason.CONFIG,
          "leafCapacity must be in [1, " + MAX_LEAF_CAPACITY + "], got " + leafCapacity);
    }
    if (partitioner == null) {
      throw new MerkleIndexException(MerkleIndexException.Reason.CONFIG, "partitioner is null");
    }
  }

  /** Leaf capacity 16, partitions up to the first {@code 0x00} byte (the replica key layout). */
  public static MerkleConfig defaults() {
    return new MerkleConfig(16, Partitioner.upToFirst((byte) 0));
  }
}
