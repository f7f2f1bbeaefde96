package dev.lattice.merkle.store;

import dev.lattice.merkle.MerkleCodecException;
import dev.lattice.merkle.MerkleCodecException.Reason;
import dev.lattice.merkle.MerkleConfig;
import dev.lattice.merkle.internal.ByteReader;
import dev.lattice.merkle.internal.ByteWriter;
import dev.lattice.merkle.internal.NodeHasher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Byte forms of {@link NodeKey} and {@link Node} for stores that hold bytes (MVStore).
 *
 * <p>A node blob starts with a type tag ({@code 0x10} inner, {@code 0x11} leaf) and the format
 * version {@code 1}:
 *
 * <pre>
 * inner: tag ver varint(count) u16(childMask) u16(dirtyMask) u16(knownMask) digest[knownMask]
 *        u8(hasDigest) [digest]
 * leaf:  tag ver varint(n) n × (bytes(key) bytes(valueDigest) u64(keyHash)) u8(hasDigest) [digest]
 * </pre>
 *
 * <p>A node key encodes as {@code escape(partition) 00 01 u8(depth) u64(prefix)}, where escape
 * writes byte {@code 00} as {@code 00 FF}. That form sorts like (partition, depth, prefix) under
 * unsigned byte order and keeps every node of a partition under one prefix, so an ordered byte
 * map can list partitions with {@code ceilingKey} (see {@link SortedBytesNodeStore}).
 */
public final class NodeCodec {
  static final int TAG_INNER = 0x10;
  static final int TAG_LEAF = 0x11;
  static final int VERSION = 1;
  private static final int D = NodeHasher.DIGEST_LENGTH;

  private NodeCodec() {}

  public static byte[] encodeKey(NodeKey key) {
    ByteWriter w = new ByteWriter(key.partitionRef().length + 16);
    escapeInto(w, key.partitionRef());
    return w.u8(0).u8(1).u8(key.depth()).u64(key.prefix()).toByteArray();
  }

  /** The smallest encoded key of any node of {@code partition}. */
  static byte[] partitionLowerBound(byte[] partition) {
    ByteWriter w = new ByteWriter(partition.length + 4);
    escapeInto(w, partition);
    return w.u8(0).u8(1).toByteArray();
  }

  /** The smallest encoded key above every node of {@code partition}. */
  static byte[] partitionUpperBound(byte[] partition) {
    ByteWriter w = new ByteWriter(partition.length + 4);
    escapeInto(w, partition);
    return w.u8(0).u8(2).toByteArray();
  }

  private static void escapeInto(ByteWriter w, byte[] partition) {
    for (byte b : partition) {
      if (b == 0) {
        w.u8(0).u8(0xFF);
      } else {
        w.u8(b);
      }
    }
  }

  /**
   * @throws MerkleCodecException if {@code bytes} is not an encoded node key
   */
  public static NodeKey decodeKey(byte[] bytes) throws MerkleCodecException {
    ByteReader r = new ByteReader(bytes);
    ByteWriter partition = new ByteWriter(bytes.length);
    while (true) {
      int b = r.u8("partition");
      if (b != 0) {
        partition.u8(b);
        continue;
      }
      int next = r.u8("partition escape");
      if (next == 0xFF) {
        partition.u8(0);
      } else if (next == 1) {
        break;
      } else {
        throw r.error(Reason.INVALID_VALUE, "escape byte " + next + " after 00");
      }
    }
    int depth = r.u8("depth");
    long prefix = r.u64("prefix");
    r.expectEnd();
    if (depth > MerkleConfig.MAX_DEPTH || (prefix & ~NodeKey.mask(depth)) != 0) {
      throw r.error(Reason.INVALID_VALUE, "depth " + depth + " with prefix " + Long.toHexString(prefix));
    }
    return new NodeKey(partition.toByteArray(), depth, prefix);
  }

