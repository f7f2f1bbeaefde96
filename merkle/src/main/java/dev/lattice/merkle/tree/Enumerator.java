package dev.lattice.merkle.tree;

import dev.lattice.merkle.NodeKey;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.LongPredicate;

/**
 * How a {@link DerivedTree} reads the documents below the bucket sums: the storage owner lists,
 * from the same consistent version the bucket snapshot was taken from, every document of one
 * partition whose key hash starts with one of some hex prefixes, with its element digest.
 *
 * <p>Calls: at most one per partition per reconciliation message (the tree batches through
 * {@link dev.lattice.merkle.sync.TreeView#prefetch}). A bucket already listed is asked for again
 * only inside a wider prefix that also holds buckets not yet listed (the tree ignores the
 * repeats). Every prefix has depth at most {@link DigestBuckets#DEPTH}; the prefixes of one call
 * are disjoint, sorted by prefix, and never empty. Two ways to answer, both from one MVStore
 * version:
 *
 * <ul>
 *   <li>range scans of a map kept in hash order ({@link HashOrderedKey}: partition, key hash,
 *       key → element digest), one per prefix, each as long as its answer;
 *   <li>one scan of the partition's documents, keeping those whose {@link
 *       dev.lattice.merkle.Digests#keyHash key hash} passes {@link #filter} and hashing only
 *       those.
 * </ul>
 *
 * <p>The tree checks what is listed against the snapshot (count and digest sum of every bucket,
 * placement of every key) and throws {@code INCONSISTENT_ENUMERATION} if they disagree.
 */
@FunctionalInterface
public interface Enumerator {

  /**
   * Calls {@code sink} once with (key, element digest) for every document of {@code partition}
   * whose key hash is under one of {@code prefixes}, in any order. The arrays may be reused by
   * the caller after {@code sink} returns: the tree copies them.
   */
  void enumerate(byte[] partition, List<NodeKey> prefixes, BiConsumer<byte[], byte[]> sink);

  /**
   * A test of key hashes against {@code prefixes} (each at depth at most
   * {@link DigestBuckets#DEPTH}) in O(1) per hash: a bitmap of the buckets they cover.
   */
  static LongPredicate filter(List<NodeKey> prefixes) {
    long[] bits = new long[DigestBuckets.BUCKETS / 64];
    for (NodeKey p : prefixes) {
      if (p.depth() > DigestBuckets.DEPTH) {
        throw new IllegalArgumentException("prefix " + p + " is deeper than the buckets");
      }
      for (int b = BucketSnapshot.firstBucket(p); b < BucketSnapshot.endBucket(p); b++) {
        bits[b >>> 6] |= 1L << (b & 63);
      }
    }
    return hash -> {
      int b = DigestBuckets.bucketOf(hash);
      return (bits[b >>> 6] & (1L << (b & 63))) != 0;
    };
  }
}
