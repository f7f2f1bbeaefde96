package dev.lattice.merkle.sync;

import dev.lattice.merkle.Digests;
import dev.lattice.merkle.MerkleCodecException;
import dev.lattice.merkle.MerkleCodecException.Reason;
import dev.lattice.merkle.MerkleConfig;
import dev.lattice.merkle.MerkleIndexException;
import dev.lattice.merkle.NodeKey;
import dev.lattice.merkle.Scope;
import dev.lattice.merkle.internal.ByteReader;
import dev.lattice.merkle.internal.ByteWriter;
import dev.lattice.merkle.sync.NodeView.DigestOnly;
import dev.lattice.merkle.sync.NodeView.Empty;
import dev.lattice.merkle.sync.NodeView.InnerView;
import dev.lattice.merkle.sync.NodeView.LeafView;
import dev.lattice.merkle.sync.ReconcileMessage.Hello;
import dev.lattice.merkle.sync.ReconcileMessage.Step;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Binary form of {@link ReconcileMessage}, format version 2. Every message starts with a type
 * tag and the format version; integers are unsigned LEB128 varints (minimal) unless fixed-width
 * ({@code u8}, {@code u16} big-endian); {@code bytes} is {@code varint(length) ‖ bytes}.
 *
 * <pre>
 * hello   = 0x01 0x02 varint(leafCapacity) varint(nRanges) range* varint(nViews) view*
 * range   = bytes(from) u8(hasTo) [bytes(to)]
 * step    = 0x02 0x02 varint(nViews) view* varint(nVerdicts) verdict*
 * view    = u8(kind) path body
 *   kind 1 digest-only: digest[32]
 *   kind 2 inner:       u16(childMask ≠ 0) digest[32] × popcount(childMask)
 *   kind 3 leaf:        varint(n ≥ 1) (bytes(key) bytes(elementDigest))*  keys strictly increasing,
 *                       every element digest 32 bytes
 *   kind 4 empty:       (nothing)
 * path    = bytes(partition) u8(depth ≤ 16) the first depth hex digits of the prefix, packed
 *           two per byte, high digit first, unused low digit zero
 * verdict = path varint(n) u8(status ≤ 2)* varint(m) bytes(key)*       keys strictly increasing
 * </pre>
 *
 * <p>Version 2 has the layout of version 1; what changed is the meaning of the digests: node
 * digests are sums of element digests modulo 2^256 and leaf entries carry element digests, which
 * bind the key (PROTOCOL.md §7.1). A version 1 peer's digests can never equal ours, so its
 * messages are refused ({@code UNSUPPORTED_VERSION}) rather than compared to a full mismatch.
 *
 * <p>Decoding checks each length against its limit ({@link MerkleConfig#MAX_KEY_LENGTH},
 * the 32-byte digest length, ...) and each count against the bytes left
 * before allocating, so no input makes the decoder allocate more than a small multiple of its own
 * size; any malformed input fails with {@link MerkleCodecException} and nothing else.
 */
public final class MessageCodec {
  static final int TAG_HELLO = 0x01;
  static final int TAG_STEP = 0x02;
  static final int VERSION = 2;
  static final int KIND_DIGEST = 1;
  static final int KIND_INNER = 2;
  static final int KIND_LEAF = 3;
  static final int KIND_EMPTY = 4;
  private static final int D = Digests.LENGTH;
  /** Smallest encoded view and verdict: kind/empty path/depth, and path + two zero counts. */
  private static final int MIN_VIEW = 3;
  private static final int MIN_VERDICT = 4;

  private MessageCodec() {}

  /**
   * @throws IllegalArgumentException if a leaf entry's digest is not 32 bytes (no decoder would
   *     accept the message)
   */
  public static byte[] encode(ReconcileMessage message) {
    ByteWriter w = new ByteWriter(256);
    if (message instanceof Hello h) {
      w.u8(TAG_HELLO).u8(VERSION).varint(h.leafCapacity());
      w.varint(h.scope().ranges().size());
      for (Scope.Range r : h.scope().ranges()) {
        w.bytes(r.from());
        byte[] to = r.to();
        if (to == null) {
          w.u8(0);
        } else {
          w.u8(1).bytes(to);
        }
      }
      writeViews(w, h.views());
    } else {
      Step s = (Step) message;
      w.u8(TAG_STEP).u8(VERSION);
      writeViews(w, s.views());
      w.varint(s.verdicts().size());
      for (Verdict v : s.verdicts()) {
        writePath(w, v.path());
        w.varint(v.statuses().length).raw(v.statuses());
        w.varint(v.keysOnlySender().size());
        for (byte[] k : v.keysOnlySender()) {
          w.bytes(k);
        }
      }
    }
    return w.toByteArray();
  }

  private static void writeViews(ByteWriter w, List<NodeView> views) {
    w.varint(views.size());
    for (NodeView v : views) {
      if (v instanceof DigestOnly d) {
        w.u8(KIND_DIGEST);
        writePath(w, d.path());
        w.raw(d.digest());
      } else if (v instanceof InnerView in) {
        w.u8(KIND_INNER);
        writePath(w, in.path());
        w.u16(in.childMask());
        for (byte[] d : in.childDigests()) {
          w.raw(d);
        }
      } else if (v instanceof LeafView leaf) {
        w.u8(KIND_LEAF);
        writePath(w, leaf.path());
        w.varint(leaf.entries().size());
        for (KeyDigest kd : leaf.entries()) {
          if (kd.digest().length != D) {
            throw new IllegalArgumentException("element digest of " + kd + " is not " + D
                + " bytes");
          }
          w.bytes(kd.key()).bytes(kd.digest());
        }
      } else {
        w.u8(KIND_EMPTY);
        writePath(w, v.path());
      }
    }
  }

  private static void writePath(ByteWriter w, NodeKey p) {
    w.bytes(p.partitionRef()).u8(p.depth());
    for (int i = 0; i < (p.depth() + 1) / 2; i++) {
      w.u8((int) (p.prefix() >>> (56 - 8 * i)));
    }
  }

  /**
   * @throws MerkleCodecException for any input that is not exactly one well-formed message
   */
  public static ReconcileMessage decode(byte[] bytes) throws MerkleCodecException {
    ByteReader r = new ByteReader(bytes);
    int tag = r.u8("tag");
    if (tag != TAG_HELLO && tag != TAG_STEP) {
      throw new MerkleCodecException(Reason.UNKNOWN_TAG, 0, "message tag " + tag);
    }
    int version = r.u8("version");
    if (version != VERSION) {
      throw new MerkleCodecException(Reason.UNSUPPORTED_VERSION, 1,
          "message format version " + version + (version == 1
              ? " (hash-tree digests) is no longer spoken; this side speaks 2 (additive digests)"
              : "; this side speaks " + VERSION));
    }
    ReconcileMessage m;
    if (tag == TAG_HELLO) {
      int at = r.position();
      long leafCapacity = r.varint("leafCapacity");
      if (leafCapacity < 1 || leafCapacity > MerkleConfig.MAX_LEAF_CAPACITY) {
        throw new MerkleCodecException(Reason.INVALID_VALUE, at, "leafCapacity " + leafCapacity);
      }
      int nRanges = r.count("range count", 0, Integer.MAX_VALUE, 2);
      List<Scope.Range> ranges = new ArrayList<>(nRanges);
      for (int i = 0; i < nRanges; i++) {
        int start = r.position();
        byte[] from = r.bytes("range from", 0, MerkleConfig.MAX_KEY_LENGTH);
        int hasTo = r.u8("range hasTo");
        if (hasTo > 1) {
          throw r.error(Reason.INVALID_VALUE, "hasTo flag " + hasTo);
        }
        byte[] to = hasTo == 1 ? r.bytes("range to", 0, MerkleConfig.MAX_KEY_LENGTH) : null;
        try {
          ranges.add(new Scope.Range(from, to));
        } catch (MerkleIndexException e) {
          throw new MerkleCodecException(Reason.INVALID_VALUE, start, e.getMessage());
        }
      }
      List<NodeView> views = readViews(r);
      m = new Hello((int) leafCapacity, Scope.ofRanges(ranges), views);
    } else {
      List<NodeView> views = readViews(r);
      int n = r.count("verdict count", 0, Integer.MAX_VALUE, MIN_VERDICT);
      List<Verdict> verdicts = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        NodeKey path = readPath(r);
        int ns = r.count("status count", 0, Integer.MAX_VALUE, 1);
        byte[] statuses = r.raw("statuses", ns);
        for (byte s : statuses) {
          if (s < 0 || s > Verdict.ABSENT) {
            throw r.error(Reason.INVALID_VALUE, "status " + s);
          }
        }
        int nk = r.count("key count", 0, Integer.MAX_VALUE, 2);
        List<byte[]> keys = new ArrayList<>(nk);
        byte[] previous = null;
        for (int k = 0; k < nk; k++) {
          byte[] key = r.bytes("key", 1, MerkleConfig.MAX_KEY_LENGTH);
          checkIncreasing(r, previous, key);
          previous = key;
          keys.add(key);
        }
        verdicts.add(new Verdict(path, statuses, keys));
      }
      m = new Step(views, verdicts);
    }
    r.expectEnd();
    return m;
  }

  private static List<NodeView> readViews(ByteReader r) throws MerkleCodecException {
    int n = r.count("view count", 0, Integer.MAX_VALUE, MIN_VIEW);
    List<NodeView> views = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int kind = r.u8("view kind");
      if (kind < KIND_DIGEST || kind > KIND_EMPTY) {
        throw r.error(Reason.INVALID_VALUE, "view kind " + kind);
      }
      NodeKey path = readPath(r);
      switch (kind) {
        case KIND_DIGEST -> views.add(new DigestOnly(path, r.raw("digest", D)));
        case KIND_INNER -> {
          int mask = r.u16("child mask");
          if (mask == 0) {
            throw r.error(Reason.INVALID_VALUE, "inner view without children");
          }
          List<byte[]> ds = new ArrayList<>(Integer.bitCount(mask));
          for (int c = 0; c < Integer.bitCount(mask); c++) {
            ds.add(r.raw("child digest", D));
          }
          views.add(new InnerView(path, mask, ds));
        }
        case KIND_LEAF -> {
          int ne = r.count("entry count", 1, Integer.MAX_VALUE, 3 + D);
          List<KeyDigest> entries = new ArrayList<>(ne);
          byte[] previous = null;
          for (int e = 0; e < ne; e++) {
            byte[] key = r.bytes("key", 1, MerkleConfig.MAX_KEY_LENGTH);
            checkIncreasing(r, previous, key);
            previous = key;
            entries.add(new KeyDigest(key, r.bytes("element digest", D, D)));
          }
          views.add(new LeafView(path, entries));
        }
        default -> views.add(new Empty(path));
      }
    }
    return views;
  }

  private static NodeKey readPath(ByteReader r) throws MerkleCodecException {
    byte[] partition = r.bytes("partition", 0, MerkleConfig.MAX_KEY_LENGTH);
    int depth = r.u8("depth");
    if (depth > MerkleConfig.MAX_DEPTH) {
      throw r.error(Reason.INVALID_VALUE, "depth " + depth);
    }
    long prefix = 0;
    int nBytes = (depth + 1) / 2;
    for (int i = 0; i < nBytes; i++) {
      prefix |= (long) r.u8("prefix") << (56 - 8 * i);
    }
    if ((prefix & ~NodeKey.mask(depth)) != 0) {
      throw r.error(Reason.INVALID_VALUE, "prefix digits below depth " + depth);
    }
    return new NodeKey(partition, depth, prefix);
  }

  private static void checkIncreasing(ByteReader r, byte[] previous, byte[] key)
      throws MerkleCodecException {
    if (previous != null && Arrays.compareUnsigned(previous, key) >= 0) {
      throw r.error(Reason.NOT_CANONICAL, "keys not strictly increasing");
    }
  }
}
