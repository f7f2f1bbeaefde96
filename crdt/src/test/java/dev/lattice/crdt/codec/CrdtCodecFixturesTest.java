package dev.lattice.crdt.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.clock.HlcTimestamp;
import dev.lattice.crdt.type.Crdt;
import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.type.FieldKey;
import dev.lattice.crdt.type.FieldKind;
import dev.lattice.crdt.type.Flag;
import dev.lattice.crdt.type.GCounter;
import dev.lattice.crdt.type.LwwRegister;
import dev.lattice.crdt.type.MvRegister;
import dev.lattice.crdt.type.OrMap;
import dev.lattice.crdt.type.OrSet;
import dev.lattice.crdt.type.PnCounter;
import dev.lattice.crdt.value.Value;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Frozen fixtures of format version 1. These bytes are stored on disk and hashed into Merkle
 * trees: if one of these tests fails, the change broke the format. Do not update the hex; add a
 * new format version and keep decoding these.
 */
class CrdtCodecFixturesTest {
  static final ReplicaId A = new ReplicaId(0x0000000000000a01L);
  static final ReplicaId B = new ReplicaId(0xb000000000000b02L);
  static final long T = HlcTimestamp.pack(1_760_000_000_000L, 0);

  static Dot a(long seq) {
    return new Dot(A, seq);
  }

  static Dot b(long seq) {
    return new Dot(B, seq);
  }

  // Value blob: list [-3, "é", null, true, 1.5, 0x00ff].
  static final String VALUE_HEX =
      "1101060602050402c3a9000101033ff8000000000000050200ff";
  // Vector {A: 1..5, B: 3, 7}.
  static final String VECTOR_HEX =
      "1001020000000000000a010104b000000000000b02040103";
  static final String LWW_HEX =
      "0101020000000000000a01b000000000000b028680b3c19c330a00010004036e657701020902020e00000100";
  static final String MVREG_HEX =
      "0201020000000000000a01b000000000000b020a0001040179010004017a00000100";
  static final String GCOUNTER_HEX =
      "0301020000000000000a01b000000000000b020a0003b10201010100000100";
  static final String COUNTER_HEX =
      "0401020000000000000a01b000000000000b020a00000a000102000500010200";
  static final String SET_HEX =
      "0501020000000000000a01b000000000000b020a020400000104017900010301000100000203";
  static final String FLAG_HEX =
      "0701020000000000000a01b000000000000b0206000201000100000100";
  static final String MAP_HEX =
      "0601020000000000000a01b000000000000b028180b3c19c3302096e0500000002021e73756201176f6e050100";
  static final String DOCUMENT_HEX =
      "0801020000000000000a01b000000000000b02e1d4b6c19c3303216e616d65060102000406416461204c2e0000020525746167730504046d617468000006347669736974730501010300";
  static final String DOCUMENT_STORED_HEX =
      "0801020000000000000a01b000000000000b02e1d4b6c19c3303216e616d65040102000406416461204c2e25746167730404046d617468000006347669736974730401010300";

  static Value listValue() {
    return Value.ofList(List.of(Value.of(-3), Value.of("\u00e9"), Value.NULL, Value.of(true), Value.of(1.5),
        Value.ofBytes(new byte[] {0, (byte) 0xff})));
  }

  static VersionVector vector() {
    return VersionVector.ofEntry(A, 5, new long[0]).merge(VersionVector.ofEntry(B, 0, new long[] {3, 7}));
  }

  /** A assigns "old" at A:1, then "new" at A:2; B assigns concurrently at B:3 (a later stamp loses to nothing). */
  static LwwRegister lww() {
    LwwRegister first = LwwRegister.EMPTY.assign(Value.of("old"), T, a(1));
    LwwRegister second = first.merge(first.assign(Value.of("new"), T + (5L << 16), a(2)));
    return second.merge(first.assign(Value.of(7), T + (9L << 16) + 3, b(3)));
  }

  static MvRegister mvreg() {
    MvRegister base = MvRegister.EMPTY.assign(Value.of("x"), a(1));
    return base.merge(base.assign(Value.of("y"), a(2))).merge(base.assign(Value.of("z"), b(1)));
  }

  static GCounter gcounter() {
    GCounter c = GCounter.EMPTY.increment(5, a(1));
    c = c.merge(c.increment(300, a(4)));
    return c.merge(GCounter.EMPTY.increment(1, b(2)));
  }

