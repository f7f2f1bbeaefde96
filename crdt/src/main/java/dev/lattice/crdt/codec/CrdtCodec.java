package dev.lattice.crdt.codec;

import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.type.Crdt;
import dev.lattice.crdt.value.Value;

/**
 * The canonical binary encoding of Lattice's CRDT values, version vectors and scalar values: what
 * is stored, hashed into Merkle trees and shipped in full-state repair.
 *
 * <h2>Properties</h2>
 *
 * <ul>
 *   <li><b>Canonical.</b> Equal values give equal bytes, whatever order they were built in: every
 *       collection is written in its sorted order, doubles as {@link Double#doubleToLongBits} (one
 *       NaN), strings as UTF-8. Digests of equal states are equal (the Akka Distributed Data rule).
 *   <li><b>Strict.</b> The decoder accepts exactly the encoder's output: unsorted or duplicate
 *       keys, elements or replica ids, non-minimal varints, unknown tags, an unused dictionary entry,
 *       trailing bytes are refused. So {@code decode(encode(x)).equals(x)}, and each value has one
 *       encoding. Dots are delta-coded, so an unsorted or repeated dot cannot even be written.
 *   <li><b>Safe on hostile input.</b> Decoding any byte array either returns a value or throws
 *       {@link CodecException}; nothing else escapes. Every count and length is checked against the
 *       bytes left before anything is allocated (a claimed length of 2^31 in a ten-byte input fails
 *       at once), and maps and lists nest at most {@link #MAX_DEPTH} deep, so recursion is bounded.
 *   <li><b>Compact.</b> A 10-field document of LWW strings costs 12.4 bytes per field beyond the
 *       names and the string bytes as a replica stores it, 14.9 with uncompacted contexts
 *       (measured in {@code CrdtCodecSizeTest}).
 * </ul>
 *
 * <h2>Layout (format version 1)</h2>
 *
 * Integers are unsigned LEB128 varints (shortest form) unless marked {@code u64} (8 bytes,
 * big-endian). Every blob starts with {@code tag u8, version u8 (= 1)}.
 *
 * <pre>
 * tag   blob            after tag and version
 * 0x01  LwwRegister     dict, base, lww-body
 * 0x02  MvRegister      dict, mv-body
 * 0x03  GCounter        dict, gc-body
 * 0x04  PnCounter       dict, pn-body
 * 0x05  OrSet           dict, set-body
 * 0x06  OrMap           dict, base, map-body
 * 0x07  Flag            dict, flag-body
 * 0x08  Document        dict, base, map-body (its fields)
 * 0x10  VersionVector   n, n x (id u64 ascending, entry)
 * 0x11  Value           value
 *
 * dict       n, n x id u64         distinct replica ids in unsigned order, each used at least once;
 *                                  dots and contexts refer to replicas by index
 * base       0 | 1 + minMillis     least HLC millisecond in the blob (0: no LWW stamp in the blob)
 * header     size &lt;&lt; 2 | form      form of the context: 0 empty, 1 exactly the stored dots,
 *                                  2 stored dots + residual, 3 written in full (see Residual)
 * lww-body   header, size x (dot, stamp, value), [context]
 * mv-body    header, size x (dot, value), [context]
 * gc-body    header, size x (dot, count), [context]
 * pn-body    header, size x (dot, up, down), [context]
 * set-body   header, size x (value ascending, dotCount - 1, dots), [context]
 * flag-body  header, size x dot, [context]
 * map-body   n, n x (nameLength &lt;&lt; 3 | kindTag, name UTF-8, field-body)   keys ascending
 *            (a nested field is never empty: header &gt; 0, map size &gt; 0)
 * dot        replica index delta, seq: within one run of dots (a store, or one set element's
 *            dots), the first dot writes (index, seq - 1); each next dot writes the index
 *            increase, then seq - prevSeq - 1 if the index is unchanged, else seq - 1
 * stamp      (millis - base) &lt;&lt; 1 | (logical != 0), [logical - 1]
 * context    n - 1, n x (index - prevIndex - 1, entry)     only for forms 2 and 3
 * entry      extraCount &lt;&lt; 1 | (contiguous &gt; 0), [contiguous - 1],
 *            extras as gaps: first - contiguous - 2, then next - prev - 1
 * value      kind tag (Value.Kind.tag), then: NULL -, BOOL 0|1, INT zigzag varint,
 *            FLOAT u64 doubleToLongBits, STRING length + UTF-8, BYTES length + bytes,
 *            LIST count + values
 * </pre>
 *
 * The context of a causal CRDT is written relative to its stored dots (class {@code Residual}):
 * for a delta or an uncompacted field whose context is just its own dots it costs nothing, and a
 * replica's compacted state, whose context its version vector has absorbed, costs nothing either.
 * The HLC splits into its 48-bit millisecond part, written as an offset from the blob's least, and
 * its 16-bit logical part, which is usually 0 and then costs one bit.
 *
 * <h2>Versioning</h2>
 *
 * A change to the layout gets a new version byte; decoders for old versions stay, and are tested
 * against the frozen fixtures in {@code CrdtCodecFixturesTest}.
 *
 * <h2>Encoding limits</h2>
 *
 * Encoding refuses, with {@link IllegalArgumentException}, the few values the format cannot hold:
 * a string with an unpaired surrogate (it has no UTF-8 form, and replacing it would break the
 * round trip), and nesting deeper than {@link #MAX_DEPTH}.
 */