  public static byte[] encode(Node node) {
    if (node instanceof Node.Inner in) {
      ByteWriter w = new ByteWriter(64 + 16 * D);
      w.u8(TAG_INNER).u8(VERSION).varint(in.count()).u16(in.childMask()).u16(in.dirtyMask());
      byte[][] ds = in.childDigestsRef();
      int known = 0;
      for (int i = 0; i < 16; i++) {
        if (ds[i] != null) {
          known |= 1 << i;
        }
      }
      w.u16(known);
      for (int i = 0; i < 16; i++) {
        if (ds[i] != null) {
          w.raw(ds[i]);
        }
      }
      writeDigest(w, in.digest());
      return w.toByteArray();
    }
    Node.Leaf leaf = (Node.Leaf) node;
    ByteWriter w = new ByteWriter(16 + leaf.entries().size() * 80);
    w.u8(TAG_LEAF).u8(VERSION).varint(leaf.entries().size());
    for (Entry e : leaf.entries()) {
      w.bytes(e.keyRef()).bytes(e.valueDigestRef()).u64(e.keyHash());
    }
    writeDigest(w, leaf.digest());
    return w.toByteArray();
  }

  private static void writeDigest(ByteWriter w, byte[] digest) {
    if (digest == null) {
      w.u8(0);
    } else {
      w.u8(1).raw(digest);
    }
  }

  /**
   * @throws MerkleCodecException if {@code bytes} is not an encoded node
   */
  public static Node decode(byte[] bytes) throws MerkleCodecException {
    ByteReader r = new ByteReader(bytes);
    int tag = r.u8("tag");
    if (tag != TAG_INNER && tag != TAG_LEAF) {
      throw new MerkleCodecException(Reason.UNKNOWN_TAG, 0, "node tag " + tag);
    }
    int version = r.u8("version");
    if (version != VERSION) {
      throw new MerkleCodecException(Reason.UNSUPPORTED_VERSION, 1, "node format version " + version);
    }
    Node node;
    if (tag == TAG_INNER) {
      long count = r.varint("count");
      int mask = r.u16("childMask");
      int dirty = r.u16("dirtyMask");
      int known = r.u16("knownMask");
      if (mask == 0 || (dirty & ~mask) != 0 || (known & ~mask) != 0) {
        throw r.error(Reason.INVALID_VALUE, "masks child=" + Integer.toHexString(mask)
            + " dirty=" + Integer.toHexString(dirty) + " known=" + Integer.toHexString(known));
      }
      byte[][] ds = new byte[16][];
      for (int i = 0; i < 16; i++) {
        if ((known & (1 << i)) != 0) {
          ds[i] = r.raw("child digest", D);
        }
      }
      node = new Node.Inner(count, mask, dirty, ds, readDigest(r));
    } else {
      int n = r.count("entry count", 0, Integer.MAX_VALUE, 11);
      List<Entry> entries = new ArrayList<>(n);
      byte[] previous = null;
      for (int i = 0; i < n; i++) {
        byte[] key = r.bytes("key", 1, MerkleConfig.MAX_KEY_LENGTH);
        byte[] value = r.bytes("value digest", 1, MerkleConfig.MAX_VALUE_DIGEST_LENGTH);
        long hash = r.u64("key hash");
        if (previous != null && Arrays.compareUnsigned(previous, key) >= 0) {
          throw r.error(Reason.NOT_CANONICAL, "leaf keys not strictly increasing");
        }
        previous = key;
        entries.add(new Entry(key, value, hash));
      }
      node = new Node.Leaf(entries, readDigest(r));
    }
    r.expectEnd();
    return node;
  }

  private static byte[] readDigest(ByteReader r) throws MerkleCodecException {
    int has = r.u8("hasDigest");
    if (has > 1) {
      throw r.error(Reason.INVALID_VALUE, "hasDigest flag " + has);
    }
    return has == 1 ? r.raw("digest", D) : null;
  }
}
