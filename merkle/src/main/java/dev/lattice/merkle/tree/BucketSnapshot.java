package dev.lattice.merkle.tree;

import dev.lattice.merkle.MerkleConfig;
import dev.lattice.merkle.NodeKey;
import dev.lattice.merkle.Scope;
import dev.lattice.merkle.internal.Bytes;
import dev.lattice.merkle.internal.Sum256;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bucket sums of a {@link DigestBuckets} frozen at one moment: what a {@link DerivedTree}
 * derives the upper levels of the trie from. Per non-empty partition, the non-empty buckets in
 * id order with prefix sums of their counts and digest sums, so the node at any depth up to
 * {@link DigestBuckets#DEPTH} (a range of buckets) costs two binary searches. Immutable and
 * thread-safe; equal bucket contents give equal snapshots ({@link #equals}), which is how a test
 * checks kept-current buckets against buckets rebuilt from the documents.
 */
public final class BucketSnapshot {
  private final MerkleConfig config;
  private final TreeMap<byte[], Part> parts;
  private final long size;

  /** One partition: bucket ids ascending, prefix sums of counts and of digest sums. */
  static final class Part {
    final int[] ids;
    /** {@code counts[i]} keys in buckets {@code ids[0, i)}. */
    final long[] counts;
    /** {@code sums[4i, 4i + 4)} the digest sum of buckets {@code ids[0, i)}. */
    final long[] sums;

    Part(int[] ids, long[] counts, long[] sums) {
      this.ids = ids;
      this.counts = counts;
      this.sums = sums;
    }

    /** First index whose id is {@code >= id}. */
    int lower(int id) {
      int i = Arrays.binarySearch(ids, id);
      return i >= 0 ? i : -i - 1;
    }

    long total() {
      return counts[ids.length];
    }
  }

  BucketSnapshot(MerkleConfig config, TreeMap<byte[], Part> parts) {
    this.config = config;
    this.parts = parts;
    long n = 0;
    for (Part p : parts.values()) {
      n += p.total();
    }
    this.size = n;
  }

  public MerkleConfig config() {
    return config;
  }

  /** Number of keys in every partition. */
  public long size() {
    return size;
  }

  /** Names of the non-empty partitions in {@code scope}, in unsigned order. */
  public List<byte[]> partitions(Scope scope) {
    return HashRun.inScope(parts, scope);
  }

  /** Number of keys of {@code partition} in bucket {@code bucket}. */
  public long bucketCount(byte[] partition, int bucket) {
    Part p = parts.get(partition);
    if (p == null) {
      return 0;
    }
    int i = p.lower(bucket);
    return i < p.ids.length && p.ids[i] == bucket ? p.counts[i + 1] - p.counts[i] : 0;
  }

  Part part(byte[] partition) {
    return parts.get(partition);
  }

  /** First and last-plus-one bucket id under {@code at}, whose depth is at most the bucket depth. */
  static int firstBucket(NodeKey at) {
    return DigestBuckets.bucketOf(at.prefix());
  }

  static int endBucket(NodeKey at) {
    return firstBucket(at) + (1 << (4 * (DigestBuckets.DEPTH - at.depth())));
  }

  /** Keys under {@code at} (depth at most {@link DigestBuckets#DEPTH}). */
  long count(NodeKey at) {
    Part p = parts.get(at.partitionRef());
    if (p == null) {
      return 0;
    }
    return p.counts[p.lower(endBucket(at))] - p.counts[p.lower(firstBucket(at))];
  }

  /** Digest of the node at {@code at} (depth at most the bucket depth), or null if empty. */
  byte[] digest(NodeKey at) {
    Part p = parts.get(at.partitionRef());
    if (p == null) {
      return null;
    }
    int lo = p.lower(firstBucket(at));
    int hi = p.lower(endBucket(at));
    return p.counts[hi] == p.counts[lo] ? null
        : Sum256.difference(p.sums, 4 * hi, p.sums, 4 * lo);
  }

  /** True if bucket {@code bucket} of {@code p} holds {@code count} keys summing to {@code sum}. */
  static boolean bucketHolds(Part p, int bucket, long count, long[] sum, int sumAt) {
    int i = p == null ? 0 : p.lower(bucket);
    if (p == null || i >= p.ids.length || p.ids[i] != bucket) {
      return count == 0;
    }
    if (p.counts[i + 1] - p.counts[i] != count) {
      return false;
    }
    return Arrays.equals(Sum256.difference(p.sums, 4 * (i + 1), p.sums, 4 * i),
        Sum256.toBytes(sum, sumAt));
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof BucketSnapshot s) || s.parts.size() != parts.size()) {
      return false;
    }
    for (Map.Entry<byte[], Part> e : parts.entrySet()) {
      Part q = s.parts.get(e.getKey());
      Part p = e.getValue();
      if (q == null || !Arrays.equals(p.ids, q.ids) || !Arrays.equals(p.counts, q.counts)
          || !Arrays.equals(p.sums, q.sums)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = 0;
    for (Map.Entry<byte[], Part> e : parts.entrySet()) {
      h = h * 31 + Arrays.hashCode(e.getKey());
      h = h * 31 + Arrays.hashCode(e.getValue().sums);
    }
    return h;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("BucketSnapshot[");
    for (Map.Entry<byte[], Part> e : parts.entrySet()) {
      Part p = e.getValue();
      sb.append(Bytes.hex(e.getKey())).append(": ").append(p.total()).append(" keys in ")
          .append(p.ids.length).append(" buckets, sum ")
          .append(Bytes.hex(Sum256.toBytes(p.sums, 4 * p.ids.length))).append("; ");
    }
    return sb.append(']').toString();
  }
}
