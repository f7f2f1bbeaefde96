/**
 * Incremental Merkle index over {@code key → value digest} and its reconciliation.
 *
 * <ul>
 *   <li>{@link dev.lattice.merkle.MerkleIndex}: one hash trie per partition (a key prefix such as
 *       {@code collection \0}); {@code put}/{@code remove} in O(depth), digests recomputed lazily
 *       by {@code flush}; {@code build} for bulk loads.
 *   <li>{@link dev.lattice.merkle.store.NodeStore}: where nodes live. {@code replica/} wraps an
 *       MVStore {@code MVMap<byte[], byte[]>} in {@link dev.lattice.merkle.store.SortedBytesNodeStore}
 *       and updates the index in the same commit as the document, calling {@code flush} before
 *       the commit so every stored version is clean.
 *   <li>{@link dev.lattice.merkle.Scope}: the partitions a session covers (all, one collection,
 *       what a client may read).
 *   <li>{@link dev.lattice.merkle.sync.Reconciler}: the sans-I/O state machine; messages are
 *       {@link dev.lattice.merkle.sync.ReconcileMessage} with the binary form of
 *       {@link dev.lattice.merkle.sync.MessageCodec}.
 * </ul>
 *
 * <p>This module depends on the JDK and Bouncy Castle only (checked by {@code ArchitectureTest}).
 */
package dev.lattice.merkle;
