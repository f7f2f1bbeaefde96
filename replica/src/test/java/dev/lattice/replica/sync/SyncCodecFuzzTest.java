package dev.lattice.replica.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Decoding never fails with anything but {@link SyncException}, whatever the bytes: random frames,
 * byte-level mutations of valid frames, and structural mutations (a field's type or value, or a
 * byte inside one of its binary blobs: delta, vector, document) in both encodings. What decodes is
 * re-encoded and must decode to the same message. A failing input is printed (base64) with its
 * seed, to be pinned in {@link SyncCodecRegressionTest}.
 */
class SyncCodecFuzzTest {
  static final SyncCodec CODEC = new SyncCodec(new SyncLimits(64 << 10, 256 << 10, 1_000, 4096));
  static final ObjectMapper JSON = new ObjectMapper();
  static final ObjectMapper CBOR = new ObjectMapper(new CBORFactory());
  static final int ROUNDS = 200;

  static java.util.stream.LongStream seeds() {
    return SyncNet.seeds();
  }

  /** Decodes, and fails with a replayable description on anything but a SyncException. */
  static void check(long seed, String how, boolean text, byte[] input) {
    SyncMessage decoded;
    try {
      decoded = text ? CODEC.decodeText(new String(input, StandardCharsets.UTF_8)) : CODEC.decodeBinary(input);
    } catch (SyncException e) {
      if (e.code() != ErrorCode.BAD_FRAME && e.code() != ErrorCode.TOO_LARGE) {
        throw new AssertionError(describe(seed, how, text, input) + ": unexpected code " + e.code(), e);
      }
      return;
    } catch (Throwable t) {
      throw new AssertionError(describe(seed, how, text, input) + ": threw " + t, t);
    }
    SyncMessage again;
    try {
      again = CODEC.decodeBinary(CODEC.encodeBinary(decoded, false));
    } catch (Throwable t) {
      throw new AssertionError(describe(seed, how, text, input) + ": decoded to " + decoded
          + " which does not re-encode and decode: " + t, t);
    }
    if (!again.equals(decoded)) {
      throw new AssertionError(describe(seed, how, text, input) + ": decoded to " + decoded
          + " but its re-encoding decodes to " + again);
    }
  }

  static String describe(long seed, String how, boolean text, byte[] input) {
    return "seed " + seed + ", " + how + ", " + (text ? "JSON" : "CBOR") + " frame (base64) "
        + Base64.getEncoder().encodeToString(input);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomFramesAndMutationsOfValidFramesOnlyEverFailWithSyncException(long seed) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    for (int round = 0; round < ROUNDS; round++) {
      int kind = random.nextInt(10);
      boolean text = random.nextBoolean();
      if (kind == 0) {
        check(seed, "random bytes", text, Messages.bytes(random, 300));
        continue;
      }
      SyncMessage m = Messages.of(random.nextInt(Messages.TYPES), random);
      boolean pack = random.nextBoolean();
      if (kind < 5) {
        byte[] valid = text ? CODEC.encodeText(m, pack).getBytes(StandardCharsets.UTF_8) : CODEC.encodeBinary(m, pack);
        check(seed, "byte mutation of " + m.getClass().getSimpleName(), text, mutateBytes(valid, random));
      } else {
        JsonNode tree = JSON.readTree(CODEC.encodeText(m, pack));
        mutateTree((ObjectNode) tree, random, 0);
        byte[] input = text ? JSON.writeValueAsBytes(tree) : CBOR.writeValueAsBytes(binaryFields(tree));
        check(seed, "field mutation of " + m.getClass().getSimpleName(), text, input);
      }
    }
  }

