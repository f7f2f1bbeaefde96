package dev.lattice.replica.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import dev.lattice.replica.log.Delta;
import dev.lattice.replica.log.DeltaCodec;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link SyncCodec}: every message type round-trips through JSON and CBOR, packed or not; limits hold. */
class SyncCodecTest {
  static final SyncCodec CODEC = new SyncCodec(SyncLimits.defaults());
  static final ObjectMapper JSON = new ObjectMapper();

  static java.util.stream.LongStream seeds() {
    return SyncNet.seeds();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void everyMessageTypeRoundTripsThroughJsonAndCborPackedOrNot(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    for (int round = 0; round < 4; round++) {
      for (int type = 0; type < Messages.TYPES; type++) {
        SyncMessage m = Messages.of(type, random);
        for (boolean pack : new boolean[] {false, true}) {
          String text = CODEC.encodeText(m, pack);
          assertThat(CODEC.decodeText(text)).as("seed %d, JSON%s: %s", seed, pack ? " packed" : "", text).isEqualTo(m);
          byte[] binary = CODEC.encodeBinary(m, pack);
          assertThat(CODEC.decodeBinary(binary)).as("seed %d, CBOR%s: %s", seed, pack ? " packed" : "", m).isEqualTo(m);
        }
      }
    }
  }

  @Test
  void packedDeltasRoundTripAndAreSmallerForTypicalPages() {
    List<Delta> page = Messages.DELTAS.subList(0, Math.min(200, Messages.DELTAS.size()));
    SyncMessage.Deltas m = new SyncMessage.Deltas(page);
    byte[] plain = CODEC.encodeBinary(m, false);
    byte[] packed = CODEC.encodeBinary(m, true);
    assertThat(CODEC.decodeBinary(packed)).isEqualTo(m);
    assertThat(CODEC.decodeText(CODEC.encodeText(m, true))).isEqualTo(m);
    assertThat(packed.length).as("packed %d vs plain %d bytes", packed.length, plain.length).isLessThan(plain.length / 2);
    SyncMessage.Deltas empty = new SyncMessage.Deltas(List.of());
    assertThat(CODEC.decodeBinary(CODEC.encodeBinary(empty, true))).isEqualTo(empty);
    assertThat(CODEC.decodeText(CODEC.encodeText(empty, true))).isEqualTo(empty);
  }

  @Test
  void framesAreObjectsTaggedByTypeAndUnknownFieldsAreIgnored() throws Exception {
    SyncMessage m = Messages.of(5, new SplittableRandom(1));
    ObjectNode tree = (ObjectNode) JSON.readTree(CODEC.encodeText(m));
    assertThat(tree.get("t").asText()).isEqualTo("caught-up");
    tree.put("fromTheFuture", 42).putObject("nested").put("x", 1);
    assertThat(CODEC.decodeText(JSON.writeValueAsString(tree))).isEqualTo(m);
    byte[] cbor = new ObjectMapper(new CBORFactory()).writeValueAsBytes(tree);
    assertThat(CODEC.decodeBinary(cbor)).isEqualTo(m);
  }

  // ---- limits ----

  static SyncLimits small() {
    return new SyncLimits(4096, 16 << 10, 5, 1024);
  }

  static byte[] deflate(byte[] plain) {
    Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
    d.setInput(plain);
    d.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    while (!d.finished()) {
      out.write(buf, 0, d.deflate(buf));
    }
    d.end();
    return out.toByteArray();
  }

  static String packedFrame(byte[] packed, long size) {
    return "{\"t\":\"deltas\",\"packed\":\"" + Base64.getEncoder().encodeToString(packed) + "\",\"size\":" + size + "}";
  }

  static byte[] packedCbor(byte[] packed, long size) throws Exception {
    ObjectNode o = JSON.createObjectNode().put("t", "deltas").put("packed", packed).put("size", size);
    return new ObjectMapper(new CBORFactory()).writeValueAsBytes(o);
  }

  static void refused(SyncCodec codec, String text, byte[] cbor, ErrorCode code) {
    assertThatThrownBy(() -> codec.decodeText(text)).isInstanceOf(SyncException.class)
        .extracting(e -> ((SyncException) e).code()).isEqualTo(code);
    assertThatThrownBy(() -> codec.decodeBinary(cbor)).isInstanceOf(SyncException.class)
        .extracting(e -> ((SyncException) e).code()).isEqualTo(code);
  }

  @Test
  void aPackedFrameDeclaringMoreThanTheInflateLimitIsTooLarge() throws Exception {
    SyncCodec codec = new SyncCodec(small());
    byte[] packed = deflate(new byte[100]);
    for (long size : new long[] {(16 << 10) + 1, Integer.MAX_VALUE}) {
      refused(codec, packedFrame(packed, size), packedCbor(packed, size), ErrorCode.TOO_LARGE);
    }
    // A negative size, or one that is not a 32-bit integer, is a malformed field.
    refused(codec, packedFrame(packed, -1), packedCbor(packed, -1), ErrorCode.BAD_FRAME);
    refused(codec, packedFrame(packed, 1L << 40), packedCbor(packed, 1L << 40), ErrorCode.BAD_FRAME);
  }

  @Test
  void aDeflateBombIsRefusedWithoutInflatingItAll() throws Exception {
    SyncCodec codec = new SyncCodec(small());
    // 64 MiB of zeros deflate to ~64 KiB; too big a frame for the small limits, so a smaller bomb
    // (1 MiB of zeros -> ~1 KiB) that declares a size within the limit.
    byte[] bomb = deflate(new byte[1 << 20]);
    assertThat(bomb.length).isLessThan(4096 / 2);
    refused(codec, packedFrame(bomb, 1000), packedCbor(bomb, 1000), ErrorCode.BAD_FRAME);
    refused(codec, packedFrame(bomb, 16 << 10), packedCbor(bomb, 16 << 10), ErrorCode.BAD_FRAME);
    // And with the default limits: 40 MiB of zeros in a 40 KiB frame, declared at the 32 MiB limit.
    byte[] big = deflate(new byte[40 << 20]);
    int limit = SyncLimits.defaults().maxInflatedBytes();
    refused(CODEC, packedFrame(big, limit), packedCbor(big, limit), ErrorCode.BAD_FRAME);
  }

  @Test
  void packedDataThatInflatesToLessThanDeclaredOrToGarbageIsABadFrame() throws Exception {
    SyncCodec codec = new SyncCodec(small());
    byte[] one = DeltaCodec.encode(Messages.DELTAS.get(0));
    byte[] plain = ByteBuffer.allocate(4 + one.length).putInt(one.length).put(one).array();
    byte[] packed = deflate(plain);
    assertThat(codec.decodeText(packedFrame(packed, plain.length))).isEqualTo(new SyncMessage.Deltas(List.of(Messages.DELTAS.get(0))));
    refused(codec, packedFrame(packed, plain.length + 1), packedCbor(packed, plain.length + 1), ErrorCode.BAD_FRAME);
    refused(codec, packedFrame(packed, plain.length - 1), packedCbor(packed, plain.length - 1), ErrorCode.BAD_FRAME);
    byte[] notDeflate = {(byte) 0xff, (byte) 0xff, 1, 2, 3};
    refused(codec, packedFrame(notDeflate, 10), packedCbor(notDeflate, 10), ErrorCode.BAD_FRAME);
    byte[] badPrefix = deflate(ByteBuffer.allocate(8).putInt(1000).putInt(7).array());
    refused(codec, packedFrame(badPrefix, 8), packedCbor(badPrefix, 8), ErrorCode.BAD_FRAME);
    byte[] truncatedPrefix = deflate(new byte[] {0, 0});
    refused(codec, packedFrame(truncatedPrefix, 2), packedCbor(truncatedPrefix, 2), ErrorCode.BAD_FRAME);
    // More packed deltas than a batch may hold.
    ByteArrayOutputStream many = new ByteArrayOutputStream();
    for (int i = 0; i < 6; i++) {
      many.writeBytes(ByteBuffer.allocate(4).putInt(one.length).array());
      many.writeBytes(one);
    }
    byte[] manyPacked = deflate(many.toByteArray());
    refused(codec, packedFrame(manyPacked, many.size()), packedCbor(manyPacked, many.size()), ErrorCode.TOO_LARGE);
  }

  @Test
  void framesAboveTheMessageLimitAndBatchesAboveTheBatchLimitAreTooLarge() {
    SyncCodec codec = new SyncCodec(small());
    SyncMessage big = new SyncMessage.Repair(new byte[5000]);
    refused(codec, CODEC.encodeText(big), CODEC.encodeBinary(big), ErrorCode.TOO_LARGE);
    // A frame of multi-byte characters: under the limit in chars, over it in bytes.
    String wide = "{\"t\":\"error\",\"code\":\"x\",\"fatal\":false,\"message\":\"" + "\u4e2d".repeat(1500) + "\"}";
    assertThatThrownBy(() -> codec.decodeText(wide)).isInstanceOf(SyncException.class)
        .extracting(e -> ((SyncException) e).code()).isEqualTo(ErrorCode.TOO_LARGE);
    List<Delta> six = Messages.DELTAS.subList(0, 6);
    SyncMessage tooMany = new SyncMessage.Push(1, six);
    SyncCodec roomy = new SyncCodec(new SyncLimits(1 << 20, 1 << 20, 5, 1024));
    refused(roomy, CODEC.encodeText(tooMany), CODEC.encodeBinary(tooMany), ErrorCode.TOO_LARGE);
  }

  @Test
  void deepNestingIsABadFrameNotAStackOverflow() throws Exception {
    String deep = "{\"t\":\"error\",\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
    assertThatThrownBy(() -> CODEC.decodeText(deep)).isInstanceOf(SyncException.class)
        .extracting(e -> ((SyncException) e).code()).isEqualTo(ErrorCode.BAD_FRAME);
    byte[] cborDeep = new byte[5000 + 10];
    cborDeep[0] = (byte) 0xa1; // map of 1
    cborDeep[1] = 0x61; // text of 1
    cborDeep[2] = 'x';
    for (int i = 3; i < cborDeep.length; i++) {
      cborDeep[i] = (byte) 0x81; // array of 1, nested
    }
    assertThatThrownBy(() -> CODEC.decodeBinary(cborDeep)).isInstanceOf(SyncException.class)
        .extracting(e -> ((SyncException) e).code()).isEqualTo(ErrorCode.BAD_FRAME);
  }

  @Test
  void malformedFramesNameTheirDefect() {
    String[][] cases = {
        {"", "object"},
        {"{", "parse"},
        {"[]", "object"},
        {"42", "object"},
        {"{}", "\"t\""},
        {"{\"t\":\"bogus\"}", "bogus"},
        {"{\"t\":\"caught-up\"}", "vector"},
        {"{\"t\":\"caught-up\",\"vector\":\"!!!\"}", "vector"},
        {"{\"t\":\"caught-up\",\"vector\":\"AAAA\"}", "vector"},
        {"{\"t\":\"error\",\"code\":1,\"message\":\"m\",\"fatal\":true}", "code"},
        {"{\"t\":\"ack\",\"id\":1.5,\"acked\":[],\"rejected\":[]}", "id"},
        {"{\"t\":\"ack\",\"id\":1,\"acked\":[\"nope\"],\"rejected\":[]}", "nope"},
        {"{\"t\":\"ack\",\"id\":1,\"acked\":[\"zz:1\"],\"rejected\":[]}", "zz"},
        {"{\"t\":\"ack\",\"id\":1,\"acked\":[\"1:0\"],\"rejected\":[]}", "1:0"},
        {"{\"t\":\"ack\",\"id\":1,\"acked\":[],\"rejected\":[1]}", "rejection"},
        {"{\"t\":\"push\",\"id\":1,\"deltas\":[\"AAAA\"]}", "delta"},
        {"{\"t\":\"push\",\"id\":1,\"deltas\":{}}", "deltas"},
        {"{\"t\":\"hello\",\"protocol\":1,\"ns\":\"n\",\"credential\":\"c\",\"schema\":0,\"replica\":\"0\","
            + "\"vector\":\"\",\"hlc\":1,\"role\":\"client\"}", ""},
        {"{\"t\":\"hello\",\"protocol\":1,\"ns\":\"n\",\"credential\":\"c\",\"schema\":0,\"replica\":\"1\","
            + "\"vector\":\"\",\"hlc\":1,\"role\":\"admin\"}", "role"},
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> CODEC.decodeText(c[0])).as(c[0]).isInstanceOf(SyncException.class)
          .hasMessageContaining(c[1])
          .extracting(e -> ((SyncException) e).code()).isEqualTo(ErrorCode.BAD_FRAME);
    }
  }
}
