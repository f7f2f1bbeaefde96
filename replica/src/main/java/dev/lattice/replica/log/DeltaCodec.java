package dev.lattice.replica.log;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.codec.CodecException;
import dev.lattice.crdt.codec.CrdtCodec;
import dev.lattice.crdt.type.Document;
import dev.lattice.replica.ReplicaException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The stored and wire form of a {@link Delta}:
 *
 * <pre>
 *   u8  tag 0x44 ('D')      u8  format version 1
 *   u64 replica id          u64 seq              u64 hlc
 *   u16 collection length   collection (UTF-8)
 *   u16 document id length  document id (UTF-8)
 *   u32 change length       change (CrdtCodec document blob)
 * </pre>
 *
 * Fixed-width integers keep the header cheap to parse; the change carries its own compact codec.
 */
public final class DeltaCodec {
  static final int TAG = 0x44;
  static final int VERSION = 1;
  /** Names are bounded by {@code Names}; this is the hard ceiling of the format. */
  static final int MAX_NAME_BYTES = 0xFFFF;

  private DeltaCodec() {}

  public static byte[] encode(Delta delta) {
    byte[] collection = delta.collection().getBytes(StandardCharsets.UTF_8);
    byte[] id = delta.documentId().getBytes(StandardCharsets.UTF_8);
    byte[] change = CrdtCodec.encode(delta.change());
    if (collection.length > MAX_NAME_BYTES || id.length > MAX_NAME_BYTES) {
      throw new IllegalArgumentException("name too long for the delta format: " + delta.documentId());
    }
    ByteBuffer out = ByteBuffer.allocate(2 + 24 + 2 + collection.length + 2 + id.length + 4 + change.length);
    out.put((byte) TAG).put((byte) VERSION);
    out.putLong(delta.dot().replica().value()).putLong(delta.dot().seq()).putLong(delta.hlc());
    out.putShort((short) collection.length).put(collection);
    out.putShort((short) id.length).put(id);
    out.putInt(change.length).put(change);
    return out.array();
  }

  /**
   * @throws ReplicaException with reason {@code MALFORMED_DELTA} naming what is wrong, for any
   *     input that is not exactly one well-formed delta
   */
  public static Delta decode(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      int tag = in.get() & 0xFF;
      int version = in.get() & 0xFF;
      if (tag != TAG) {
        throw malformed("tag 0x" + Integer.toHexString(tag) + " is not a delta");
      }
      if (version != VERSION) {
        throw malformed("unsupported delta format version " + version);
      }
      long replica = in.getLong();
      long seq = in.getLong();
      long hlc = in.getLong();
      if (seq < 1) {
        throw malformed("sequence " + seq + " is below 1");
      }
      if (replica == 0) {
        throw malformed("replica id 0 is reserved");
      }
      String collection = string(in, "collection");
      String id = string(in, "document id");
      int length = in.getInt();
      if (length < 0 || length != in.remaining()) {
        throw malformed("change length " + length + " but " + in.remaining() + " bytes remain");
      }
      byte[] change = new byte[length];
      in.get(change);
      Document doc = CrdtCodec.decode(change, Document.class);
      return new Delta(new Dot(new ReplicaId(replica), seq), hlc, collection, id, doc);
    } catch (BufferUnderflowException e) {
      throw malformed("truncated after " + in.position() + " bytes");
    } catch (CodecException e) {
      throw new ReplicaException(ReplicaException.Reason.MALFORMED_DELTA, "delta change: " + e.getMessage(), e);
    }
  }

  private static String string(ByteBuffer in, String what) {
    int length = in.getShort() & 0xFFFF;
    if (length > in.remaining()) {
      throw malformed(what + " length " + length + " exceeds the " + in.remaining() + " bytes left");
    }
    byte[] raw = new byte[length];
    in.get(raw);
    String s = new String(raw, StandardCharsets.UTF_8);
    if (!java.util.Arrays.equals(s.getBytes(StandardCharsets.UTF_8), raw)) {
      throw malformed(what + " is not valid UTF-8");
    }
    return s;
  }

  private static ReplicaException malformed(String detail) {
    return new ReplicaException(ReplicaException.Reason.MALFORMED_DELTA, "malformed delta: " + detail);
  }
}
