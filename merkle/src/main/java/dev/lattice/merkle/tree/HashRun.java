package dev.lattice.merkle.tree;

import dev.lattice.merkle.MerkleConfig;
import dev.lattice.merkle.MerkleIndexException;
import dev.lattice.merkle.NodeKey;
import dev.lattice.merkle.Scope;
import dev.lattice.merkle.internal.Bytes;
import dev.lattice.merkle.internal.Sum256;
import dev.lattice.merkle.sync.KeyDigest;
import dev.lattice.merkle.sync.NodeView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.NavigableMap;
import java.util.function.BiConsumer;

/**
 * Entries of one partition (or one bucket of it) sorted by (key hash, key), with prefix sums of
 * their element digests. Every trie node over them is a contiguous range: its count is a
 * difference of indexes and its digest a difference of two prefix sums, so any node, at any
 * depth, costs two binary searches. Immutable.
 */
final class HashRun {
  private static final Comparator<Element> BY_HASH_THEN_KEY = (a, b) -> {
    int c = Long.compareUnsigned(a.hash, b.hash);
    return c != 0 ? c : Arrays.compareUnsigned(a.key, b.key);
  };

  /** One entry while building; the arrays are owned (already copied). */
  record Element(long hash, byte[] key, byte[] digest) {}

  private final long[] hashes;
  private final byte[][] keys;
  private final byte[][] digests;
  /** {@code cum[4i, 4i + 4)} is the sum of the digests of entries {@code [0, i)}. */
  private final long[] cum;

  private HashRun(long[] hashes, byte[][] keys, byte[][] digests, long[] cum) {
    this.hashes = hashes;
    this.keys = keys;
    this.digests = digests;
    this.cum = cum;
  }

  /**
   * Sorts {@code elements} (which it may reorder) into a run.
   *
   * @throws MerkleIndexException DUPLICATE_KEY if a key occurs twice
   */
  static HashRun of(Element[] elements) {
    Arrays.sort(elements, BY_HASH_THEN_KEY);
    int n = elements.length;
    long[] hashes = new long[n];
    byte[][] keys = new byte[n][];
    byte[][] digests = new byte[n][];
    long[] cum = new long[Sum256.LIMBS * (n + 1)];
    for (int i = 0; i < n; i++) {
      Element e = elements[i];
      if (i > 0 && e.hash == hashes[i - 1] && Arrays.equals(e.key, keys[i - 1])) {
        throw new MerkleIndexException(MerkleIndexException.Reason.DUPLICATE_KEY,
            "key " + Bytes.hex(e.key) + " given twice");
      }
      hashes[i] = e.hash;
      keys[i] = e.key;
      digests[i] = e.digest;
      System.arraycopy(cum, 4 * i, cum, 4 * (i + 1), 4);
      Sum256.add(cum, 4 * (i + 1), e.digest);
    }
    return new HashRun(hashes, keys, digests, cum);
  }

  int size() {
    return hashes.length;
  }

  /** Sum of the digests of entries {@code [0, i)}, as limbs at {@code cum[4i]}. */
  long[] prefixSums() {
    return cum;
  }

  /** First index in {@code [lo, hi)} whose hash is {@code >= from} (unsigned), else hi. */
  private int lowerBound(long from, int lo, int hi) {
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (Long.compareUnsigned(hashes[mid], from) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Index of the first entry under {@code at}. */
  int start(NodeKey at) {
    return at.depth() == 0 ? 0 : lowerBound(at.prefix(), 0, hashes.length);
  }

  /** Index after the last entry under {@code at}. */
  int end(NodeKey at) {
    long next = at.depth() == 0 ? 0 : at.prefix() + (1L << (64 - 4 * at.depth()));
    return next == 0 ? hashes.length : lowerBound(next, 0, hashes.length);
  }

  byte[] digest(int lo, int hi) {
    return Sum256.difference(cum, 4 * hi, cum, 4 * lo);
  }

  void forEach(int lo, int hi, BiConsumer<byte[], byte[]> action) {
    for (int i = lo; i < hi; i++) {
      action.accept(keys[i], digests[i]);
    }
  }

  /** Adds the entries {@code [lo, hi)} to {@code out}. */
  void collect(int lo, int hi, List<KeyDigest> out) {
    for (int i = lo; i < hi; i++) {
      out.add(new KeyDigest(keys[i], digests[i]));
    }
  }

  /** The node at {@code at}, which covers entries {@code [lo, hi)}; null if the range is empty. */
  NodeView view(NodeKey at, int lo, int hi, int leafCapacity) {
    int n = hi - lo;
    if (n == 0) {
      return null;
    }
    if (n <= leafCapacity || at.depth() == MerkleConfig.MAX_DEPTH) {
      List<KeyDigest> entries = new ArrayList<>(n);
      collect(lo, hi, entries);
      return leaf(at, entries);
    }
    int shift = 60 - 4 * at.depth();
    int mask = 0;
    List<byte[]> ds = new ArrayList<>(16);
    int from = lo;
    for (int i = 0; i < 16; i++) {
      int to = i == 15 ? hi : lowerBound(at.prefix() | ((long) (i + 1) << shift), from, hi);
      if (to > from) {
        mask |= 1 << i;
        ds.add(digest(from, to));
      }
      from = to;
    }
    return new NodeView.InnerView(at, mask, ds);
  }

  /** A leaf view of {@code entries} (any order; sorted here by key). */
  static NodeView.LeafView leaf(NodeKey at, List<KeyDigest> entries) {
    entries.sort((a, b) -> Arrays.compareUnsigned(a.key(), b.key()));
    return new NodeView.LeafView(at, entries);
  }

  /** Names in {@code partitions} that {@code scope} covers, in unsigned order. */
  static List<byte[]> inScope(NavigableMap<byte[], ?> partitions, Scope scope) {
    List<byte[]> out = new ArrayList<>();
    for (Scope.Range r : scope.ranges()) {
      byte[] to = r.to();
      NavigableMap<byte[], ?> sub = to == null ? partitions.tailMap(r.from(), true)
          : partitions.subMap(r.from(), true, to, false);
      for (byte[] p : sub.keySet()) {
        out.add(p.clone());
      }
    }
    return out;
  }
}