  static byte[] mutateBytes(byte[] in, SplittableRandom random) {
    byte[] b = in.clone();
    int edits = 1 + random.nextInt(4);
    for (int e = 0; e < edits && b.length > 0; e++) {
      int at = random.nextInt(b.length);
      switch (random.nextInt(6)) {
        case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
        case 1 -> b[at] = new byte[] {0, (byte) 0xff, 0x7f, (byte) 0x80, (byte) 0x9f, (byte) 0xbf, '"', '{'}[random.nextInt(8)];
        case 2 -> b = java.util.Arrays.copyOf(b, at); // truncate
        case 3 -> { // delete a range
          int len = Math.min(b.length - at, 1 + random.nextInt(8));
          byte[] out = new byte[b.length - len];
          System.arraycopy(b, 0, out, 0, at);
          System.arraycopy(b, at + len, out, at, b.length - at - len);
          b = out;
        }
        case 4 -> { // insert random bytes
          byte[] ins = Messages.bytes(random, 8);
          byte[] out = new byte[b.length + ins.length];
          System.arraycopy(b, 0, out, 0, at);
          System.arraycopy(ins, 0, out, at, ins.length);
          System.arraycopy(b, at, out, at + ins.length, b.length - at);
          b = out;
        }
        default -> { // duplicate a range
          int len = Math.min(b.length - at, 1 + random.nextInt(16));
          byte[] out = new byte[b.length + len];
          System.arraycopy(b, 0, out, 0, at + len);
          System.arraycopy(b, at, out, at + len, b.length - at);
          b = out;
        }
      }
    }
    return b;
  }

  /** Changes one field somewhere in the tree: its value, its type, or a byte of its blob. */
  static void mutateTree(ObjectNode o, SplittableRandom random, int depth) {
    List<String> names = new ArrayList<>();
    o.fieldNames().forEachRemaining(names::add);
    if (names.isEmpty()) {
      return;
    }
    String name = names.get(random.nextInt(names.size()));
    JsonNode v = o.get(name);
    if (v.isArray() && v.size() > 0 && random.nextBoolean()) {
      ArrayNode a = (ArrayNode) v;
      int i = random.nextInt(a.size());
      JsonNode item = a.get(i);
      if (item.isObject()) {
        mutateTree((ObjectNode) item, random, depth + 1);
      } else {
        a.set(i, mutateValue(item, random));
      }
      return;
    }
    if (random.nextInt(8) == 0) {
      o.remove(name);
    } else {
      o.set(name, mutateValue(v, random));
    }
  }

  static JsonNode mutateValue(JsonNode v, SplittableRandom random) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (v.isTextual() && random.nextInt(3) != 0) {
      byte[] blob;
      try {
        blob = Base64.getDecoder().decode(v.asText());
      } catch (IllegalArgumentException notBase64) {
        blob = null;
      }
      if (blob != null && blob.length > 0) {
        return f.textNode(Base64.getEncoder().encodeToString(mutateBytes(blob, random)));
      }
    }
    switch (random.nextInt(9)) {
      case 0: return f.nullNode();
      case 1: return f.numberNode(Messages.anyLong(random));
      case 2: return f.numberNode(random.nextDouble() * 1e20);
      case 3: return f.booleanNode(random.nextBoolean());
      case 4: return f.textNode(Messages.text(random));
      case 5: return f.arrayNode().add(f.numberNode(1)).add(f.textNode("x"));
      case 6: return f.objectNode().put("t", "hello");
      case 7: return f.textNode(Base64.getEncoder().encodeToString(Messages.bytes(random, 40)));
      default: return f.numberNode(new java.math.BigInteger("123456789012345678901234567890"));
    }
  }

  /** The tree with every base64 string that decodes to bytes written as a CBOR byte string instead. */
  static JsonNode binaryFields(JsonNode n) {
    if (n.isObject()) {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        out.set(e.getKey(), binaryFields(e.getValue()));
      }
      return out;
    }
    if (n.isArray()) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode();
      n.forEach(x -> out.add(binaryFields(x)));
      return out;
    }
    if (n.isTextual() && n.asText().length() >= 4 && n.asText().matches("[A-Za-z0-9+/]*={0,2}")) {
      try {
        return JsonNodeFactory.instance.binaryNode(Base64.getDecoder().decode(n.asText()));
      } catch (IllegalArgumentException e) {
        return n;
      }
    }
    return n;
  }
}
