package dev.lattice.merkle.tree;

import dev.lattice.merkle.Digests;
import dev.lattice.merkle.MerkleCodecException;
import dev.lattice.merkle.MerkleConfig;
import dev.lattice.merkle.NodeKey;
import dev.lattice.merkle.internal.ByteReader;
import dev.lattice.merkle.internal.ByteWriter;
import dev.lattice.merkle.internal.OrderedBytes;
import java.util.Arrays;

/**
 * A document key rewritten so that an ordered byte map (an MVStore {@code MVMap<byte[], byte[]>},
 * whose byte-array keys compare unsigned) keeps documents in trie order: {@code escape(partition)
 * 00 01 u64(keyHash) rest}, where {@code rest} is the key after its partition and escape writes
 * each {@code 00} as {@code 00 FF}. Every trie node is then one key range, {@link #from} to
 * {@link #to}, so a map from these keys to element digests answers an {@link Enumerator} with one
 * range scan per prefix. Such a map is optional: it costs about 10 bytes plus a digest per
 * document and saves scanning and hashing documents when a repair lists a bucket.
 */
public final class HashOrderedKey {
  private HashOrderedKey() {}

  /**
   * The hash-ordered form of {@code key}.
   *
   * @throws dev.lattice.merkle.MerkleIndexException KEY_LENGTH or PARTITION_LENGTH
   */
  public static byte[] of(MerkleConfig config, byte[] key) {
    long hash = Digests.keyHash(key);
    int len = MemoryTree.partitionLength(config, key);
    ByteWriter w = new ByteWriter(key.length + 12);
    OrderedBytes.writePartition(w, Arrays.copyOf(key, len)).u64(hash);
    w.raw(Arrays.copyOfRange(key, len, key.length));
    return w.toByteArray();
  }

  /**
   * The document key of a hash-ordered key.
   *
   * @throws MerkleCodecException if {@code hashOrdered} is not in this form
   */
  public static byte[] documentKey(byte[] hashOrdered) throws MerkleCodecException {
    ByteReader r = new ByteReader(hashOrdered);
    byte[] partition = OrderedBytes.readPartition(r);
    r.u64("key hash");
    byte[] rest = r.raw("key", r.remaining());
    byte[] key = Arrays.copyOf(partition, partition.length + rest.length);
    System.arraycopy(rest, 0, key, partition.length, rest.length);
    return key;
  }

  /** The least hash-ordered key of any document under {@code at}. */
  public static byte[] from(NodeKey at) {
    ByteWriter w = new ByteWriter(at.partitionRef().length + 12);
    return OrderedBytes.writePartition(w, at.partitionRef()).u64(at.prefix()).toByteArray();
  }

  /** The least byte string above the hash-ordered key of every document under {@code at}. */
  public static byte[] to(NodeKey at) {
    long next = at.depth() == 0 ? 0 : at.prefix() + (1L << (64 - 4 * at.depth()));
    if (next == 0) {
      return OrderedBytes.partitionEnd(at.partitionRef());
    }
    ByteWriter w = new ByteWriter(at.partitionRef().length + 12);
    return OrderedBytes.writePartition(w, at.partitionRef()).u64(next).toByteArray();
  }
}
