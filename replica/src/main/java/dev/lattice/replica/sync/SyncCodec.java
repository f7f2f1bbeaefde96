package dev.lattice.replica.sync;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.codec.CodecException;
import dev.lattice.crdt.codec.CrdtCodec;
import dev.lattice.crdt.type.Document;
import dev.lattice.replica.ReplicaException;
import dev.lattice.replica.log.Delta;
import dev.lattice.replica.log.DeltaCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Writes and reads {@link SyncMessage}s as JSON text frames or CBOR binary frames: the same object
 * in both, binary fields as base64 strings in JSON and byte strings in CBOR. Every message is an
 * object whose {@code "t"} names its type; fields a reader does not know are ignored, so additions
 * need no protocol version. Deltas, vectors and documents travel as the binary blobs of
 * {@link DeltaCodec} and {@link CrdtCodec}, each with its own tag and format version.
 *
 * <p>A {@code deltas} message may instead carry {@code "packed"}: the deltas, each prefixed by its
 * length as a 4-byte big-endian integer, deflated (RFC 1951 raw deflate), with {@code "size"} the
 * inflated length. The reader refuses a declared or actual size above
 * {@link SyncLimits#maxInflatedBytes}, so a small frame cannot inflate without bound.
 *
 * <p>Decoding is bounded throughout: the frame length is checked before parsing, Jackson's
 * {@link StreamReadConstraints} cap nesting and string length, and every blob decoder bounds its
 * lengths by the bytes it holds. Any defect is a {@link SyncException} {@code bad-frame} or
 * {@code too-large} naming it; nothing is ever half-decoded.
 */
public final class SyncCodec {
  private static final int MAX_NESTING = 8;

  private final SyncLimits limits;
  private final ObjectMapper json;
  private final ObjectMapper cbor;

  public SyncCodec(SyncLimits limits) {
    this.limits = limits;
    StreamReadConstraints constraints = StreamReadConstraints.builder()
        .maxNestingDepth(MAX_NESTING)
        .maxStringLength(limits.maxMessageBytes())
        .maxDocumentLength(limits.maxMessageBytes())
        .build();
    this.json = strict(new ObjectMapper(JsonFactory.builder().streamReadConstraints(constraints)
        .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build()));
    this.cbor = strict(new ObjectMapper(CBORFactory.builder().streamReadConstraints(constraints)
        .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build()));
  }

  /** One object per frame: trailing bytes after it are an error, not ignored. */
  private static ObjectMapper strict(ObjectMapper mapper) {
    return mapper.enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  public SyncLimits limits() {
    return limits;
  }

  // ---- encoding ----

  public String encodeText(SyncMessage message) {
    return encodeText(message, false);
  }

  public byte[] encodeBinary(SyncMessage message) {
    return encodeBinary(message, false);
  }

  /** @param pack whether a {@code deltas} message is sent deflated ({@code "packed"}) */
  public String encodeText(SyncMessage message, boolean pack) {
    try {
      return json.writeValueAsString(toTree(message, pack));
    } catch (IOException e) {
      throw new IllegalStateException("JSON encoding failed", e);
    }
  }

  public byte[] encodeBinary(SyncMessage message, boolean pack) {
    try {
      return cbor.writeValueAsBytes(toTree(message, pack));
    } catch (IOException e) {
      throw new IllegalStateException("CBOR encoding failed", e);
    }
  }

  private ObjectNode toTree(SyncMessage message, boolean pack) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    if (message instanceof SyncMessage.Hello h) {
      o.put("t", "hello").put("protocol", h.protocol()).put("ns", h.namespace()).put("credential", h.credential())
          .put("schema", h.schemaVersion()).put("replica", h.replica().toString())
          .put("vector", CrdtCodec.encodeVector(h.vector())).put("hlc", h.hlc()).put("role", h.role().wire());
      if (h.compress()) {
        o.put("compress", true);
      }
    } else if (message instanceof SyncMessage.Welcome w) {
      o.put("t", "welcome").put("protocol", w.protocol()).put("replica", w.replica().toString()).put("hlc", w.hlc())
          .put("schema", w.schemaVersion()).put("vector", CrdtCodec.encodeVector(w.vector()))
          .put("session", w.session()).put("maxMessageBytes", w.maxMessageBytes()).put("maxBatch", w.maxBatch());
    } else if (message instanceof SyncMessage.Deltas d) {
      o.put("t", "deltas");
      if (pack) {
        byte[] plain = concat(d.deltas());
        o.put("packed", deflate(plain)).put("size", plain.length);
      } else {
        o.set("deltas", deltaArray(d.deltas()));
      }
    } else if (message instanceof SyncMessage.Push p) {
      o.put("t", "push").put("id", p.id()).set("deltas", deltaArray(p.deltas()));
    } else if (message instanceof SyncMessage.Ack a) {
      o.put("t", "ack").put("id", a.id());
      ArrayNode acked = o.putArray("acked");
      a.acked().forEach(dot -> acked.add(dotString(dot)));
      ArrayNode rejected = o.putArray("rejected");
      for (SyncMessage.Rejection r : a.rejected()) {
        rejected.addObject().put("dot", dotString(r.dot())).put("code", r.code()).put("message", r.message());
      }
    } else if (message instanceof SyncMessage.CaughtUp c) {
      o.put("t", "caught-up").put("vector", CrdtCodec.encodeVector(c.vector()));
    } else if (message instanceof SyncMessage.Repair r) {
      o.put("t", "repair").put("m", r.message()).put("initiator", r.fromInitiator());
    } else if (message instanceof SyncMessage.States s) {
      o.put("t", "states");
      ArrayNode states = o.putArray("states");
      for (SyncMessage.State st : s.states()) {
        states.addObject().put("c", st.collection()).put("id", st.documentId()).put("doc", CrdtCodec.encode(st.document()));
      }
      o.put("vector", CrdtCodec.encodeVector(s.vector())).put("last", s.last());
      if (s.reveal()) {
        o.put("reveal", true);
      }
    } else if (message instanceof SyncMessage.Resync r) {
      o.put("t", "resync").put("vector", CrdtCodec.encodeVector(r.vector()));
    } else if (message instanceof SyncMessage.Error e) {
      o.put("t", "error").put("code", e.code()).put("message", e.message()).put("fatal", e.fatal());
    } else {
      throw new IllegalArgumentException("unknown message " + message);
    }
    return o;
  }

  private static ArrayNode deltaArray(List<Delta> deltas) {
    ArrayNode a = JsonNodeFactory.instance.arrayNode(deltas.size());
    for (Delta d : deltas) {
      a.add(DeltaCodec.encode(d));
    }
    return a;
  }

  private static byte[] concat(List<Delta> deltas) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Delta d : deltas) {
      byte[] b = DeltaCodec.encode(d);
      out.write(b.length >>> 24);
      out.write(b.length >>> 16);
      out.write(b.length >>> 8);
      out.write(b.length);
      out.writeBytes(b);
    }
    return out.toByteArray();
  }

  private static byte[] deflate(byte[] plain) {
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    try {
      deflater.setInput(plain);
      deflater.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, plain.length / 3));
      byte[] buf = new byte[16 << 10];
      while (!deflater.finished()) {
        out.write(buf, 0, deflater.deflate(buf));
      }
      return out.toByteArray();
    } finally {
      deflater.end();
    }
  }

  static String dotString(Dot dot) {
    return dot.replica() + ":" + dot.seq();
  }

  // ---- decoding ----

  /** @throws SyncException {@code bad-frame} or {@code too-large} */
  public SyncMessage decodeText(String frame) {
    if ((long) frame.length() > limits.maxMessageBytes()) {
      throw tooLarge(frame.length());
    }
    return decode(frame.getBytes(StandardCharsets.UTF_8), json);
  }

  /** @throws SyncException {@code bad-frame} or {@code too-large} */
  public SyncMessage decodeBinary(byte[] frame) {
    return decode(frame, cbor);
  }

  private SyncException tooLarge(long length) {
    return new SyncException(ErrorCode.TOO_LARGE,
        "message of " + length + " bytes exceeds the limit of " + limits.maxMessageBytes());
  }

  private SyncMessage decode(byte[] frame, ObjectMapper mapper) {
    if (frame.length > limits.maxMessageBytes()) {
      throw tooLarge(frame.length);
    }
    JsonNode tree;
    try {
      tree = mapper.readTree(frame);
    } catch (IOException e) {
      throw bad("does not parse: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException p
          ? p.getOriginalMessage() : e.getMessage()));
    }
    if (tree == null || !tree.isObject()) {
      throw bad("a message must be an object");
    }
    Fields f = new Fields(tree);
    String type = f.text("t");
    try {
      switch (type) {
        case "hello": {
          SyncMessage.Role role = SyncMessage.Role.ofWire(f.text("role"));
          if (role == null) {
            throw bad("hello: role must be \"client\" or \"peer\"");
          }
          return new SyncMessage.Hello(f.integer("protocol"), f.text("ns"), f.text("credential"), f.integer("schema"),
              f.replica("replica"), f.vector("vector"), f.longValue("hlc"), role, f.optionalBoolean("compress"));
        }
        case "welcome":
          return new SyncMessage.Welcome(f.integer("protocol"), f.replica("replica"), f.longValue("hlc"),
              f.integer("schema"), f.vector("vector"), f.text("session"), f.integer("maxMessageBytes"),
              f.integer("maxBatch"));
        case "deltas":
          if (tree.has("packed")) {
            return new SyncMessage.Deltas(unpack(f.binary("packed"), f.integer("size")));
          }
          return new SyncMessage.Deltas(deltas(f.array("deltas")));
        case "push":
          return new SyncMessage.Push(f.longValue("id"), deltas(f.array("deltas")));
        case "ack": {
          List<Dot> acked = new ArrayList<>();
          checkBatch(f.array("acked").size());
          checkBatch(f.array("rejected").size());
          for (JsonNode n : f.array("acked")) {
            acked.add(dot(n));
          }
          List<SyncMessage.Rejection> rejected = new ArrayList<>();
          for (JsonNode n : f.array("rejected")) {
            if (!n.isObject()) {
              throw bad("ack: each rejection must be an object");
            }
            Fields r = new Fields(n);
            rejected.add(new SyncMessage.Rejection(dot(r.node("dot")), r.text("code"), r.text("message")));
          }
          return new SyncMessage.Ack(f.longValue("id"), acked, rejected);
        }
        case "caught-up":
          return new SyncMessage.CaughtUp(f.vector("vector"));
        case "repair":
          return new SyncMessage.Repair(f.binary("m"), f.bool("initiator"));
        case "states": {
          List<SyncMessage.State> states = new ArrayList<>();
          JsonNode array = f.array("states");
          checkBatch(array.size());
          for (JsonNode n : array) {
            if (!n.isObject()) {
              throw bad("states: each state must be an object");
            }
            Fields s = new Fields(n);
            states.add(new SyncMessage.State(s.text("c"), s.text("id"), document(s.binary("doc"))));
          }
          return new SyncMessage.States(states, f.vector("vector"), f.bool("last"), f.optionalBoolean("reveal"));
        }
        case "resync":
          return new SyncMessage.Resync(f.vector("vector"));
        case "error":
          return new SyncMessage.Error(f.text("code"), f.text("message"), f.bool("fatal"));
        default:
          throw bad("unknown message type \"" + type + "\"");
      }
    } catch (IllegalArgumentException e) {
      throw bad(type + ": " + e.getMessage());
    }
  }

  private void checkBatch(int n) {
    if (n > limits.maxBatch()) {
      throw new SyncException(ErrorCode.TOO_LARGE, "batch of " + n + " exceeds the limit of " + limits.maxBatch());
    }
  }

  private List<Delta> deltas(JsonNode array) {
    checkBatch(array.size());
    List<Delta> out = new ArrayList<>(array.size());
    for (JsonNode n : array) {
      out.add(delta(Fields.binaryOf(n, "deltas[]")));
    }
    return out;
  }

  private static Delta delta(byte[] bytes) {
    try {
      return DeltaCodec.decode(bytes);
    } catch (ReplicaException e) {
      throw bad("delta: " + e.getMessage());
    }
  }

  private List<Delta> unpack(byte[] packed, int size) {
    if (size < 0) {
      throw bad("packed deltas declare a negative size " + size);
    }
    if (size > limits.maxInflatedBytes()) {
      throw new SyncException(ErrorCode.TOO_LARGE,
          "packed deltas declare " + size + " bytes inflated; the limit is " + limits.maxInflatedBytes());
    }
    // Grown as the data actually inflates, so a tiny frame declaring a large size costs nothing.
    byte[] plain = new byte[Math.min(size, Math.max(1024, packed.length * 4))];
    Inflater inflater = new Inflater(true);
    try {
      inflater.setInput(packed);
      int n = 0;
      while (n < size) {
        if (n == plain.length) {
          plain = java.util.Arrays.copyOf(plain, (int) Math.min(size, plain.length * 2L));
        }
        int got = inflater.inflate(plain, n, plain.length - n);
        if (got == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
          break;
        }
        n += got;
      }
      byte[] probe = new byte[1];
      if (n != size || inflater.inflate(probe) != 0 || !inflater.finished()) {
        throw bad("packed deltas do not inflate to the declared " + size + " bytes");
      }
    } catch (DataFormatException e) {
      throw bad("packed deltas are not raw deflate: " + e.getMessage());
    } finally {
      inflater.end();
    }
    ByteBuffer in = ByteBuffer.wrap(plain);
    List<Delta> out = new ArrayList<>();
    while (in.hasRemaining()) {
      if (in.remaining() < 4) {
        throw bad("packed deltas: truncated length prefix");
      }
      int length = in.getInt();
      if (length < 0 || length > in.remaining()) {
        throw bad("packed deltas: length " + length + " but " + in.remaining() + " bytes remain");
      }
      byte[] one = new byte[length];
      in.get(one);
      out.add(delta(one));
      checkBatch(out.size());
    }
    return out;
  }

  private static Document document(byte[] bytes) {
    try {
      return CrdtCodec.decode(bytes, Document.class);
    } catch (CodecException e) {
      throw bad("document: " + e.getMessage());
    }
  }

  static Dot dot(JsonNode n) {
    if (!n.isTextual()) {
      throw bad("a dot must be a string \"<replica hex>:<seq>\"");
    }
    String s = n.asText();
    int colon = s.indexOf(':');
    if (colon < 1) {
      throw bad("dot \"" + s + "\" is not \"<replica hex>:<seq>\"");
    }
    try {
      long seq = Long.parseLong(s.substring(colon + 1));
      return new Dot(ReplicaId.parse(s.substring(0, colon)), seq);
    } catch (IllegalArgumentException e) {
      throw bad("dot \"" + s + "\": " + e.getMessage());
    }
  }

  private static SyncException bad(String message) {
    return new SyncException(ErrorCode.BAD_FRAME, message);
  }

  /** Typed access to one message object's fields, each failure naming the field. */
  private static final class Fields {
    private final JsonNode tree;

    Fields(JsonNode tree) {
      this.tree = tree;
    }

    JsonNode node(String name) {
      JsonNode n = tree.get(name);
      if (n == null || n.isNull()) {
        throw bad("missing field \"" + name + "\"");
      }
      return n;
    }

    String text(String name) {
      JsonNode n = node(name);
      if (!n.isTextual()) {
        throw bad("field \"" + name + "\" must be a string");
      }
      return n.asText();
    }

    long longValue(String name) {
      JsonNode n = node(name);
      if (!n.isIntegralNumber() || !n.canConvertToLong()) {
        throw bad("field \"" + name + "\" must be an integer");
      }
      return n.asLong();
    }

    int integer(String name) {
      JsonNode n = node(name);
      if (!n.isIntegralNumber() || !n.canConvertToInt()) {
        throw bad("field \"" + name + "\" must be a 32-bit integer");
      }
      return n.asInt();
    }

    boolean bool(String name) {
      JsonNode n = node(name);
      if (!n.isBoolean()) {
        throw bad("field \"" + name + "\" must be true or false");
      }
      return n.asBoolean();
    }

    boolean optionalBoolean(String name) {
      return tree.has(name) && bool(name);
    }

    JsonNode array(String name) {
      JsonNode n = node(name);
      if (!n.isArray()) {
        throw bad("field \"" + name + "\" must be an array");
      }
      return n;
    }

    byte[] binary(String name) {
      return binaryOf(node(name), name);
    }

    static byte[] binaryOf(JsonNode n, String name) {
      try {
        if (n.isBinary() || n.isTextual()) {
          return n.binaryValue();
        }
      } catch (IOException | IllegalArgumentException e) {
        throw bad("field \"" + name + "\" is not valid base64: " + e.getMessage());
      }
      throw bad("field \"" + name + "\" must be bytes (base64 in JSON)");
    }

    ReplicaId replica(String name) {
      return ReplicaId.parse(text(name));
    }

    VersionVector vector(String name) {
      try {
        return CrdtCodec.decodeVector(binary(name));
      } catch (CodecException e) {
        throw bad("field \"" + name + "\" is not a version vector: " + e.getMessage());
      }
    }
  }

}
