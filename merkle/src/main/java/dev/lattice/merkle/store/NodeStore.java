package dev.lattice.merkle.store;

import java.util.Iterator;

/**
 * Where a {@link dev.lattice.merkle.MerkleIndex} keeps its nodes. The index is its only writer and
 * is not thread-safe; a store need not be either.
 *
 * <p>Two implementations come with the module: {@link InMemoryNodeStore} (objects in a hash map,
 * for tests and benchmarks) and {@link SortedBytesNodeStore} (nodes serialised with
 * {@link NodeCodec} into any ordered byte map). The replica keeps the tree in MVStore by giving
 * {@link SortedBytesNodeStore} an {@code MVMap<byte[], byte[]>} through its four-method
 * {@link SortedBytesNodeStore.ByteMap} interface, in the same transaction as the documents, so
 * the tree and the documents come from one consistent version.
 */
public interface NodeStore {

  /** The node at {@code key}, or null if there is none. */
  Node get(NodeKey key);

  /** Stores or replaces the node at {@code key}. */
  void put(NodeKey key, Node node);

  /** Removes the node at {@code key}, if any. */
  void remove(NodeKey key);

  /**
   * Names of the partitions that have a root node ({@code depth == 0}), in unsigned lexicographic
   * order, starting at the first name {@code >= fromInclusive}.
   */
  Iterator<byte[]> partitionsFrom(byte[] fromInclusive);

  /** True if the store holds no node at all. */
  boolean isEmpty();
}
