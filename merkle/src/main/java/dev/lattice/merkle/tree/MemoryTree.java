package dev.lattice.merkle.tree;

import dev.lattice.merkle.Digests;
import dev.lattice.merkle.MerkleConfig;
import dev.lattice.merkle.MerkleIndexException;
import dev.lattice.merkle.NodeKey;
import dev.lattice.merkle.Scope;
import dev.lattice.merkle.internal.ByteKey;
import dev.lattice.merkle.internal.Bytes;
import dev.lattice.merkle.sync.NodeView;
import dev.lattice.merkle.sync.TreeView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * The Merkle trie of a {@code key → element digest} set held entirely in memory: the reference
 * form of the tree (PROTOCOL.md §7.2), used where the set is built for one session (a repair of
 * what one reader may see, whose documents are projected for that reader) and by tests, which
 * check every other {@link TreeView} against it.
 *
 * <p>Each partition is one {@link HashRun}: entries sorted by key hash with prefix sums of their
 * digests, so a node at any depth is a range found by binary search and its digest one
 * subtraction. Building sorts once, O(n log n); nothing is hashed but the keys. Immutable and
 * thread-safe once built.
 */
public final class MemoryTree implements TreeView {
  private final MerkleConfig config;
  private final TreeMap<byte[], HashRun> partitions;
  private final long size;

  private MemoryTree(MerkleConfig config, TreeMap<byte[], HashRun> partitions) {
    this.config = config;
    this.partitions = partitions;
    long n = 0;
    for (HashRun r : partitions.values()) {
      n += r.size();
    }
    this.size = n;
  }

  /** An empty builder. */
  public static Builder builder(MerkleConfig config) {
    return new Builder(config);
  }

  /**
   * The tree of {@code entries} ({@code key → element digest}).
   *
   * @throws MerkleIndexException KEY_LENGTH, VALUE_DIGEST_LENGTH, PARTITION_LENGTH or
   *     DUPLICATE_KEY
   */
  public static MemoryTree of(MerkleConfig config,
      Iterable<? extends Map.Entry<byte[], byte[]>> entries) {
    Builder b = builder(config);
    for (Map.Entry<byte[], byte[]> e : entries) {
      b.add(e.getKey(), e.getValue());
    }
    return b.build();
  }

  /** Number of keys in every partition. */
  public long size() {
    return size;
  }

  @Override
  public MerkleConfig config() {
    return config;
  }

  @Override
  public List<byte[]> partitions(Scope scope) {
    return HashRun.inScope(partitions, scope);
  }

  @Override
  public long count(NodeKey at) {
    HashRun run = partitions.get(at.partitionRef());
    return run == null ? 0 : run.end(at) - run.start(at);
  }

  @Override
  public byte[] digest(NodeKey at) {
    HashRun run = partitions.get(at.partitionRef());
    if (run == null) {
      return null;
    }
    int lo = run.start(at);
    int hi = run.end(at);
    return lo == hi ? null : run.digest(lo, hi);
  }

  @Override
  public NodeView node(NodeKey at) {
    HashRun run = partitions.get(at.partitionRef());
    return run == null ? null : run.view(at, run.start(at), run.end(at), config.leafCapacity());
  }

  @Override
  public void forEachEntry(NodeKey at, BiConsumer<byte[], byte[]> action) {
    HashRun run = partitions.get(at.partitionRef());
    if (run != null) {
      run.forEach(run.start(at), run.end(at), action);
    }
  }

  /** Collects entries, then sorts each partition once. Not thread-safe; single use. */
  public static final class Builder {
    private final MerkleConfig config;
    private final Map<ByteKey, List<HashRun.Element>> groups = new HashMap<>();
    private byte[] lastName;
    private List<HashRun.Element> lastGroup;
    private boolean built;

    private Builder(MerkleConfig config) {
      this.config = config;
    }

    /**
     * Adds {@code key} with its element digest (both copied).
     *
     * @throws MerkleIndexException KEY_LENGTH, VALUE_DIGEST_LENGTH or PARTITION_LENGTH
     * @throws IllegalStateException after {@link #build}
     */
    public Builder add(byte[] key, byte[] elementDigest) {
      if (built) {
        throw new IllegalStateException("builder already built");
      }
      long hash = Digests.keyHash(key);
      checkDigest(key, elementDigest);
      int len = partitionLength(config, key);
      List<HashRun.Element> group = lastGroup;
      if (group == null || !Bytes.prefixEquals(key, len, lastName)) {
        lastName = Arrays.copyOf(key, len);
        group = groups.computeIfAbsent(new ByteKey(lastName), k -> new ArrayList<>());
        lastGroup = group;
      }
      group.add(new HashRun.Element(hash, key.clone(), elementDigest.clone()));
      return this;
    }

    /**
     * @throws MerkleIndexException DUPLICATE_KEY if a key was added twice
     */
    public MemoryTree build() {
      built = true;
      TreeMap<byte[], HashRun> runs = new TreeMap<>(Arrays::compareUnsigned);
      for (Map.Entry<ByteKey, List<HashRun.Element>> e : groups.entrySet()) {
        runs.put(e.getKey().bytes(), HashRun.of(e.getValue().toArray(new HashRun.Element[0])));
      }
      groups.clear();
      return new MemoryTree(config, runs);
    }
  }

  static void checkDigest(byte[] key, byte[] digest) {
    if (digest.length != Digests.LENGTH) {
      throw new MerkleIndexException(MerkleIndexException.Reason.VALUE_DIGEST_LENGTH,
          "element digest of " + Bytes.hex(key) + " has " + digest.length + " bytes, not "
              + Digests.LENGTH);
    }
  }

  /** The partition length of {@code key}, checked. */
  static int partitionLength(MerkleConfig config, byte[] key) {
    int len = config.partitioner().partitionLength(key);
    if (len < 0 || len > key.length) {
      throw new MerkleIndexException(MerkleIndexException.Reason.PARTITION_LENGTH,
          "partitioner gave length " + len + " for key " + Bytes.hex(key));
    }
    return len;
  }
}
