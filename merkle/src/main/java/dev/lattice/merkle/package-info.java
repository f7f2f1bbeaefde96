/**
 * Merkle digests of a namespace and their reconciliation (PROTOCOL.md §7).
 *
 * <ul>
 *   <li>{@link dev.lattice.merkle.Digests}: the key hash (where a document sits in the trie) and
 *       the element digest (what it contributes), both BLAKE3-256.
 *   <li>{@link dev.lattice.merkle.tree}: the additive trie. {@code DigestBuckets} is what a
 *       replica keeps current on every write, O(1) per write (sums of element digests modulo
 *       2^256 in 4,096 buckets per partition); {@code DerivedTree} derives the trie from a
 *       snapshot of the buckets and an enumerator over one consistent version of the documents
 *       when a repair opens; {@code MemoryTree} is the same trie built from entries in memory.
 *   <li>{@link dev.lattice.merkle.sync.Reconciler}: the sans-I/O state machine over any
 *       {@link dev.lattice.merkle.sync.TreeView}; messages are
 *       {@link dev.lattice.merkle.sync.ReconcileMessage} with the binary form of
 *       {@link dev.lattice.merkle.sync.MessageCodec}.
 *   <li>{@link dev.lattice.merkle.Scope}: the partitions a session covers (all, one collection,
 *       what a client may read); {@link dev.lattice.merkle.Partitioner}: how keys map to them.
 *   <li>{@link dev.lattice.merkle.NodeKey}: where a node of the trie sits (partition, depth,
 *       key-hash prefix), as the trees and the messages name it.
 * </ul>
 *
 * <p>This module depends on the JDK and Bouncy Castle only (checked by {@code ArchitectureTest}).
 */
package dev.lattice.merkle;
