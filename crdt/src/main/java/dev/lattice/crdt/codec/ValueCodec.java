package dev.lattice.crdt.codec;

import dev.lattice.crdt.codec.CodecException.Reason;
import dev.lattice.crdt.value.Value;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The encoding of a {@link Value}: its kind tag ({@link Value.Kind#tag}) then its content.
 *
 * <pre>
 *   NULL   0x00
 *   BOOL   0x01 (0x00 | 0x01)
 *   INT    0x02 zigzag varint
 *   FLOAT  0x03 8 bytes big-endian of doubleToLongBits (so every NaN is the one canonical NaN)
 *   STRING 0x04 varint length, UTF-8 bytes
 *   BYTES  0x05 varint length, bytes
 *   LIST   0x06 varint count, values
 * </pre>
 */
final class ValueCodec {
  private ValueCodec() {}

  static void write(Value v, ByteWriter out, int depth) {
    if (depth > CrdtCodec.MAX_DEPTH) {
      throw new IllegalArgumentException("list values nested deeper than " + CrdtCodec.MAX_DEPTH);
    }
    out.writeByte(v.kind().tag);
    if (v instanceof Value.Bool b) {
      out.writeByte(b.value() ? 1 : 0);
    } else if (v instanceof Value.Int i) {
      out.writeVarint((i.value() << 1) ^ (i.value() >> 63));
    } else if (v instanceof Value.Float f) {
      out.writeFixed64(Double.doubleToLongBits(f.value()));
    } else if (v instanceof Value.Str s) {
      byte[] utf8 = utf8(s.value(), "string value");
      out.writeVarint(utf8.length);
      out.writeBytes(utf8);
    } else if (v instanceof Value.Bytes b) {
      out.writeVarint(b.length());
      out.writeBytes(b.bytes());
    } else if (v instanceof Value.ListValue l) {
      out.writeVarint(l.values().size());
      for (Value e : l.values()) {
        write(e, out, depth + 1);
      }
    }
    // Null has no content.
  }

  static Value read(ByteReader in, int depth) throws CodecException {
    int at = in.position();
    if (depth > CrdtCodec.MAX_DEPTH) {
      throw new CodecException(Reason.NESTING_TOO_DEEP, at, "list values nested deeper than " + CrdtCodec.MAX_DEPTH);
    }
    int tag = in.readByte("a value kind");
    switch (tag) {
      case 0:
        return Value.NULL;
      case 1: {
        int b = in.readByte("a boolean");
        if (b > 1) {
          throw new CodecException(Reason.INVALID_VALUE, at + 1, "boolean byte " + b + " is neither 0 nor 1");
        }
        return Value.of(b == 1);
      }
      case 2: {
        long z = in.readVarint("an integer");
        return Value.of((z >>> 1) ^ -(z & 1));
      }
      case 3: {
        long bits = in.readFixed64("double");
        double d = Double.longBitsToDouble(bits);
        if (Double.isNaN(d) && bits != Double.doubleToLongBits(Double.NaN)) {
          throw new CodecException(Reason.NOT_CANONICAL, at + 1,
              "NaN with bits 0x" + Long.toHexString(bits) + " instead of the canonical NaN");
        }
        return Value.of(d);
      }
      case 4: {
        int n = in.readCount(1, "string length");
        return Value.of(in.readUtf8(n, "string"));
      }
      case 5: {
        int n = in.readCount(1, "bytes length");
        return Value.ofBytes(in.readBytes(n));
      }
      case 6: {
        int n = in.readCount(1, "list length");
        List<Value> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          values.add(read(in, depth + 1));
        }
        return Value.ofList(values);
      }
      default:
        throw new CodecException(Reason.UNKNOWN_TAG, at, "unknown value kind " + tag);
    }
  }

  /**
   * The UTF-8 bytes of {@code s}, which must be well-formed UTF-16: an unpaired surrogate has no
   * UTF-8 form, and replacing it silently would make decode(encode(x)) differ from x.
   *
   * @throws IllegalArgumentException if {@code s} holds an unpaired surrogate
   */
  static byte[] utf8(String s, String what) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException(what + " has an unpaired surrogate at index " + i);
      }
    }
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
