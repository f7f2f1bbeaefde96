package dev.lattice.merkle.tree;

import dev.lattice.merkle.Digests;
import dev.lattice.merkle.MerkleConfig;
import dev.lattice.merkle.MerkleIndexException;
import dev.lattice.merkle.MerkleIndexException.Reason;
import dev.lattice.merkle.NodeKey;
import dev.lattice.merkle.Scope;
import dev.lattice.merkle.internal.ByteKey;
import dev.lattice.merkle.internal.Bytes;
import dev.lattice.merkle.sync.KeyDigest;
import dev.lattice.merkle.sync.NodeView;
import dev.lattice.merkle.sync.TreeView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The Merkle trie of one consistent version of a namespace, derived when a repair opens from
 * that version's {@link BucketSnapshot} and an {@link Enumerator} over the same version's
 * documents; the writer goes on updating its {@link DigestBuckets} meanwhile.
 *
 * <p>Down to the bucket depth every node comes from the bucket sums: its count and digest are
 * sums over a range of buckets, so identical namespaces are confirmed without listing a single
 * document. A node with few enough keys to be a leaf, and every node below the bucket depth,
 * needs the documents themselves: the tree asks the enumerator for the buckets involved, checks
 * each against its count and sum in the snapshot, and keeps it (sorted by key hash, with prefix
 * sums) for the rest of the session. The result is node for node the tree a {@link MemoryTree}
 * of the same entries gives.
 *
 * <p>Reads are batched: during {@link #prefetch}'s dry run, a read that needs documents not yet
 * listed notes the buckets and answers as if they were empty; when the dry run ends, each
 * partition's noted prefixes go to the enumerator in one call. Outside a dry run, a missing
 * bucket is listed on the spot.
 *
 * <p>Not thread-safe; one reconciliation at a time.
 */
public final class DerivedTree implements TreeView {
  private static final int D = DigestBuckets.DEPTH;

  private final BucketSnapshot snapshot;
  private final Enumerator enumerator;
  private final MerkleConfig config;
  private final Map<ByteKey, Listed> listed = new HashMap<>();
  private final Map<ByteKey, List<NodeKey>> pending = new LinkedHashMap<>();
  private boolean probing;
  private int enumerations;
  private long entriesListed;

  /** The buckets of one partition listed so far. */
  private static final class Listed {
    final long[] done = new long[DigestBuckets.BUCKETS / 64];
    final HashRun[] runs = new HashRun[DigestBuckets.BUCKETS];

    boolean has(int bucket) {
      return (done[bucket >>> 6] & (1L << (bucket & 63))) != 0;
    }
  }

  private DerivedTree(BucketSnapshot snapshot, Enumerator enumerator) {
    this.snapshot = snapshot;
    this.enumerator = enumerator;
    this.config = snapshot.config();
  }

  /**
   * A tree over {@code snapshot} whose documents {@code enumerator} lists; both must come from
   * the same version of the namespace.
   */
  public static DerivedTree open(BucketSnapshot snapshot, Enumerator enumerator) {
    return new DerivedTree(snapshot, enumerator);
  }

  /** Calls made to the enumerator so far. */
  public int enumerations() {
    return enumerations;
  }

  /** Documents the enumerator listed so far. */
  public long entriesListed() {
    return entriesListed;
  }

  @Override
  public MerkleConfig config() {
    return config;
  }

  @Override
  public List<byte[]> partitions(Scope scope) {
    return snapshot.partitions(scope);
  }

  @Override
  public long count(NodeKey at) {
    if (at.depth() <= D) {
      return snapshot.count(at);
    }
    HashRun run = bucketRun(at);
    return run == null ? 0 : run.end(at) - run.start(at);
  }

  @Override
  public byte[] digest(NodeKey at) {
    if (at.depth() <= D) {
      return snapshot.digest(at);
    }
    HashRun run = bucketRun(at);
    if (run == null) {
      return null;
    }
    int lo = run.start(at);
    int hi = run.end(at);
    return lo == hi ? null : run.digest(lo, hi);
  }

  @Override
  public NodeView node(NodeKey at) {
    if (at.depth() > D) {
      HashRun run = bucketRun(at);
      return run == null ? null : run.view(at, run.start(at), run.end(at), config.leafCapacity());
    }
    long count = snapshot.count(at);
    if (count == 0) {
      return null;
    }
    if (count <= config.leafCapacity()) {
      if (!ensureListed(at)) {
        return null;
      }
      List<KeyDigest> entries = new ArrayList<>((int) count);
      Listed l = listed.get(new ByteKey(at.partitionRef()));
      for (int b = BucketSnapshot.firstBucket(at); b < BucketSnapshot.endBucket(at); b++) {
        HashRun run = l.runs[b];
        if (run != null) {
          run.collect(0, run.size(), entries);
        }
      }
      return HashRun.leaf(at, entries);
    }
    if (at.depth() == D) {
      HashRun run = bucketRun(at);
      return run == null ? null : run.view(at, 0, run.size(), config.leafCapacity());
    }
    int mask = 0;
    List<byte[]> ds = new ArrayList<>(16);
    for (int i = 0; i < 16; i++) {
      byte[] d = snapshot.digest(at.child(i));
      if (d != null) {
        mask |= 1 << i;
        ds.add(d);
      }
    }
    return new NodeView.InnerView(at, mask, ds);
  }

  @Override
  public void forEachEntry(NodeKey at, BiConsumer<byte[], byte[]> action) {
    if (at.depth() > D) {
      HashRun run = bucketRun(at);
      if (run != null) {
        run.forEach(run.start(at), run.end(at), action);
      }
      return;
    }
    if (snapshot.count(at) == 0 || !ensureListed(at)) {
      return;
    }
    Listed l = listed.get(new ByteKey(at.partitionRef()));
    for (int b = BucketSnapshot.firstBucket(at); b < BucketSnapshot.endBucket(at); b++) {
      HashRun run = l.runs[b];
      if (run != null) {
        run.forEach(0, run.size(), action);
      }
    }
  }

  @Override
  public void prefetch(Runnable dryRun) {
    if (probing) {
      dryRun.run();
      return;
    }
    probing = true;
    try {
      dryRun.run();
    } catch (RuntimeException | Error e) {
      pending.clear();
      throw e;
    } finally {
      probing = false;
    }
    try {
      for (Map.Entry<ByteKey, List<NodeKey>> e : pending.entrySet()) {
        List<NodeKey> prefixes = normalize(e.getKey(), e.getValue());
        if (!prefixes.isEmpty()) {
          list(e.getKey().bytes(), prefixes);
        }
      }
    } finally {
      pending.clear();
    }
  }

  // ---- listing ----

  /** The listed run of the bucket holding {@code at} (depth ≥ the bucket depth), or null. */
  private HashRun bucketRun(NodeKey at) {
    NodeKey bucket = at.depth() == D ? at
        : new NodeKey(at.partitionRef(), D, at.prefix() & NodeKey.mask(D));
    if (snapshot.count(bucket) == 0 || !ensureListed(bucket)) {
      return null;
    }
    return listed.get(new ByteKey(at.partitionRef())).runs[BucketSnapshot.firstBucket(bucket)];
  }

  /**
   * True once every bucket under {@code at} (depth ≤ the bucket depth) is listed, listing them
   * now if needed; during a dry run, notes them instead and answers false.
   */
  private boolean ensureListed(NodeKey at) {
    ByteKey name = new ByteKey(at.partitionRef());
    Listed l = listed.get(name);
    if (l != null && allListed(l, at)) {
      return true;
    }
    if (probing) {
      pending.computeIfAbsent(name, k -> new ArrayList<>()).add(at);
      return false;
    }
    list(at.partitionRef(), List.of(at));
    return true;
  }

  private static boolean allListed(Listed l, NodeKey at) {
    for (int b = BucketSnapshot.firstBucket(at); b < BucketSnapshot.endBucket(at); b++) {
      if (!l.has(b)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Sorted, without duplicates, without prefixes under another one or already listed. In
   * (prefix, depth) order a node comes before everything under it, which follows it as one block.
   */
  private List<NodeKey> normalize(ByteKey name, List<NodeKey> noted) {
    List<NodeKey> sorted = new ArrayList<>(noted);
    sorted.sort((a, b) -> {
      int c = Long.compareUnsigned(a.prefix(), b.prefix());
      return c != 0 ? c : Integer.compare(a.depth(), b.depth());
    });
    Listed l = listed.get(name);
    List<NodeKey> out = new ArrayList<>();
    NodeKey cover = null;
    for (NodeKey p : sorted) {
      if (cover != null && p.depth() >= cover.depth() && cover.containsHash(p.prefix())) {
        continue;
      }
      if (l != null && allListed(l, p)) {
        continue;
      }
      out.add(p);
      cover = p;
    }
    return out;
  }

  /** Lists the buckets under {@code prefixes} of {@code partition} and checks them. */
  private void list(byte[] partition, List<NodeKey> prefixes) {
    ByteKey name = new ByteKey(partition);
    Listed l = listed.computeIfAbsent(name, k -> new Listed());
    long[] asked = new long[DigestBuckets.BUCKETS / 64];
    for (NodeKey p : prefixes) {
      for (int b = BucketSnapshot.firstBucket(p); b < BucketSnapshot.endBucket(p); b++) {
        asked[b >>> 6] |= 1L << (b & 63);
      }
    }
    Map<Integer, List<HashRun.Element>> byBucket = new HashMap<>();
    enumerations++;
    enumerator.enumerate(partition.clone(), List.copyOf(prefixes), (key, digest) -> {
      if (key == null || digest == null) {
        throw inconsistent("a null key or digest listed in partition " + Bytes.hex(partition));
      }
      long hash = Digests.keyHash(key);
      int len = MemoryTree.partitionLength(config, key);
      int b = DigestBuckets.bucketOf(hash);
      if (!Bytes.prefixEquals(key, len, partition) || (asked[b >>> 6] & (1L << (b & 63))) == 0) {
        throw inconsistent("key " + Bytes.hex(key) + " listed for " + prefixes
            + " is not under them");
      }
      if (digest.length != Digests.LENGTH) {
        throw inconsistent("digest of " + Bytes.hex(key) + " has " + digest.length + " bytes");
      }
      if (!l.has(b)) {
        byBucket.computeIfAbsent(b, k -> new ArrayList<>())
            .add(new HashRun.Element(hash, key.clone(), digest.clone()));
        entriesListed++;
      }
    });
    BucketSnapshot.Part part = snapshot.part(partition);
    for (int w = 0; w < asked.length; w++) {
      for (long bits = asked[w] & ~l.done[w]; bits != 0; bits &= bits - 1) {
        int b = 64 * w + Long.numberOfTrailingZeros(bits);
        List<HashRun.Element> es = byBucket.get(b);
        HashRun run = null;
        long count = 0;
        long[] sums = new long[4];
        int at = 0;
        if (es != null) {
          try {
            run = HashRun.of(es.toArray(new HashRun.Element[0]));
          } catch (MerkleIndexException e) {
            throw inconsistent("bucket " + b + " of partition " + Bytes.hex(partition) + ": "
                + e.getMessage());
          }
          count = run.size();
          sums = run.prefixSums();
          at = 4 * run.size();
        }
        if (!BucketSnapshot.bucketHolds(part, b, count, sums, at)) {
          throw inconsistent("bucket " + b + " of partition " + Bytes.hex(partition) + ": "
              + count + " documents listed, the snapshot holds "
              + snapshot.bucketCount(partition, b) + " (or another digest sum)");
        }
        l.runs[b] = run;
        l.done[w] |= 1L << (b & 63);
      }
    }
  }

  private static MerkleIndexException inconsistent(String message) {
    return new MerkleIndexException(Reason.INCONSISTENT_ENUMERATION, message);
  }
}
