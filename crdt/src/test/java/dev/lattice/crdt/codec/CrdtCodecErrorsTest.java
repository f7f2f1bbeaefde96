package dev.lattice.crdt.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.codec.CodecException.Reason;
import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.type.FieldKey;
import dev.lattice.crdt.type.FieldKind;
import dev.lattice.crdt.type.Flag;
import dev.lattice.crdt.type.GCounter;
import dev.lattice.crdt.type.LwwRegister;
import dev.lattice.crdt.type.OrMap;
import dev.lattice.crdt.type.OrSet;
import dev.lattice.crdt.value.Value;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** Each refusal reason, from hand-built bytes, with the offset the message must name. */
class CrdtCodecErrorsTest {
  /** Replica ids as they appear in a dictionary: A sorts before B. */
  static final String A = "0000000000000a01";
  static final String B = "b000000000000b02";

  static byte[] hex(String spaced) {
    return HexFormat.of().parseHex(spaced.replace(" ", ""));
  }

  static void refused(Reason reason, int offset, ThrowingCallable decode) {
    assertThatThrownBy(decode).isInstanceOfSatisfying(CodecException.class, e -> {
      assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
      assertThat(e.offset()).as(e.getMessage()).isEqualTo(offset);
      assertThat(e.getMessage()).contains("offset " + offset);
    });
  }

  static Document sampleDocument() {
    return CrdtCodecFixturesTest.document();
  }

  @Test
  void truncated() {
    refused(Reason.TRUNCATED, 0, () -> CrdtCodec.decodeAny(new byte[0]));
    byte[] doc = CrdtCodec.encode(sampleDocument());
    for (int cut = 1; cut < doc.length; cut++) {
      byte[] prefix = Arrays.copyOf(doc, cut);
      assertThatThrownBy(() -> CrdtCodec.decode(prefix, Document.class)).as("cut at %d", cut)
          .isInstanceOf(CodecException.class);
    }
    refused(Reason.TRUNCATED, 3, () -> CrdtCodec.decodeValue(hex("11 01 03 3ff8")));
  }

  @Test
  void unknownTag() {
    refused(Reason.UNKNOWN_TAG, 0, () -> CrdtCodec.decodeAny(hex("7f 01")));
    refused(Reason.UNKNOWN_TAG, 2, () -> CrdtCodec.decodeValue(hex("11 01 09")));
    // A map entry whose key names field kind 0.
    refused(Reason.UNKNOWN_TAG, 5, () -> CrdtCodec.decodeAny(hex("06 01 00 00 01 08 61 00")));
  }

  @Test
  void unsupportedVersion() {
    refused(Reason.UNSUPPORTED_VERSION, 1, () -> CrdtCodec.decodeAny(hex("07 02 00 00")));
    refused(Reason.UNSUPPORTED_VERSION, 1, () -> CrdtCodec.decodeValue(hex("11 00 00")));
  }

  @Test
  void typeMismatch() {
    byte[] lww = CrdtCodec.encode(LwwRegister.EMPTY.assign(Value.of(1), 5, Dot.of(1, 1)));
    refused(Reason.TYPE_MISMATCH, 0, () -> CrdtCodec.decode(lww, GCounter.class));
    byte[] vector = CrdtCodec.encodeVector(VersionVector.of(Dot.of(1, 1)));
    refused(Reason.TYPE_MISMATCH, 0, () -> CrdtCodec.decodeAny(vector));
    refused(Reason.TYPE_MISMATCH, 0, () -> CrdtCodec.decodeValue(vector));
    refused(Reason.TYPE_MISMATCH, 0, () -> CrdtCodec.decodeVector(lww));
  }

  @Test
  void lengthOutOfRangeFailsBeforeAllocating() {
    // Ten bytes that claim a string of 2^31 bytes.
    byte[] claim = hex("11 01 04 80 80 80 80 08 61 62");
    assertThat(claim).hasSize(10);
    refused(Reason.LENGTH_OUT_OF_RANGE, 3, () -> CrdtCodec.decodeValue(claim));
    // A dictionary of 2^31 replicas, a list of 2^62 values, a vector of 2 entries in 9 bytes.
    refused(Reason.LENGTH_OUT_OF_RANGE, 2, () -> CrdtCodec.decodeAny(hex("01 01 80 80 80 80 08 00")));
    refused(Reason.LENGTH_OUT_OF_RANGE, 3, () -> CrdtCodec.decodeValue(hex("11 01 06 80 80 80 80 80 80 80 80 40")));
    refused(Reason.LENGTH_OUT_OF_RANGE, 2, () -> CrdtCodec.decodeVector(hex("10 01 02" + A + "01 00")));
    // A store claiming 2^40 entries.
    refused(Reason.LENGTH_OUT_OF_RANGE, 11, () -> CrdtCodec.decodeAny(hex("07 01 01" + A + "80 80 80 80 80 80 01 00")));
  }