public final class CrdtCodec {
  /** The format version written by this encoder. */
  public static final int FORMAT_VERSION = 1;
  /** The deepest nesting of maps in maps, or of lists in lists, that the format allows. */
  public static final int MAX_DEPTH = 32;

  private CrdtCodec() {}

  /**
   * The canonical bytes of a CRDT value: {@code LwwRegister}, {@code MvRegister}, {@code GCounter},
   * {@code PnCounter}, {@code OrSet}, {@code Flag}, {@code OrMap} or {@code Document}.
   *
   * @throws IllegalArgumentException if the type has no encoding, or the value breaks one of the
   *     encoding limits above
   */
  public static byte[] encode(Crdt<?> value) {
    return Encoder.encode(value);
  }

  /**
   * Decodes a blob of the given type.
   *
   * @throws CodecException if the input is malformed, truncated, not canonical, or holds another type
   * @throws IllegalArgumentException if {@code type} is not one of the encodable CRDT classes
   */
  public static <T extends Crdt<T>> T decode(byte[] bytes, Class<T> type) throws CodecException {
    BlobType expected = BlobType.ofClass(type);
    if (expected == null) {
      throw new IllegalArgumentException("no canonical encoding for " + type.getName());
    }
    return type.cast(Decoder.decode(bytes, expected));
  }

  /**
   * Decodes a blob of any CRDT type, as named by its tag.
   *
   * @throws CodecException if the input is malformed, truncated, not canonical, or is not a CRDT blob
   */
  public static Crdt<?> decodeAny(byte[] bytes) throws CodecException {
    return (Crdt<?>) Decoder.decode(bytes, null);
  }

  /** The canonical bytes of a version vector. */
  public static byte[] encodeVector(VersionVector vector) {
    ByteWriter out = new ByteWriter(16 + 12 * vector.size());
    out.writeByte(BlobType.VECTOR.tag);
    out.writeByte(FORMAT_VERSION);
    out.writeVarint(vector.size());
    for (ReplicaId r : vector.replicas()) {
      out.writeFixed64(r.value());
      Encoder.writeEntryBody(out, vector.contiguous(r), vector.beyondGap(r));
    }
    return out.toByteArray();
  }

  /**
   * @throws CodecException if the input is malformed, truncated, not canonical, or not a vector blob
   */
  public static VersionVector decodeVector(byte[] bytes) throws CodecException {
    return (VersionVector) Decoder.decode(bytes, BlobType.VECTOR);
  }

  /**
   * The canonical bytes of a scalar value.
   *
   * @throws IllegalArgumentException if a string has an unpaired surrogate or lists nest deeper
   *     than {@link #MAX_DEPTH}
   */
  public static byte[] encodeValue(Value value) {
    ByteWriter out = new ByteWriter(16);
    out.writeByte(BlobType.VALUE.tag);
    out.writeByte(FORMAT_VERSION);
    ValueCodec.write(value, out, 1);
    return out.toByteArray();
  }

  /**
   * @throws CodecException if the input is malformed, truncated, not canonical, or not a value blob
   */
  public static Value decodeValue(byte[] bytes) throws CodecException {
    return (Value) Decoder.decode(bytes, BlobType.VALUE);
  }
}
