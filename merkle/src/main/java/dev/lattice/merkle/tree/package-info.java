/**
 * The additive Merkle trie: bucket sums kept current per write, and the trie derived from them.
 *
 * <p>A replica's write path: compute the document's {@link dev.lattice.merkle.Digests#element
 * element digest}, call {@link dev.lattice.merkle.tree.DigestBuckets#update} with the old and new
 * digests, and before each commit store what {@link
 * dev.lattice.merkle.tree.DigestBuckets#drainDirty} hands over. A repair: take a {@link
 * dev.lattice.merkle.tree.DigestBuckets#snapshot} and an {@link dev.lattice.merkle.tree.Enumerator}
 * over the same consistent version of the documents, open a {@link
 * dev.lattice.merkle.tree.DerivedTree}, and give it to a {@link dev.lattice.merkle.sync.Reconciler}.
 * {@link dev.lattice.merkle.tree.MemoryTree} builds the same trie from entries in memory.
 */
package dev.lattice.merkle.tree;
