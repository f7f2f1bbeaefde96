package dev.lattice.merkle.sync;

import dev.lattice.merkle.MerkleConfig;
import dev.lattice.merkle.NodeKey;
import dev.lattice.merkle.Scope;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * What a {@link Reconciler} reads: one side's Merkle trie, fixed for the whole session.
 *
 * <p>The trie is the one of PROTOCOL.md §7.2: per partition, the node at depth {@code k} with
 * prefix {@code p} holds every key whose key hash starts with the {@code k} hex digits {@code p};
 * it is a leaf if it holds at most {@code leafCapacity} keys (or sits at depth 16), else an inner
 * node with one child per non-empty next digit. A node's digest is the sum modulo 2^256 of the
 * element digests below it (see {@link dev.lattice.merkle.tree.DigestBuckets}). The shape and
 * every digest are functions of the {@code key → element digest} set alone, so two
 * implementations over the same set answer every method identically.
 *
 * <p>Implementations: {@link dev.lattice.merkle.tree.MemoryTree} (every entry in memory) and
 * {@link dev.lattice.merkle.tree.DerivedTree} (bucket sums plus an enumerator over storage). An
 * implementation must not change while a session reads it.
 */
public interface TreeView {

  /** Leaf capacity and partitioner; both sides of a session must agree on them. */
  MerkleConfig config();

  /** Names of the non-empty partitions in {@code scope}, in unsigned order. */
  List<byte[]> partitions(Scope scope);

  /** Number of keys under {@code at}; 0 if none. */
  long count(NodeKey at);

  /** The digest of the node at {@code at} (32 bytes), or null if no key is under it. */
  byte[] digest(NodeKey at);

  /**
   * The node at {@code at}: a {@link NodeView.LeafView} (every key under it with its element
   * digest, in key order) or a {@link NodeView.InnerView} (child mask and child digests); null if
   * no key is under it.
   */
  NodeView node(NodeKey at);

  /** Calls {@code action} with every key under {@code at} and its element digest, in any order. */
  void forEachEntry(NodeKey at, BiConsumer<byte[], byte[]> action);

  /**
   * Lets a view whose entries live in storage read them in one batch. The reconciler calls this
   * before it computes a message, with {@code dryRun} computing that message and discarding it;
   * a view may answer reads during the dry run from what it already holds, note what it lacks,
   * and fetch all of that once {@code dryRun} returns, so the real computation that follows finds
   * everything in memory. Results of the dry run are never used. The default does nothing: a view
   * that holds everything in memory has nothing to batch.
   */
  default void prefetch(Runnable dryRun) {}
}