  @Test
  void notCanonical() {
    // The integer 0 as a two-byte varint.
    refused(Reason.NOT_CANONICAL, 3, () -> CrdtCodec.decodeValue(hex("11 01 02 80 00")));
    // A NaN other than the canonical one.
    refused(Reason.NOT_CANONICAL, 3, () -> CrdtCodec.decodeValue(hex("11 01 03 7ff8000000000001")));
    // Set elements out of order: "y" then "x". In order, the same bytes decode.
    String set = "05 01 01" + A + "09";
    assertThat(decodesTo(hex(set + "04 01 78 00 00 00  04 01 79 00 00 01"))).isInstanceOf(OrSet.class);
    refused(Reason.NOT_CANONICAL, 18, () -> CrdtCodec.decodeAny(hex(set + "04 01 79 00 00 00  04 01 78 00 00 01")));
    // A map with the key a:flag twice.
    refused(Reason.NOT_CANONICAL, 18,
        () -> CrdtCodec.decodeAny(hex("06 01 01" + A + "00 02  0f 61 05 00 00  0f 61 05 00 01")));
    // A dictionary out of order, and one with an unused entry.
    refused(Reason.NOT_CANONICAL, 11, () -> CrdtCodec.decodeAny(hex("07 01 02" + B + A + "05 00 00")));
    refused(Reason.NOT_CANONICAL, 2, () -> CrdtCodec.decodeAny(hex("07 01 02" + A + B + "05 00 00")));
    // An HLC base below every stamp (the one stamp is base + 1 ms).
    refused(Reason.NOT_CANONICAL, 12, () -> CrdtCodec.decodeAny(hex("01 01 01" + A + "02  05 00 00 02 00")));
    // A flag holding A:1 whose context {A:1} is written as a residual instead of "the stored dots".
    refused(Reason.NOT_CANONICAL, 14, () -> CrdtCodec.decodeAny(hex("07 01 01" + A + "06 00 00  00 00 01 00")));
    // An empty flag stored as a map entry.
    refused(Reason.NOT_CANONICAL, 20, () -> CrdtCodec.decodeAny(hex("06 01 01" + A + "00 02  0f 61 05 00 00  0f 62 00")));
    // An empty vector entry.
    refused(Reason.NOT_CANONICAL, 3, () -> CrdtCodec.decodeVector(hex("10 01 01" + A + "00")));
  }

  @Test
  void invalidValue() {
    refused(Reason.INVALID_VALUE, 3, () -> CrdtCodec.decodeValue(hex("11 01 01 02")));
    refused(Reason.INVALID_VALUE, 4, () -> CrdtCodec.decodeValue(hex("11 01 04 02 c3 28")));
    // UTF-8 of a lone surrogate (U+D800) and an overlong '/'.
    refused(Reason.INVALID_VALUE, 4, () -> CrdtCodec.decodeValue(hex("11 01 04 03 ed a0 80")));
    refused(Reason.INVALID_VALUE, 4, () -> CrdtCodec.decodeValue(hex("11 01 04 02 c0 af")));
    // A varint of more than 64 bits.
    refused(Reason.INVALID_VALUE, 3, () -> CrdtCodec.decodeValue(hex("11 01 02 ff ff ff ff ff ff ff ff ff 7f")));
    // A dot naming replica index 1 in a one-entry dictionary.
    refused(Reason.INVALID_VALUE, 12, () -> CrdtCodec.decodeAny(hex("07 01 01" + A + "05 01 00")));
    // A sequence past Long.MAX_VALUE: 2^63 - 1 + 1.
    refused(Reason.INVALID_VALUE, 13,
        () -> CrdtCodec.decodeAny(hex("07 01 01" + A + "05 00 ff ff ff ff ff ff ff ff 7f")));
    // An LWW stamp in a blob that declared no stamps.
    refused(Reason.INVALID_VALUE, 15, () -> CrdtCodec.decodeAny(hex("01 01 01" + A + "00 05 00 00 00 00")));
  }