  static PnCounter counter() {
    PnCounter c = PnCounter.EMPTY.increment(10, a(1));
    c = c.merge(c.increment(-4, b(2)));
    return c.merge(c.increment(-1, b(3)));
  }

  static OrSet set() {
    OrSet s = OrSet.EMPTY.add(Value.of("x"), a(1));
    s = s.merge(s.add(Value.of("y"), b(4)));
    s = s.merge(s.add(Value.of(2), a(2)));
    return s.merge(s.remove(Value.of("x"), b(5)));
  }

  static Flag flag() {
    Flag f = Flag.EMPTY.enable(a(1));
    f = f.merge(f.disable(b(1)));
    return f.merge(Flag.EMPTY.enable(a(3)));
  }

  static OrMap map() {
    OrMap m = OrMap.of(new FieldKey("n", FieldKind.LWW), LwwRegister.EMPTY.assign(Value.of(1), T, a(1)));
    OrMap inner = OrMap.of(new FieldKey("on", FieldKind.FLAG), Flag.EMPTY.enable(b(1)));
    return m.merge(OrMap.of(new FieldKey("sub", FieldKind.MAP), inner));
  }

  static Document document() {
    Document d = Document.of(new FieldKey("name", FieldKind.LWW), LwwRegister.EMPTY.assign(Value.of("Ada"), T, a(7)))
        .with(new FieldKey("tags", FieldKind.SET), OrSet.EMPTY.add(Value.of("math"), a(7)));
    d = d.merge(Document.of(new FieldKey("visits", FieldKind.COUNTER), PnCounter.EMPTY.increment(3, b(2))));
    return d.merge(Document.of(new FieldKey("name", FieldKind.LWW),
        d.fields().lww("name").assign(Value.of("Ada L."), T + (60_000L << 16), b(3))));
  }

  static Document documentStored() {
    return document().compact(VersionVector.ofDots(List.of(a(7), b(2), b(3))));
  }

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s);
  }

  private static <T extends Crdt<T>> void frozen(String name, String fixture, T value, Class<T> type)
      throws CodecException {
    String actual = HexFormat.of().formatHex(CrdtCodec.encode(value));
    assertThat(actual).as("%s: encode(value) must equal the frozen fixture", name).isEqualTo(fixture);
    assertThat(CrdtCodec.decode(hex(fixture), type)).as("%s: decode(fixture)", name).isEqualTo(value);
  }

  @Test
  void value() throws CodecException {
    assertThat(HexFormat.of().formatHex(CrdtCodec.encodeValue(listValue()))).isEqualTo(VALUE_HEX);
    assertThat(CrdtCodec.decodeValue(hex(VALUE_HEX))).isEqualTo(listValue());
  }

  @Test
  void versionVector() throws CodecException {
    assertThat(HexFormat.of().formatHex(CrdtCodec.encodeVector(vector()))).isEqualTo(VECTOR_HEX);
    assertThat(CrdtCodec.decodeVector(hex(VECTOR_HEX))).isEqualTo(vector());
  }

  @Test
  void lwwRegister() throws CodecException {
    frozen("lww", LWW_HEX, lww(), LwwRegister.class);
  }

  @Test
  void mvRegister() throws CodecException {
    frozen("mvreg", MVREG_HEX, mvreg(), MvRegister.class);
  }

  @Test
  void gCounter() throws CodecException {
    frozen("gcounter", GCOUNTER_HEX, gcounter(), GCounter.class);
  }

  @Test
  void pnCounter() throws CodecException {
    frozen("counter", COUNTER_HEX, counter(), PnCounter.class);
  }

  @Test
  void orSet() throws CodecException {
    frozen("set", SET_HEX, set(), OrSet.class);
  }

  @Test
  void enableWinsFlag() throws CodecException {
    frozen("flag", FLAG_HEX, flag(), Flag.class);
  }

  @Test
  void orMap() throws CodecException {
    frozen("map", MAP_HEX, map(), OrMap.class);
  }

  @Test
  void documentWithThreeKinds() throws CodecException {
    frozen("document", DOCUMENT_HEX, document(), Document.class);
  }

  @Test
  void documentAsStored() throws CodecException {
    frozen("document stored", DOCUMENT_STORED_HEX, documentStored(), Document.class);
  }
}
