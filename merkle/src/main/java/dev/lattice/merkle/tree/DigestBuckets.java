package dev.lattice.merkle.tree;

import dev.lattice.merkle.Digests;
import dev.lattice.merkle.MerkleCodecException;
import dev.lattice.merkle.MerkleCodecException.Reason;
import dev.lattice.merkle.MerkleConfig;
import dev.lattice.merkle.MerkleIndexException;
import dev.lattice.merkle.internal.ByteKey;
import dev.lattice.merkle.internal.ByteReader;
import dev.lattice.merkle.internal.ByteWriter;
import dev.lattice.merkle.internal.Bytes;
import dev.lattice.merkle.internal.OrderedBytes;
import dev.lattice.merkle.internal.Sum256;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * The part of a namespace's Merkle tree that is kept current on every write: per partition,
 * 4,096 buckets (the first {@link #DEPTH} hex digits of the key hash), each holding the number of
 * documents in it and the sum of their element digests modulo 2^256. A write costs one key hash
 * and one 256-bit addition, whatever the size of the namespace; the trie above and below the
 * buckets is derived when a repair opens ({@link DerivedTree}).
 *
 * <h2>Idea: additive digests</h2>
 *
 * <p>AdHash (Bellare and Micciancio, "A New Paradigm for Collision-Free Hashing: Incrementality
 * at Reduced Cost", EUROCRYPT 1997, §4): the digest of a set is the sum of a hash of each element
 * modulo a large number. Adding, removing or replacing an element changes the sum by one term,
 * so it is updated in O(1) without rehashing anything else, and the digest of a union of
 * disjoint sets is the sum of their digests. Here an element is a document, its hash the
 * {@linkplain Digests#element element digest} (which binds the key), and the modulus 2^256. A
 * trie node's digest is the sum over the documents below it, hence the sum of its children's
 * digests, hence a sum of bucket sums for every node down to the bucket depth. Nothing in a node
 * digest depends on how the set was reached, so the trie of PROTOCOL.md §7.2 keeps its shape
 * and messages; only the digests became additive.
 *
 * <h2>What equal digests promise</h2>
 *
 * <p>Two different sets of documents whose element digests are independent random 256-bit
 * values have equal sums with probability 2^-256: between cooperating replicas, equal digests
 * mean equal documents, as with a hash tree. Against an adversary who may choose many documents
 * the modular sum is much weaker than a hash tree: Wagner's generalized birthday attack ("A
 * Generalized Birthday Problem", CRYPTO 2002) finds sets with a chosen sum modulo 2^256 with
 * feasible work, so someone able to write crafted documents on one replica and others on another
 * could make a real divergence invisible to repair. Repair heals lost or corrupted deltas between
 * replicas that trust each other's writes; it is not a defence against a malicious writer (whose
 * writes replicate anyway), and a client answering a repair could lie about its digests with any
 * scheme. The count of keys is kept beside each sum for the trie's shape but not sent: it would
 * not stop that attack (it fixes the number of terms, which the attack chooses anyway).
 *
 * <h2>Storage</h2>
 *
 * <p>This module does no I/O. The owner stores each bucket under {@link #storageKey} with the
 * value {@link #encodeEntry}: {@code 0x42 0x01 varint(count ≥ 1) sum[32]}, the sum
 * little-endian. After writes it calls {@link #drainDirty} to learn which buckets changed (an
 * emptied bucket is reported with a null value, to delete); on open it {@link #load}s each
 * stored entry. Only non-empty buckets are stored.
 *
 * <p>Not thread-safe: one writer (the replica's write lock). {@link #snapshot} copies the sums
 * for a reader, O(non-empty buckets).
 */
public final class DigestBuckets {
  /** Hex digits of the key hash that choose a bucket. */
  public static final int DEPTH = 3;
  /** Buckets per partition. */
  public static final int BUCKETS = 1 << (4 * DEPTH);
  static final int TAG_ENTRY = 0x42;
  static final int VERSION = 1;
  /** Below this many partitions, a linear scan finds one faster than a hash lookup. */
  private static final int LINEAR_PARTITIONS = 8;

  private final MerkleConfig config;
  private final List<Part> parts = new ArrayList<>();
  private final Map<ByteKey, Part> byName = new HashMap<>();
  private final List<Part> dirtyParts = new ArrayList<>();
  /** Index in {@link #parts} of the partition found last (an int: no write barrier per write). */
  private int last = -1;
  private int dirtyBuckets;
  private long size;

  /** Empty buckets for keys partitioned by {@code config}. */
  public DigestBuckets(MerkleConfig config) {
    this.config = config;
  }

  /** The bucket of a key hash: its first {@link #DEPTH} hex digits. */
  public static int bucketOf(long keyHash) {
    return (int) (keyHash >>> (64 - 4 * DEPTH));
  }

  public MerkleConfig config() {
    return config;
  }

  /** Number of documents counted in every bucket. */
  public long size() {
    return size;
  }

  /** Number of buckets changed since the last {@link #drainDirty}. */
  public int dirtyCount() {
    return dirtyBuckets;
  }

  /**
   * Records that {@code key}'s element digest went from {@code oldDigest} to {@code newDigest}
   * (null: the document did not exist, or no longer exists). O(1): one key hash, one 256-bit
   * addition and subtraction. The caller must pass the digest it passed last time for this key,
   * which this method cannot check beyond the bucket's count; a wrong one makes the sums disagree
   * with the documents, which {@link DerivedTree} detects when a repair lists them.
   *
   * @throws MerkleIndexException KEY_LENGTH, VALUE_DIGEST_LENGTH (a digest not 32 bytes),
   *     PARTITION_LENGTH, or INCONSISTENT_UPDATE if {@code oldDigest} is given but the key's
   *     bucket is empty; nothing is changed then
   */
  public void update(byte[] key, byte[] oldDigest, byte[] newDigest) {
    long hash = Digests.keyHash(key);
    if (oldDigest != null) {
      MemoryTree.checkDigest(key, oldDigest);
    }
    if (newDigest != null) {
      MemoryTree.checkDigest(key, newDigest);
    }
    if (oldDigest == null ? newDigest == null : Arrays.equals(oldDigest, newDigest)) {
      return;
    }
    int len = MemoryTree.partitionLength(config, key);
    int bucket = bucketOf(hash);
    Part part = find(key, len, oldDigest == null);
    int slot = part == null ? -1 : part.slot(bucket, oldDigest == null);
    int at = Part.STRIDE * slot;
    if (oldDigest != null && (slot < 0 || part.data[at] == 0)) {
      throw new MerkleIndexException(MerkleIndexException.Reason.INCONSISTENT_UPDATE,
          "key " + Bytes.hex(key) + " has an old digest but its bucket " + bucket + " is empty");
    }
    if (oldDigest != null) {
      Sum256.subtract(part.data, at + 1, oldDigest);
    }
    if (newDigest != null) {
      Sum256.add(part.data, at + 1, newDigest);
    }
    long delta = (newDigest == null ? 0 : 1) - (oldDigest == null ? 0 : 1);
    part.data[at] += delta;
    part.count += delta;
    size += delta;
    markDirty(part, bucket);
  }

  /**
   * Hands every bucket changed since the last call to {@code sink} as (storage key, entry), the
   * entry null for a bucket left empty (delete it), and forgets them. Call before the commit
   * that makes the writes durable, so stored buckets always match stored documents.
   */
  public void drainDirty(BiConsumer<byte[], byte[]> sink) {
    for (Part part : dirtyParts) {
      for (int w = 0; w < part.dirty.length; w++) {
        while (part.dirty[w] != 0) {
          int bit = Long.numberOfTrailingZeros(part.dirty[w]);
          int bucket = 64 * w + bit;
          int slot = part.slot(bucket, false);
          long count = part.data[Part.STRIDE * slot];
          sink.accept(storageKey(part.name, bucket),
              count == 0 ? null : encodeEntry(count, part.data, Part.STRIDE * slot + 1));
          part.dirty[w] &= ~(1L << bit);
          dirtyBuckets--;
        }
      }
      part.inDirtyList = false;
    }
    dirtyParts.clear();
  }

  /**
   * Takes one stored bucket, as written from {@link #drainDirty}, into memory (not dirty).
   *
   * @throws MerkleCodecException if the key or entry does not decode
   * @throws MerkleIndexException INCONSISTENT_UPDATE if this bucket already holds documents
   */
  public void load(byte[] storageKey, byte[] entry) throws MerkleCodecException {
    ByteReader r = new ByteReader(storageKey);
    byte[] name = OrderedBytes.readPartition(r);
    int bucket = r.u16("bucket");
    if (bucket >= BUCKETS) {
      throw r.error(Reason.INVALID_VALUE, "bucket " + bucket + " of " + BUCKETS);
    }
    r.expectEnd();
    long[] sum = new long[Sum256.LIMBS];
    long count = decodeEntry(entry, sum);
    Part part = find(name, name.length, true);
    int slot = part.slot(bucket, true);
    if (part.data[Part.STRIDE * slot] != 0) {
      throw new MerkleIndexException(MerkleIndexException.Reason.INCONSISTENT_UPDATE,
          "bucket " + bucket + " of partition " + Bytes.hex(name) + " loaded twice");
    }
    part.data[Part.STRIDE * slot] = count;
    System.arraycopy(sum, 0, part.data, Part.STRIDE * slot + 1, Sum256.LIMBS);
    part.count += count;
    size += count;
  }

  /** A frozen copy of the sums, for a {@link DerivedTree}. O(non-empty buckets). */
  public BucketSnapshot snapshot() {
    TreeMap<byte[], BucketSnapshot.Part> out = new TreeMap<>(Arrays::compareUnsigned);
    for (Part part : parts) {
      if (part.count == 0) {
        continue;
      }
      int capacity = part.capacity();
      int[] ids = new int[capacity];
      int n = 0;
      for (int slot = 0; slot < capacity; slot++) {
        if (part.data[Part.STRIDE * slot] != 0) {
          ids[n++] = part.bucketAt(slot) << 16 | slot; // by bucket, remembering the slot
        }
      }
      ids = Arrays.copyOf(ids, n);
      if (capacity < BUCKETS) {
        Arrays.sort(ids); // in a full-size table, slot order is bucket order already
      }
      long[] counts = new long[n + 1];
      long[] sums = new long[Sum256.LIMBS * (n + 1)];
      for (int i = 0; i < n; i++) {
        int slot = ids[i] & 0xFFFF;
        ids[i] >>>= 16;
        counts[i + 1] = counts[i] + part.data[Part.STRIDE * slot];
        Sum256.add(sums, Sum256.LIMBS * (i + 1), sums, Sum256.LIMBS * i, part.data,
            Part.STRIDE * slot + 1);
      }
      out.put(part.name.clone(), new BucketSnapshot.Part(ids, counts, sums));
    }
    return new BucketSnapshot(config, out);
  }

  /**
   * The key a bucket is stored under: {@code escape(partition) 00 01 u16(bucket)}, where escape
   * writes each {@code 00} as {@code 00 FF}. Sorts by partition, then bucket.
   */
  public static byte[] storageKey(byte[] partition, int bucket) {
    ByteWriter w = new ByteWriter(partition.length + 4);
    return OrderedBytes.writePartition(w, partition).u16(bucket).toByteArray();
  }

  /** {@code 0x42 0x01 varint(count) sum[32]} with the sum at {@code sums[at, at + 4)}. */
  static byte[] encodeEntry(long count, long[] sums, int at) {
    ByteWriter w = new ByteWriter(2 + 10 + Sum256.BYTES);
    return w.u8(TAG_ENTRY).u8(VERSION).varint(count).raw(Sum256.toBytes(sums, at)).toByteArray();
  }

  /**
   * Reads a stored bucket entry's sum into {@code sum} and returns its count.
   *
   * @throws MerkleCodecException for anything but a well-formed entry with a count of at least 1
   */
  static long decodeEntry(byte[] entry, long[] sum) throws MerkleCodecException {
    ByteReader r = new ByteReader(entry);
    int tag = r.u8("tag");
    if (tag != TAG_ENTRY) {
      throw new MerkleCodecException(Reason.UNKNOWN_TAG, 0, "bucket entry tag " + tag);
    }
    int version = r.u8("version");
    if (version != VERSION) {
      throw new MerkleCodecException(Reason.UNSUPPORTED_VERSION, 1,
          "bucket entry format version " + version);
    }
    int at = r.position();
    long count = r.varint("count");
    if (count == 0) {
      throw new MerkleCodecException(Reason.INVALID_VALUE, at, "empty bucket stored");
    }
    Sum256.read(r.raw("sum", Sum256.BYTES), 0, sum, 0);
    r.expectEnd();
    return count;
  }

  /** The partition named by {@code key[0, len)}; created if {@code create}, else null if absent. */
  private Part find(byte[] key, int len, boolean create) {
    if (last >= 0 && Bytes.prefixEquals(key, len, parts.get(last).name)) {
      return parts.get(last);
    }
    Part found = null;
    if (parts.size() <= LINEAR_PARTITIONS) {
      for (Part p : parts) {
        if (Bytes.prefixEquals(key, len, p.name)) {
          found = p;
          break;
        }
      }
    } else {
      found = byName.get(new ByteKey(Arrays.copyOf(key, len)));
    }
    if (found == null && create) {
      found = new Part(Arrays.copyOf(key, len), parts.size());
      parts.add(found);
      byName.put(new ByteKey(found.name), found);
    }
    if (found != null) {
      last = found.index;
    }
    return found;
  }

  private void markDirty(Part part, int bucket) {
    long bit = 1L << (bucket & 63);
    if ((part.dirty[bucket >>> 6] & bit) == 0) {
      part.dirty[bucket >>> 6] |= bit;
      dirtyBuckets++;
      if (!part.inDirtyList) {
        part.inDirtyList = true;
        dirtyParts.add(part);
      }
    }
  }

  /**
   * One partition's buckets in an open-addressing table keyed by bucket id, each slot's count and
   * sum side by side in {@link #data} (five longs, so one write touches one or two cache lines).
   * Ids come from a hash, so their low bits spread well; the table grows from 16 slots to
   * {@link #BUCKETS}, where slot and id coincide and {@link #ids} is dropped. A bucket keeps its
   * slot when it empties, so slots move only on growth.
   */
  private static final class Part {
    static final int STRIDE = 1 + Sum256.LIMBS;
    final byte[] name;
    final int index;
    /** Slot to bucket id, -1 if free; null once the table has a slot per bucket. */
    int[] ids;
    /** Per slot: count, then the four limbs of the sum. */
    long[] data;
    int used;
    long count;
    final long[] dirty = new long[BUCKETS / 64];
    boolean inDirtyList;

    Part(byte[] name, int index) {
      this.name = name;
      this.index = index;
      ids = new int[16];
      Arrays.fill(ids, -1);
      data = new long[STRIDE * 16];
    }

    int capacity() {
      return data.length / STRIDE;
    }

    int bucketAt(int slot) {
      return ids == null ? slot : ids[slot];
    }

    /** The slot of {@code bucket}; if absent, a new one when {@code create}, else -1. */
    int slot(int bucket, boolean create) {
      if (ids == null) {
        return bucket;
      }
      int mask = ids.length - 1;
      for (int i = bucket & mask; ; i = (i + 1) & mask) {
        if (ids[i] == bucket) {
          return i;
        }
        if (ids[i] < 0) {
          if (!create) {
            return -1;
          }
          if (2 * (used + 1) > ids.length) {
            grow();
            return slot(bucket, true);
          }
          ids[i] = bucket;
          used++;
          return i;
        }
      }
    }

    /** Doubles the table; at {@link #BUCKETS} slots, slot {@code b} holds bucket {@code b}. */
    private void grow() {
      int[] oldIds = ids;
      long[] oldData = data;
      int capacity = Math.min(BUCKETS, 2 * oldIds.length);
      data = new long[STRIDE * capacity];
      if (capacity == BUCKETS) {
        ids = null;
      } else {
        ids = new int[capacity];
        Arrays.fill(ids, -1);
      }
      used = 0;
      for (int s = 0; s < oldIds.length; s++) {
        if (oldIds[s] >= 0) {
          int t = slot(oldIds[s], true);
          System.arraycopy(oldData, STRIDE * s, data, STRIDE * t, STRIDE);
        }
      }
    }
  }
}