  @Test
  void nestingTooDeep() {
    StringBuilder lists = new StringBuilder("11 01");
    for (int i = 0; i < CrdtCodec.MAX_DEPTH + 1; i++) {
      lists.append(" 06 01");
    }
    refused(Reason.NESTING_TOO_DEEP, 2 + 2 * CrdtCodec.MAX_DEPTH,
        () -> CrdtCodec.decodeValue(hex(lists + " 00")));
    StringBuilder maps = new StringBuilder("06 01 00 00");
    for (int i = 0; i < CrdtCodec.MAX_DEPTH; i++) {
      maps.append(" 01 0e 61");
    }
    refused(Reason.NESTING_TOO_DEEP, 4 + 3 * CrdtCodec.MAX_DEPTH, () -> CrdtCodec.decodeAny(hex(maps + " 00")));
  }

  @Test
  void depthLimitIsTheSameForEncoderAndDecoder() throws CodecException {
    OrMap deepest = OrMap.of(new FieldKey("on", FieldKind.FLAG), Flag.EMPTY.enable(Dot.of(7, 1)));
    OrMap map = deepest;
    for (int depth = 1; depth < CrdtCodec.MAX_DEPTH; depth++) {
      map = OrMap.of(new FieldKey("m", FieldKind.MAP), map);
    }
    assertThat(CrdtCodec.decode(CrdtCodec.encode(map), OrMap.class)).isEqualTo(map);
    OrMap tooDeep = OrMap.of(new FieldKey("m", FieldKind.MAP), map);
    assertThatThrownBy(() -> CrdtCodec.encode(tooDeep)).isInstanceOf(IllegalArgumentException.class);

    Value list = Value.NULL;
    for (int depth = 1; depth < CrdtCodec.MAX_DEPTH; depth++) {
      list = Value.ofList(List.of(list));
    }
    assertThat(CrdtCodec.decodeValue(CrdtCodec.encodeValue(list))).isEqualTo(list);
    Value deeper = Value.ofList(List.of(list));
    assertThatThrownBy(() -> CrdtCodec.encodeValue(deeper)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void trailingBytes() {
    byte[] doc = CrdtCodec.encode(sampleDocument());
    byte[] longer = Arrays.copyOf(doc, doc.length + 1);
    refused(Reason.TRAILING_BYTES, doc.length, () -> CrdtCodec.decode(longer, Document.class));
  }

  @Test
  void encoderRefusesStringsWithoutUtf8Form() {
    assertThatThrownBy(() -> CrdtCodec.encodeValue(Value.of("a\uD800b")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unpaired surrogate");
    TreeMap<Dot, LwwRegister.Stamped> entries = new TreeMap<>(
        Map.of(Dot.of(1, 1), new LwwRegister.Stamped(1, Value.of("\uDC00"))));
    assertThatThrownBy(() -> CrdtCodec.encode(new LwwRegister(entries, VersionVector.EMPTY)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void storedDotsOutsideTheContextRoundTrip() throws CodecException {
    // A compacted state: the context no longer lists the stored dot (the replica's vector does).
    LwwRegister stored = new LwwRegister(new TreeMap<>(Map.of(Dot.of(3, 9), new LwwRegister.Stamped(-1, Value.NULL))),
        VersionVector.of(Dot.of(3, 2)));
    assertThat(CrdtCodec.decode(CrdtCodec.encode(stored), LwwRegister.class)).isEqualTo(stored);
  }

  @Test
  void unknownClassIsAProgrammingError() {
    assertThatThrownBy(() -> CrdtCodec.decode(new byte[] {1, 1}, Fake.class))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static Object decodesTo(byte[] bytes) {
    try {
      return CrdtCodec.decodeAny(bytes);
    } catch (CodecException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  /** A CRDT the codec does not know. */
  record Fake(ReplicaId id) implements dev.lattice.crdt.type.Crdt<Fake> {
    @Override
    public Fake merge(Fake other) {
      return this;
    }
  }
}
