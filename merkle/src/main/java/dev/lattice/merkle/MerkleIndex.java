package dev.lattice.merkle;

import dev.lattice.merkle.internal.ByteKey;
import dev.lattice.merkle.internal.Bytes;
import dev.lattice.merkle.internal.NodeHasher;
import dev.lattice.merkle.store.Entry;
import dev.lattice.merkle.store.Node;
import dev.lattice.merkle.store.Node.Inner;
import dev.lattice.merkle.store.Node.Leaf;
import dev.lattice.merkle.store.NodeKey;
import dev.lattice.merkle.store.NodeStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The legacy persistent Merkle index over {@code key → value digest}, one hash trie per partition.
 *
 * <p><b>Legacy path.</b> Its node digests hash their children, so every commit rehashes and
 * rewrites the nodes on the paths it touched. The replica moves to {@link
 * dev.lattice.merkle.tree.DigestBuckets} (O(1) per write) and {@link
 * dev.lattice.merkle.tree.DerivedTree}; this class, {@link NodeStore} and its stores stay only
 * until nothing uses them. Its trie has the shape of the additive one, so it speaks the same
 * messages, but its digests differ: it reconciles only with another legacy index, and its
 * messages do not follow PROTOCOL.md §7.1 (which describes the additive digests).
 *
 * <h2>Idea</h2>
 *
 * <p>Each key is placed by the first 64 bits of its BLAKE3 hash, read as 16 hex digits. Within a
 * partition (see {@link Partitioner}), the node at depth {@code k} with prefix {@code p} holds
 * every key whose hash starts with the {@code k} digits {@code p}. A node with at most
 * {@code leafCapacity} keys is a leaf and lists them, sorted by key; a node with more is an inner
 * node with up to 16 children, one per next digit. This is a Merkle hash trie in the style of
 * Merkle Patricia / hash-array-mapped tries (Bagwell, "Ideal Hash Trees", 2001) with bucketed
 * leaves, and the Merkle comparison of Merkle (1987) on top.
 *
 * <p>The shape is a function of the key set alone (whether a node is a leaf depends only on how
 * many keys fall under it), so equal {@code key → digest} sets give equal nodes and equal root
 * digests whatever the order of insertions and removals. A removal that leaves an inner node with
 * {@code leafCapacity} keys or fewer collapses it back into a leaf to keep that true. Hashing the
 * key spreads keys evenly however skewed the document ids, so the depth is about
 * {@code log16(n / leafCapacity) + 1}.
 *
 * <p>Partitions are the unit of scoping: their tries are independent, so one collection (or
 * whatever a client may read) is reconciled without touching the others. Ordering is kept only
 * between partitions, where a {@link Scope} needs it; within a partition, hashing buys balance.
 *
 * <h2>Cost</h2>
 *
 * <p>{@link #put} and {@link #remove} read and write the nodes on one root-to-leaf path and mark
 * them stale; {@link #flush} recomputes stale digests, each once however many updates touched
 * it, so a batch of updates shares the upper levels. {@link #build} sorts by hash and writes every
 * node once with its digest.
 *
 * <p>Not thread-safe: one writer, and reconcilers on the same thread (or over a snapshot store
 * with their own index instance).
 */
public final class MerkleIndex {
  private final MerkleConfig config;
  private final NodeStore store;
  private final int leafCapacity;
  private final NodeHasher hasher = new NodeHasher();
  /** Partitions whose root may be stale. */
  private final TreeSet<byte[]> stalePartitions = new TreeSet<>(Arrays::compareUnsigned);

  /**
   * Opens the index held in {@code store} (empty or written before with the same config).
   */
  public MerkleIndex(MerkleConfig config, NodeStore store) {
    this.config = config;
    this.store = store;
    this.leafCapacity = config.leafCapacity();
    for (Iterator<byte[]> it = store.partitionsFrom(new byte[0]); it.hasNext(); ) {
      byte[] p = it.next();
      Node root = store.get(NodeKey.root(p));
      if (root != null && root.digest() == null) {
        stalePartitions.add(p);
      }
    }
  }

  /**
   * Builds an index of {@code entries} into an empty store, writing each node once.
   *
   * @throws MerkleIndexException STORE_NOT_EMPTY, DUPLICATE_KEY, KEY_LENGTH, VALUE_DIGEST_LENGTH
   *     or PARTITION_LENGTH
   */
  public static MerkleIndex build(
      MerkleConfig config, NodeStore store, Iterable<? extends Map.Entry<byte[], byte[]>> entries) {
    if (!store.isEmpty()) {
      throw new MerkleIndexException(MerkleIndexException.Reason.STORE_NOT_EMPTY,
          "bulk build needs an empty store");
    }
    MerkleIndex index = new MerkleIndex(config, store);
    // Group by partition without a lookup object per key: a replica has few partitions, and
    // consecutive keys usually share one, so the last match is tried first.
    List<byte[]> names = new ArrayList<>();
    List<List<Entry>> groups = new ArrayList<>();
    Map<ByteKey, Integer> many = new HashMap<>();
    int last = -1;
    for (Map.Entry<byte[], byte[]> e : entries) {
      byte[] key = e.getKey().clone();
      byte[] value = e.getValue().clone();
      index.checkKeyAndValue(key, value);
      int len = index.partitionLength(key);
      int g = last >= 0 && Bytes.prefixEquals(key, len, names.get(last)) ? last : -1;
      for (int i = 0; g < 0 && i < names.size() && names.size() <= 8; i++) {
        if (Bytes.prefixEquals(key, len, names.get(i))) {
          g = i;
        }
      }
      if (g < 0) {
        byte[] name = Arrays.copyOf(key, len);
        Integer known = names.size() > 8 ? many.get(new ByteKey(name)) : null;
        if (known != null) {
          g = known;
        } else {
          g = names.size();
          names.add(name);
          groups.add(new ArrayList<>());
          many.put(new ByteKey(name), g);
        }
      }
      last = g;
      groups.get(g).add(new Entry(key, value, index.hasher.keyHash(key)));
    }
    for (int g = 0; g < names.size(); g++) {
      Entry[] sorted = sortByHash(groups.get(g));
      groups.set(g, null);
      for (int i = 1; i < sorted.length; i++) {
        if (sorted[i - 1].keyHash() == sorted[i].keyHash()
            && Arrays.equals(sorted[i - 1].keyRef(), sorted[i].keyRef())) {
          throw new MerkleIndexException(MerkleIndexException.Reason.DUPLICATE_KEY,
              "key " + Bytes.hex(sorted[i].keyRef()) + " given twice");
        }
      }
      index.buildSubtree(NodeKey.root(names.get(g)), sorted, 0, sorted.length);
    }
    return index;
  }

  /**
   * Entries ordered by (key hash, key): a counting sort on the top 16 hash bits, then a small
   * sort per bucket. Hashes are uniform, so buckets hold about n / 65536 entries each; this is
   * several times faster than one comparator sort over a million objects.
   */
  private static Entry[] sortByHash(List<Entry> list) {
    int n = list.size();
    int[] starts = new int[(1 << 16) + 1];
    for (Entry e : list) {
      starts[(int) (e.keyHash() >>> 48) + 1]++;
    }
    for (int i = 0; i < 1 << 16; i++) {
      starts[i + 1] += starts[i];
    }
    Entry[] out = new Entry[n];
    int[] fill = Arrays.copyOf(starts, 1 << 16);
    for (Entry e : list) {
      out[fill[(int) (e.keyHash() >>> 48)]++] = e;
    }
    Comparator<Entry> byHash = (a, b) -> {
      int c = Long.compareUnsigned(a.keyHash(), b.keyHash());
      return c != 0 ? c : Arrays.compareUnsigned(a.keyRef(), b.keyRef());
    };
    for (int b = 0; b < 1 << 16; b++) {
      if (starts[b + 1] - starts[b] > 1) {
        Arrays.sort(out, starts[b], starts[b + 1], byHash);
      }
    }
    return out;
  }

  /** The inner nodes passed from a root towards a key hash, and the key and node where it stopped (a leaf, or null). */
  private record Descent(List<NodeKey> pathKeys, List<Inner> path, NodeKey at, Node node) {}

  private Descent descend(NodeKey at, Node node, long hash) {
    List<NodeKey> pathKeys = new ArrayList<>(8);
    List<Inner> path = new ArrayList<>(8);
    while (node instanceof Inner in) {
      pathKeys.add(at);
      path.add(in);
      int nibble = NodeKey.nibble(hash, at.depth());
      at = at.child(nibble);
      node = (in.childMask() & (1 << nibble)) == 0 ? null : store.get(at);
    }
    return new Descent(pathKeys, path, at, node);
  }


  public MerkleConfig config() {
    return config;
  }

  public NodeStore store() {
    return store;
  }

  /**
   * Sets the digest of {@code key}, inserting it if absent.
   *
   * @return false if the key already had this digest (nothing changed)
   * @throws MerkleIndexException KEY_LENGTH, VALUE_DIGEST_LENGTH or PARTITION_LENGTH
   */
  public boolean put(byte[] key, byte[] valueDigest) {
    checkKeyAndValue(key, valueDigest);
    byte[] partition = Arrays.copyOf(key, partitionLength(key));
    long hash = hasher.keyHash(key);
    Entry entry = new Entry(key.clone(), valueDigest.clone(), hash);
    NodeKey at = NodeKey.root(partition);
    Node node = store.get(at);
    if (node == null) {
      store.put(at, new Leaf(List.of(entry), null));
      stalePartitions.add(partition);
      return true;
    }
    Descent descent = descend(at, node, hash);
    List<NodeKey> pathKeys = descent.pathKeys();
    List<Inner> path = descent.path();
    at = descent.at();
    node = descent.node();
    boolean added;
    if (node == null) {
      store.put(at, new Leaf(List.of(entry), null));
      added = true;
    } else {
      List<Entry> entries = ((Leaf) node).entries();
      int i = search(entries, key);
      List<Entry> updated = new ArrayList<>(entries.size() + 1);
      updated.addAll(entries);
      if (i >= 0) {
        if (Arrays.equals(entries.get(i).valueDigestRef(), valueDigest)) {
          return false;
        }
        updated.set(i, entry);
        added = false;
      } else {
        updated.add(-i - 1, entry);
        added = true;
      }
      if (updated.size() > leafCapacity && at.depth() < MerkleConfig.MAX_DEPTH) {
        Entry[] byHash = updated.toArray(new Entry[0]);
        Arrays.sort(byHash, (a, b) -> Long.compareUnsigned(a.keyHash(), b.keyHash()));
        buildSubtree(at, byHash, 0, byHash.length);
      } else {
        store.put(at, new Leaf(updated, null));
      }
    }
    markPath(pathKeys, path, hash, added ? 1 : 0, -1);
    stalePartitions.add(partition);
    return true;
  }

  /**
   * Removes {@code key}.
   *
   * @return false if the key was absent
   * @throws MerkleIndexException KEY_LENGTH or PARTITION_LENGTH
   */
  public boolean remove(byte[] key) {
    checkKey(key);
    byte[] partition = Arrays.copyOf(key, partitionLength(key));
    long hash = hasher.keyHash(key);
    NodeKey at = NodeKey.root(partition);
    Node node = store.get(at);
    Descent descent = descend(at, node, hash);
    List<NodeKey> pathKeys = descent.pathKeys();
    List<Inner> path = descent.path();
    at = descent.at();
    node = descent.node();
    if (node == null) {
      return false;
    }
    List<Entry> entries = ((Leaf) node).entries();
    int i = search(entries, key);
    if (i < 0) {
      return false;
    }
    List<Entry> remaining = new ArrayList<>(entries);
    remaining.remove(i);
    // Keep the shape a function of the key set: the shallowest inner node left with
    // leafCapacity keys or fewer becomes a leaf again, absorbing everything below it.
    int collapseAt = -1;
    for (int d = 0; d < path.size(); d++) {
      if (path.get(d).count() - 1 <= leafCapacity) {
        collapseAt = d;
        break;
      }
    }
    if (collapseAt >= 0) {
      NodeKey top = pathKeys.get(collapseAt);
      List<Entry> all = new ArrayList<>();
      drainSubtree(top, store.get(top), key, all, true);
      Collections.sort(all);
      store.put(top, new Leaf(all, null));
      markPath(pathKeys.subList(0, collapseAt), path.subList(0, collapseAt), hash, -1, -1);
    } else if (remaining.isEmpty()) {
      store.remove(at);
      if (path.isEmpty()) {
        stalePartitions.remove(partition);
        return true;
      }
      markPath(pathKeys, path, hash, -1, path.size() - 1);
    } else {
      store.put(at, new Leaf(remaining, null));
      markPath(pathKeys, path, hash, -1, -1);
    }
    stalePartitions.add(partition);
    return true;
  }

  /** The digest stored for {@code key}, if present. */
  public Optional<byte[]> get(byte[] key) {
    checkKey(key);
    byte[] partition = Arrays.copyOf(key, partitionLength(key));
    long hash = hasher.keyHash(key);
    NodeKey at = NodeKey.root(partition);
    Node node = store.get(at);
    while (node instanceof Inner in) {
      int nibble = NodeKey.nibble(hash, at.depth());
      at = at.child(nibble);
      node = (in.childMask() & (1 << nibble)) == 0 ? null : store.get(at);
    }
    if (node == null) {
      return Optional.empty();
    }
    List<Entry> entries = ((Leaf) node).entries();
    int i = search(entries, key);
    return i < 0 ? Optional.empty() : Optional.of(entries.get(i).valueDigest());
  }

  /** Recomputes every stale digest, each node once, and stores it. */
  public void flush() {
    for (byte[] p : stalePartitions) {
      NodeKey root = NodeKey.root(p);
      Node node = store.get(root);
      if (node != null) {
        refresh(root, node);
      }
    }
    stalePartitions.clear();
  }

  /** The root digest of {@code partition} (after a {@link #flush}), or null if it is empty. */
  public byte[] rootDigest(byte[] partition) {
    flush();
    Node root = store.get(NodeKey.root(partition));
    return root == null ? null : root.digest().clone();
  }

  /** Names of the non-empty partitions in {@code scope}, in unsigned order. */
  public List<byte[]> partitions(Scope scope) {
    List<byte[]> out = new ArrayList<>();
    for (Scope.Range r : scope.ranges()) {
      byte[] to = r.to();
      for (Iterator<byte[]> it = store.partitionsFrom(r.from()); it.hasNext(); ) {
        byte[] p = it.next();
        if (to != null && Arrays.compareUnsigned(p, to) >= 0) {
          break;
        }
        out.add(p);
      }
    }
    return out;
  }

  /** Number of keys in {@code scope}. */
  public long size(Scope scope) {
    long n = 0;
    for (byte[] p : partitions(scope)) {
      n += store.get(NodeKey.root(p)).count();
    }
    return n;
  }

  /** The node at {@code key}, or null. Digests may be stale unless {@link #flush} ran. */
  public Node node(NodeKey key) {
    return store.get(key);
  }

  /** Visits every entry at or below {@code at} (in trie order, not key order). */
  public void forEachEntry(NodeKey at, Consumer<Entry> action) {
    Node node = store.get(at);
    if (node instanceof Leaf leaf) {
      leaf.entries().forEach(action);
    } else if (node instanceof Inner in) {
      for (int i = 0; i < 16; i++) {
        if ((in.childMask() & (1 << i)) != 0) {
          forEachEntry(at.child(i), action);
        }
      }
    }
  }

  /** Visits every entry in {@code scope}. */
  public void forEachEntry(Scope scope, Consumer<Entry> action) {
    for (byte[] p : partitions(scope)) {
      forEachEntry(NodeKey.root(p), action);
    }
  }

  /** True if {@code key} is placed at or below {@code at}: same partition, hash under prefix. */
  public boolean placedUnder(byte[] key, NodeKey at) {
    int len = partitionLength(key);
    return Bytes.prefixEquals(key, len, at.partitionRef()) && at.containsHash(hasher.keyHash(key));
  }

  /** Length of the partition prefix of {@code key}, checked. */
  public int partitionLength(byte[] key) {
    int len = config.partitioner().partitionLength(key);
    if (len < 0 || len > key.length) {
      throw new MerkleIndexException(MerkleIndexException.Reason.PARTITION_LENGTH,
          "partitioner gave length " + len + " for key " + Bytes.hex(key));
    }
    return len;
  }

  // ---- internals ----

  private void checkKey(byte[] key) {
    if (key.length == 0 || key.length > MerkleConfig.MAX_KEY_LENGTH) {
      throw new MerkleIndexException(MerkleIndexException.Reason.KEY_LENGTH,
          "key length " + key.length + " outside [1, " + MerkleConfig.MAX_KEY_LENGTH + "]: "
              + Bytes.hex(key));
    }
  }

  private void checkKeyAndValue(byte[] key, byte[] value) {
    checkKey(key);
    if (value.length == 0 || value.length > MerkleConfig.MAX_VALUE_DIGEST_LENGTH) {
      throw new MerkleIndexException(MerkleIndexException.Reason.VALUE_DIGEST_LENGTH,
          "value digest length " + value.length + " outside [1, "
              + MerkleConfig.MAX_VALUE_DIGEST_LENGTH + "] for key " + Bytes.hex(key));
    }
  }

  private static int search(List<Entry> entries, byte[] key) {
    int lo = 0;
    int hi = entries.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = Arrays.compareUnsigned(entries.get(mid).keyRef(), key);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -(lo + 1);
  }

  /**
   * Rewrites the inner nodes on a path after a change below them: counts move by
   * {@code countDelta}, the child on the path is marked dirty (or, at {@code removedChildAt},
   * dropped because it became empty), and each node's own digest goes stale.
   */
  private void markPath(List<NodeKey> keys, List<Inner> path, long hash, int countDelta,
      int removedChildAt) {
    for (int d = path.size() - 1; d >= 0; d--) {
      Inner in = path.get(d);
      int bit = 1 << NodeKey.nibble(hash, keys.get(d).depth());
      Inner updated;
      if (d == removedChildAt) {
        byte[][] ds = in.childDigestsRef().clone();
        ds[Integer.numberOfTrailingZeros(bit)] = null;
        updated = new Inner(in.count() + countDelta, in.childMask() & ~bit,
            in.dirtyMask() & ~bit, ds, null);
      } else {
        updated = new Inner(in.count() + countDelta, in.childMask() | bit, in.dirtyMask() | bit,
            in.childDigestsRef(), null);
      }
      store.put(keys.get(d), updated);
    }
  }

  /** Collects the entries below {@code at} except {@code skip}, deleting nodes below {@code at}. */
  private void drainSubtree(NodeKey at, Node node, byte[] skip, List<Entry> out, boolean top) {
    if (node instanceof Leaf leaf) {
      for (Entry e : leaf.entries()) {
        if (!Arrays.equals(e.keyRef(), skip)) {
          out.add(e);
        }
      }
    } else {
      Inner in = (Inner) node;
      for (int i = 0; i < 16; i++) {
        if ((in.childMask() & (1 << i)) != 0) {
          NodeKey c = at.child(i);
          drainSubtree(c, store.get(c), skip, out, false);
        }
      }
    }
    if (!top) {
      store.remove(at);
    }
  }

  /**
   * Writes the subtree for {@code es[from, to)} (sorted by key hash) at {@code at}, digests
   * included, and returns its top node.
   */
  private Node buildSubtree(NodeKey at, Entry[] es, int from, int to) {
    int n = to - from;
    int depth = at.depth();
    if (n <= leafCapacity || depth == MerkleConfig.MAX_DEPTH) {
      Entry[] leafEntries = Arrays.copyOfRange(es, from, to);
      Arrays.sort(leafEntries);
      List<Entry> list = List.of(leafEntries);
      Leaf leaf = new Leaf(list, hasher.leafDigest(list));
      store.put(at, leaf);
      return leaf;
    }
    byte[][] digests = new byte[16][];
    int mask = 0;
    int i = from;
    while (i < to) {
      int nibble = NodeKey.nibble(es[i].keyHash(), depth);
      int j = i + 1;
      while (j < to && NodeKey.nibble(es[j].keyHash(), depth) == nibble) {
        j++;
      }
      digests[nibble] = buildSubtree(at.child(nibble), es, i, j).digest();
      mask |= 1 << nibble;
      i = j;
    }
    Inner in = new Inner(n, mask, 0, digests, hasher.innerDigest(mask, digests));
    store.put(at, in);
    return in;
  }

  private byte[] refresh(NodeKey at, Node node) {
    if (node.digest() != null) {
      return node.digest();
    }
    if (node instanceof Leaf leaf) {
      byte[] d = hasher.leafDigest(leaf.entries());
      store.put(at, new Leaf(leaf.entries(), d));
      return d;
    }
    Inner in = (Inner) node;
    byte[][] ds = in.childDigestsRef().clone();
    for (int bits = in.dirtyMask(); bits != 0; bits &= bits - 1) {
      int i = Integer.numberOfTrailingZeros(bits);
      NodeKey c = at.child(i);
      ds[i] = refresh(c, store.get(c));
    }
    byte[] d = hasher.innerDigest(in.childMask(), ds);
    store.put(at, new Inner(in.count(), in.childMask(), 0, ds, d));
    return d;
  }
}
