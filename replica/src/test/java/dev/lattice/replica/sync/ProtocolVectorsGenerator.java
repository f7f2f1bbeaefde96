package dev.lattice.replica.sync;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.codec.CrdtCodec;
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
import dev.lattice.merkle.Digests;
import dev.lattice.merkle.MerkleConfig;
import dev.lattice.merkle.NodeKey;
import dev.lattice.merkle.Scope;
import dev.lattice.merkle.sync.MessageCodec;
import dev.lattice.merkle.sync.NodeView;
import dev.lattice.merkle.sync.ReconcileException;
import dev.lattice.merkle.sync.ReconcileMessage;
import dev.lattice.merkle.sync.Reconciler;
import dev.lattice.merkle.tree.MemoryTree;
import dev.lattice.replica.log.Delta;
import dev.lattice.replica.log.DeltaCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Writes the conformance vectors of {@code docs/PROTOCOL.md} into {@code docs/protocol-vectors/}:
 * frames as {@link SyncCodec} writes them with their decoded description or expected error, whole
 * sessions replayed against {@link ServerSession}, a Merkle index and a full reconciliation, and a
 * user token. Deterministic: fixed replica ids, HLCs and wall clock, so running it again rewrites
 * the same bytes. Run from the {@code replica} module directory with the test classpath (the
 * commands are in {@code docs/protocol-vectors/README.md}); the optional argument is the output
 * directory, {@code ../docs/protocol-vectors} by default.
 */
public final class ProtocolVectorsGenerator {
  static final ReplicaId A = new ReplicaId(0x0a1b2c3d4e5f6071L);
  static final ReplicaId B = new ReplicaId(0x1122334455667788L);
  static final ReplicaId EDGE = new ReplicaId(0xe0e0e0e0e0e0e0e1L);
  /** 2023-11-14T22:13:20Z as an HLC with logical 0, the edge harness's wall clock. */
  static final long T = ProtocolEdgeHarness.WALL_MILLIS << 16;
  static final long T2 = ((ProtocolEdgeHarness.WALL_MILLIS + 250) << 16) | 3;

  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final SyncCodec codec = new SyncCodec(SyncLimits.defaults());
  private final SyncLimits small = new SyncLimits(1024, 4096, 4, 1024);
  private final List<String> written = new ArrayList<>();

  private ProtocolVectorsGenerator(Path dir) {
    this.dir = dir;
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "../docs/protocol-vectors");
    ProtocolVectorsGenerator g = new ProtocolVectorsGenerator(dir);
    g.clean();
    g.frames();
    g.badFrames();
    g.sessions();
    g.merkle();
    g.token();
    System.out.println("wrote " + g.written.size() + " vector files under " + dir.toAbsolutePath().normalize());
  }

  private void clean() throws IOException {
    for (String sub : List.of("frames", "sessions", "merkle", "auth")) {
      Path d = dir.resolve(sub);
      if (Files.isDirectory(d)) {
        try (Stream<Path> files = Files.list(d)) {
          for (Path p : files.filter(p -> p.toString().endsWith(".json")).toList()) {
            Files.delete(p);
          }
        }
      }
      Files.createDirectories(d);
    }
  }

  // ---- the data every vector uses ----

  static Dot dot(ReplicaId r, long seq) {
    return new Dot(r, seq);
  }

  static FieldKey key(String name, FieldKind kind) {
    return new FieldKey(name, kind);
  }

  /** notes/n1: A writes title = "Hello". */
  static Delta d1() {
    return new Delta(dot(A, 1), T, "notes", "n1",
        Document.of(key("title", FieldKind.LWW), LwwRegister.EMPTY.assign(Value.of("Hello"), T, dot(A, 1))));
  }

  /** notes/n1: A overwrites title (having seen A:1), adds a tag, counts a view, pins the note. */
  static Delta d2() {
    Document before = d1().change();
    Dot d = dot(A, 2);
    LwwRegister title = before.fields().lww("title").assign(Value.of("Hello, world"), T2, d);
    return new Delta(d, T2, "notes", "n1", Document.of(key("title", FieldKind.LWW), title)
        .with(key("tags", FieldKind.SET), OrSet.EMPTY.add(Value.of("work"), d))
        .with(key("views", FieldKind.COUNTER), PnCounter.EMPTY.increment(1, d))
        .with(key("pinned", FieldKind.FLAG), Flag.EMPTY.enable(d)));
  }

  /** notes/n2 by B: every other field kind and every value kind. */
  static Delta d3() {
    Dot d = dot(B, 1);
    long hlc = T + 5;
    OrMap meta = OrMap.EMPTY
        .with(key("color", FieldKind.LWW), LwwRegister.EMPTY.assign(Value.of(0.5), hlc, d))
        .with(key("blob", FieldKind.LWW), LwwRegister.EMPTY.assign(Value.ofBytes(new byte[] {0, 1, (byte) 0xfe}), hlc, d))
        .with(key("done", FieldKind.LWW), LwwRegister.EMPTY.assign(Value.of(true), hlc, d))
        .with(key("nothing", FieldKind.LWW), LwwRegister.EMPTY.assign(Value.NULL, hlc, d))
        .with(key("list", FieldKind.LWW),
            LwwRegister.EMPTY.assign(Value.ofList(List.of(Value.of(1), Value.of("x"))), hlc, d));
    return new Delta(d, hlc, "notes", "n2", Document.of(key("rating", FieldKind.MVREG),
            MvRegister.EMPTY.assign(Value.of(-7), d))
        .with(key("visits", FieldKind.GCOUNTER), GCounter.EMPTY.increment(3, d))
        .with(key("meta", FieldKind.MAP), meta)
        .with(key("labels", FieldKind.SET), OrSet.EMPTY.add(Value.of("a"), d)));
  }

  /** notes/n1 deleted by B, which had seen A:1 and A:2: a delta that carries only what it removes. */
  static Delta d4() {
    Document seen = d1().change().merge(d2().change());
    return new Delta(dot(B, 2), T + 10, "notes", "n1", seen.deletion(dot(B, 2)));
  }

  static VersionVector vector() {
    return VersionVector.fromEntries(new long[] {EDGE.value(), A.value(), B.value()}, new long[] {7, 2, 1},
        new long[][] {{}, {}, {3, 4}});
  }

  static SyncMessage.Hello hello() {
    return new SyncMessage.Hello(1, "notes", ProtocolEdgeHarness.API_KEY, 0, A, VersionVector.of(dot(A, 1), dot(A, 2)),
        T, SyncMessage.Role.CLIENT, false);
  }

  // ---- frames: every message in both encodings ----

  private void frames() throws IOException {
    Document stored = d1().change().merge(d2().change()).compact(VersionVector.of(dot(A, 1), dot(A, 2)));
    TreeMap<Dot, LwwRegister.Stamped> entries = new TreeMap<>();
    entries.put(dot(A, 2), new LwwRegister.Stamped(T2, Value.of("x")));
    Document fullContext = Document.of(key("title", FieldKind.LWW),
        new LwwRegister(entries, VersionVector.ofEntry(B, 5, new long[0])));
    List<byte[]> repair = reconciliation().messages;

    Map<String, Object[]> messages = new LinkedHashMap<>();
    messages.put("hello", new Object[] {hello(),
        "A client opens a session on namespace notes with an API key, schemaless (schema 0), holding A:1..2."});
    messages.put("hello-peer-compress", new Object[] {new SyncMessage.Hello(1, "notes", ProtocolEdgeHarness.API_KEY, 3,
        EDGE, vector(), T2, SyncMessage.Role.PEER, true),
        "An edge opens a peer session on schema version 3 and asks for deflated catch-up pages."});
    messages.put("welcome", new Object[] {new SyncMessage.Welcome(1, EDGE, T2, 0, vector(), "s1", 8 << 20, 10_000),
        "The edge accepts: its replica id, clock, schema version, vector, session id and limits."});
    messages.put("deltas", new Object[] {new SyncMessage.Deltas(List.of(d1(), d2())),
        "A catch-up page or live batch of two deltas."});
    messages.put("deltas-kinds", new Object[] {new SyncMessage.Deltas(List.of(d3())),
        "One delta with the other field kinds (mvreg, gcounter, nested map, set) and every value kind."});
    messages.put("deltas-deletion", new Object[] {new SyncMessage.Deltas(List.of(d4())),
        "A document deletion: fields with empty stores and the contexts of what the deleter had seen."});
    messages.put("deltas-empty", new Object[] {new SyncMessage.Deltas(List.of()), "A deltas message with none."});
    messages.put("push", new Object[] {new SyncMessage.Push(1, List.of(d1(), d2())),
        "A client pushes its writes A:1 and A:2 as push 1."});
    messages.put("ack", new Object[] {new SyncMessage.Ack(1, List.of(dot(A, 1)),
        List.of(new SyncMessage.Rejection(dot(A, 2), "forbidden", "notes/n1: the user may not write"))),
        "The edge acks A:1 of push 1 and rejects A:2 for good."});
    messages.put("caught-up", new Object[] {new SyncMessage.CaughtUp(vector()), "The end of a catch-up."});
    messages.put("repair-hello", new Object[] {new SyncMessage.Repair(repair.get(0)),
        "A Merkle repair opening (reconciliation hello), the first message of merkle/reconcile.json."});
    messages.put("repair-step", new Object[] {new SyncMessage.Repair(repair.get(1)),
        "A reconciliation step, the second message of merkle/reconcile.json."});
    messages.put("states", new Object[] {new SyncMessage.States(List.of(
        new SyncMessage.State("notes", "n1", stored),
        new SyncMessage.State("notes", "n3", Document.EMPTY),
        new SyncMessage.State("notes", "n4", fullContext)), vector(), true),
        "Repair states: n1 as stored beside the vector, n3 absent (empty), n4 with a context written in full."});
    messages.put("resync", new Object[] {new SyncMessage.Resync(VersionVector.EMPTY),
        "Asks the other side to run its catch-up again."});
    messages.put("error-fatal", new Object[] {new SyncMessage.Error("unsupported-protocol",
        "protocol version 2 is not supported; this edge speaks version 1", true), "A fatal error."});
    messages.put("error-nonfatal", new Object[] {new SyncMessage.Error("clock-skew",
        "delta 0a1b2c3d4e5f6071:3 refused, nothing applied", false), "A non-fatal error."});

    for (Map.Entry<String, Object[]> e : messages.entrySet()) {
      SyncMessage m = (SyncMessage) e.getValue()[0];
      String description = (String) e.getValue()[1];
      writeFrame(e.getKey() + ".json", description, codec.encodeText(m), null, m, "identical");
      writeFrame(e.getKey() + ".cbor", description, null, codec.encodeBinary(m), m, "identical");
    }
    SyncMessage packed = new SyncMessage.Deltas(List.of(d1(), d2(), d3(), d4()));
    writeFrame("deltas-packed.json", "Four deltas deflated (\"packed\"), as a catch-up page is sent when asked.",
        codec.encodeText(packed, true), null, packed, "equivalent");
    writeFrame("deltas-packed.cbor", "Four deltas deflated (\"packed\") in a binary frame.", null,
        codec.encodeBinary(packed, true), packed, "equivalent");

    // Readers ignore fields they do not know, and a hello without "compress" means false.
    String extra = codec.encodeText(new SyncMessage.Resync(VersionVector.EMPTY)).replace("}", ",\"future\":[1,2]}");
    writeFrame("unknown-field-ignored.json", "A field the reader does not know is ignored.", extra, null,
        new SyncMessage.Resync(VersionVector.EMPTY), "none");
    String b64 = Base64.getEncoder().encodeToString(DeltaCodec.encode(d1()));
    writeFrame("base64-in-cbor.cbor", "In CBOR a blob may also be a text string holding base64 (readers accept both).",
        null, cbor("{\"t\":\"push\",\"id\":9,\"deltas\":[\"" + b64 + "\"]}"), new SyncMessage.Push(9, List.of(d1())),
        "none");
  }

  private record Transcript(List<byte[]> messages, List<String> directions, MemoryTree edge, MemoryTree client,
                            Map<String, Document> edgeDocs, Map<String, Document> clientDocs,
                            List<String> edgeDiffs, List<String> clientDiffs) {}

  /** 40 documents on the edge; the client lacks one, has one changed, and has one the edge lacks. */
  static Transcript reconciliation() {
    Map<String, Document> edgeDocs = new LinkedHashMap<>();
    Map<String, Document> clientDocs = new LinkedHashMap<>();
    for (int i = 0; i < 40; i++) {
      String id = "n" + i;
      Document doc = Document.of(key("title", FieldKind.LWW),
          LwwRegister.EMPTY.assign(Value.of("note " + i), T + i, dot(A, i + 1)));
      edgeDocs.put("notes\0" + id, doc);
      if (i == 7) {
        continue; // the client lacks n7
      }
      clientDocs.put("notes\0" + id, i == 12 ? Document.of(key("title", FieldKind.LWW),
          LwwRegister.EMPTY.assign(Value.of("changed"), T + 100, dot(B, 1))) : doc);
    }
    edgeDocs.put("tasks\0t1", Document.of(key("done", FieldKind.FLAG), Flag.EMPTY.enable(dot(A, 50))));
    clientDocs.put("tasks\0t1", edgeDocs.get("tasks\0t1"));
    clientDocs.put("tasks\0t2", Document.of(key("done", FieldKind.FLAG), Flag.EMPTY.enable(dot(B, 2))));
    MemoryTree edge = index(edgeDocs);
    MemoryTree client = index(clientDocs);
    Reconciler initiator = Reconciler.initiator(edge, Scope.all());
    Reconciler responder = Reconciler.responder(client, Scope.all());
    List<byte[]> messages = new ArrayList<>();
    List<String> directions = new ArrayList<>();
    try {
      boolean fromEdge = true;
      while (!(initiator.isDone() && responder.isDone())) {
        Reconciler from = fromEdge ? initiator : responder;
        Reconciler to = fromEdge ? responder : initiator;
        Optional<ReconcileMessage> m = from.nextMessage();
        if (m.isEmpty()) {
          break;
        }
        byte[] bytes = MessageCodec.encode(m.get());
        messages.add(bytes);
        directions.add(fromEdge ? "edge->client" : "client->edge");
        to.receive(MessageCodec.decode(bytes));
        fromEdge = !fromEdge;
      }
    } catch (ReconcileException | dev.lattice.merkle.MerkleCodecException e) {
      throw new IllegalStateException(e);
    }
    return new Transcript(messages, directions, edge, client, edgeDocs, clientDocs, keys(initiator), keys(responder));
  }

  private static List<String> keys(Reconciler r) {
    List<String> out = new ArrayList<>();
    r.differences().forEach(d -> out.add(new String(d.key(), StandardCharsets.UTF_8).replace('\0', '/')
        + " " + d.kind().name().toLowerCase(java.util.Locale.ROOT)));
    return out;
  }

  static MemoryTree index(Map<String, Document> docs) {
    MemoryTree.Builder b = MemoryTree.builder(MerkleConfig.defaults());
    docs.forEach((k, d) -> b.add(k.getBytes(StandardCharsets.UTF_8), digest(k, d)));
    return b.build();
  }

  /**
   * The element digest of a document under its Merkle key: BLAKE3-256 of 'E', the key's length
   * and bytes, and the canonical encoding of the document with every context dropped.
   */
  static byte[] digest(String key, Document d) {
    return Digests.element(key.getBytes(StandardCharsets.UTF_8), CrdtCodec.encode(d.visible()));
  }

  private static byte[] cbor(String json) {
    try {
      return new ObjectMapper(new com.fasterxml.jackson.dataformat.cbor.CBORFactory()).writeValueAsBytes(
          JSON.readTree(json));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private void writeFrame(String file, String description, String text, byte[] binary, SyncMessage expected,
      String reencode) throws IOException {
    ObjectNode o = F.objectNode().put("name", file.replace(".json", "").replace(".cbor", "")
        + (file.endsWith(".cbor") ? " (cbor)" : " (json)"));
    o.put("description", description).put("encoding", text != null ? "json" : "cbor");
    o.put("frame", text != null ? text : ProtocolDescriber.hex(binary));
    // The vector must be what our codec makes of the frame.
    SyncMessage decoded = text != null ? codec.decodeText(text) : codec.decodeBinary(binary);
    if (!ProtocolDescriber.describe(decoded).equals(ProtocolDescriber.describe(expected))) {
      throw new IllegalStateException(file + ": decodes to " + decoded + ", not " + expected);
    }
    o.putObject("expect").set("message", ProtocolDescriber.describe(decoded));
    o.put("reencode", reencode);
    write("frames/" + file.replace(".json", "-json.json").replace(".cbor", "-cbor.json"), o);
  }

  private void writeBad(String name, String description, String text, byte[] binary, SyncLimits limits,
      ErrorCode code) throws IOException {
    SyncCodec c = limits == null ? codec : new SyncCodec(limits);
    try {
      SyncMessage m = text != null ? c.decodeText(text) : c.decodeBinary(binary);
      throw new IllegalStateException(name + " decodes: " + m);
    } catch (SyncException e) {
      if (e.code() != code) {
        throw new IllegalStateException(name + ": " + e.code() + " " + e.getMessage() + ", expected " + code);
      }
    }
    ObjectNode o = F.objectNode().put("name", name + (text != null ? " (json)" : " (cbor)"));
    o.put("description", description).put("encoding", text != null ? "json" : "cbor");
    o.put("frame", text != null ? text : ProtocolDescriber.hex(binary));
    if (limits != null) {
      o.putObject("limits").put("maxMessageBytes", limits.maxMessageBytes())
          .put("maxInflatedBytes", limits.maxInflatedBytes()).put("maxBatch", limits.maxBatch());
    }
    o.putObject("expect").put("error", code.wire());
    write("frames/bad-" + name + "-" + (text != null ? "json" : "cbor") + ".json", o);
  }

  // ---- frames every reader must refuse ----

  private void badFrames() throws IOException {
    String d1 = b64(DeltaCodec.encode(d1()));
    String emptyVector = b64(CrdtCodec.encodeVector(VersionVector.EMPTY));
    String helloText = codec.encodeText(hello());
    writeBad("not-json", "The text is not JSON.", "{\"t\":\"hello\",", null, null, ErrorCode.BAD_FRAME);
    writeBad("empty", "An empty text frame.", "", null, null, ErrorCode.BAD_FRAME);
    writeBad("not-object", "A message must be a JSON object.", "[\"hello\"]", null, null, ErrorCode.BAD_FRAME);
    writeBad("missing-type", "No \"t\".", "{\"vector\":\"" + emptyVector + "\"}", null, null, ErrorCode.BAD_FRAME);
    writeBad("unknown-type", "\"t\" names no message of protocol 1.", "{\"t\":\"frobnicate\"}", null, null,
        ErrorCode.BAD_FRAME);
    writeBad("missing-field", "A hello without \"ns\".", helloText.replace("\"ns\":\"notes\",", ""), null, null,
        ErrorCode.BAD_FRAME);
    writeBad("null-field", "A required field that is null counts as missing.",
        helloText.replace("\"ns\":\"notes\"", "\"ns\":null"), null, null, ErrorCode.BAD_FRAME);
    writeBad("wrong-type-string", "\"protocol\" given as a string.",
        helloText.replace("\"protocol\":1", "\"protocol\":\"1\""), null, null, ErrorCode.BAD_FRAME);
    writeBad("wrong-type-fraction", "\"schema\" given as a fraction.",
        helloText.replace("\"schema\":0", "\"schema\":0.5"), null, null, ErrorCode.BAD_FRAME);
    writeBad("int-out-of-range", "\"protocol\" does not fit 32 bits.",
        helloText.replace("\"protocol\":1", "\"protocol\":4294967297"), null, null, ErrorCode.BAD_FRAME);
    writeBad("wrong-type-boolean", "\"compress\" must be true or false.",
        helloText.replace("}", ",\"compress\":\"yes\"}"), null, null, ErrorCode.BAD_FRAME);
    writeBad("bad-role", "\"role\" is neither client nor peer.",
        helloText.replace("\"role\":\"client\"", "\"role\":\"admin\""), null, null, ErrorCode.BAD_FRAME);
    writeBad("bad-replica-hex", "A replica id that is not 1 to 16 hex digits.",
        helloText.replace("\"replica\":\"" + A + "\"", "\"replica\":\"xyz\""), null, null, ErrorCode.BAD_FRAME);
    writeBad("bad-base64", "\"m\" is not base64.", "{\"t\":\"repair\",\"m\":\"@@@@\"}", null, null,
        ErrorCode.BAD_FRAME);
    writeBad("blob-not-string", "A blob given as a number.", "{\"t\":\"repair\",\"m\":12}", null, null,
        ErrorCode.BAD_FRAME);
    writeBad("bad-vector", "A vector blob that is not canonical (replica ids not ascending).",
        "{\"t\":\"resync\",\"vector\":\"" + b64(hexBytes("1001" + "02" + "2000000000000000" + "0100"
            + "1000000000000000" + "0100")) + "\"}", null, null, ErrorCode.BAD_FRAME);
    writeBad("bad-dot", "An acked dot without \":\".", "{\"t\":\"ack\",\"id\":1,\"acked\":[\"0a1b\"],\"rejected\":[]}",
        null, null, ErrorCode.BAD_FRAME);
    writeBad("dot-seq-zero", "An acked dot with sequence 0.",
        "{\"t\":\"ack\",\"id\":1,\"acked\":[\"0a1b:0\"],\"rejected\":[]}", null, null, ErrorCode.BAD_FRAME);
    byte[] delta = DeltaCodec.encode(d1());
    writeBad("truncated-delta", "A push whose delta blob is cut short by 3 bytes.",
        "{\"t\":\"push\",\"id\":1,\"deltas\":[\"" + b64(java.util.Arrays.copyOf(delta, delta.length - 3)) + "\"]}",
        null, null, ErrorCode.BAD_FRAME);
    byte[] badTag = delta.clone();
    badTag[0] = 0x45;
    writeBad("delta-bad-tag", "A delta blob whose first byte is not 0x44.",
        "{\"t\":\"push\",\"id\":1,\"deltas\":[\"" + b64(badTag) + "\"]}", null, null, ErrorCode.BAD_FRAME);
    byte[] trailing = java.util.Arrays.copyOf(CrdtCodec.encode(Document.EMPTY), 6);
    writeBad("document-trailing-bytes", "A states document blob with bytes after its end.",
        "{\"t\":\"states\",\"states\":[{\"c\":\"notes\",\"id\":\"n1\",\"doc\":\"" + b64(trailing) + "\"}],\"vector\":\""
            + emptyVector + "\",\"last\":true}", null, null, ErrorCode.BAD_FRAME);
    writeBad("nesting", "JSON nested deeper than 8 levels.",
        "{\"t\":\"resync\",\"vector\":\"" + emptyVector + "\",\"x\":[[[[[[[[[1]]]]]]]]]}", null, null,
        ErrorCode.BAD_FRAME);
    writeBad("cbor-truncated", "A binary frame cut in the middle of a CBOR map.", null,
        java.util.Arrays.copyOf(codec.encodeBinary(hello()), 20), null, ErrorCode.BAD_FRAME);
    writeBad("cbor-not-map", "A binary frame holding a CBOR array.", null, cbor("[\"hello\"]"), null,
        ErrorCode.BAD_FRAME);

    // Limits: these vectors name the limits the reader runs with.
    String big = "{\"t\":\"error\",\"code\":\"internal\",\"message\":\"" + "x".repeat(1100) + "\",\"fatal\":false}";
    writeBad("oversized", "A text frame larger than maxMessageBytes (1024 here).", big, null, small,
        ErrorCode.TOO_LARGE);
    writeBad("oversized", "A binary frame larger than maxMessageBytes (1024 here).", null, cbor(big), small,
        ErrorCode.TOO_LARGE);
    writeBad("batch-too-large", "A push of 5 deltas where maxBatch is 4.",
        "{\"t\":\"push\",\"id\":1,\"deltas\":[" + String.join(",", java.util.Collections.nCopies(5, "\"" + d1 + "\""))
            + "]}", null, small, ErrorCode.TOO_LARGE);
    byte[] plain = packedPlain(List.of(d1(), d2()));
    String deflated = b64(deflate(plain));
    writeBad("packed-size-above-bound", "Packed deltas declaring 5000 bytes inflated where maxInflatedBytes is 4096.",
        "{\"t\":\"deltas\",\"packed\":\"" + deflated + "\",\"size\":5000}", null, small, ErrorCode.TOO_LARGE);
    writeBad("packed-size-negative", "Packed deltas declaring a negative size.",
        "{\"t\":\"deltas\",\"packed\":\"" + deflated + "\",\"size\":-1}", null, small, ErrorCode.BAD_FRAME);
    writeBad("packed-inflate-short", "Packed deltas that inflate to fewer bytes than \"size\" declares.",
        "{\"t\":\"deltas\",\"packed\":\"" + deflated + "\",\"size\":" + (plain.length + 10) + "}", null, null,
        ErrorCode.BAD_FRAME);
    writeBad("packed-inflate-long", "Packed deltas that inflate to more bytes than \"size\" declares.",
        "{\"t\":\"deltas\",\"packed\":\"" + deflated + "\",\"size\":" + (plain.length - 10) + "}", null, null,
        ErrorCode.BAD_FRAME);
    writeBad("packed-not-deflate", "\"packed\" is not raw deflate.",
        "{\"t\":\"deltas\",\"packed\":\"" + b64(new byte[] {(byte) 0xff, (byte) 0xff, 0, 0}) + "\",\"size\":4}", null,
        null, ErrorCode.BAD_FRAME);
    byte[] cut = java.util.Arrays.copyOf(plain, plain.length - 2);
    writeBad("packed-truncated-delta", "Packed deltas whose last length prefix runs past the inflated bytes.",
        "{\"t\":\"deltas\",\"packed\":\"" + b64(deflate(cut)) + "\",\"size\":" + cut.length + "}", null, null,
        ErrorCode.BAD_FRAME);
    byte[] five = packedPlain(List.of(d1(), d1(), d1(), d1(), d1()));
    String fiveDeflated = b64(deflate(five));
    writeBad("packed-batch-too-large", "Packed deltas holding 5 deltas where maxBatch is 4.",
        "{\"t\":\"deltas\",\"packed\":\"" + fiveDeflated + "\",\"size\":" + five.length + "}", null,
        new SyncLimits(1024, 4096, 4, 1024), ErrorCode.TOO_LARGE);
  }

  static byte[] packedPlain(List<Delta> deltas) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (Delta d : deltas) {
      byte[] b = DeltaCodec.encode(d);
      out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(b.length).array());
      out.writeBytes(b);
    }
    return out.toByteArray();
  }

  static byte[] deflate(byte[] plain) {
    java.util.zip.Deflater deflater = new java.util.zip.Deflater(java.util.zip.Deflater.DEFAULT_COMPRESSION, true);
    deflater.setInput(plain);
    deflater.finish();
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    while (!deflater.finished()) {
      out.write(buf, 0, deflater.deflate(buf));
    }
    deflater.end();
    return out.toByteArray();
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  private static byte[] hexBytes(String hex) {
    return java.util.HexFormat.of().parseHex(hex);
  }

  // ---- sessions ----

  /** Builds one session vector: a setup, then steps in order. */
  private final class Session {
    final ObjectNode root = F.objectNode();
    final ArrayNode steps;

    Session(String name, String description) {
      root.put("name", name).put("description", description);
      ObjectNode setup = root.putObject("setup");
      setup.put("wallClockMillis", ProtocolEdgeHarness.WALL_MILLIS).put("maxSkewMillis", 60_000);
      setup.putArray("namespaces").addObject().put("name", "notes").put("schema", 0);
      ObjectNode creds = setup.putObject("credentials");
      creds.putObject(ProtocolEdgeHarness.API_KEY).put("server", true);
      creds.putObject(ProtocolEdgeHarness.USER_TOKEN).put("server", false).put("user", "alice");
      steps = root.putArray("steps");
    }

    Session send(int conn, SyncMessage m) {
      return sendText(conn, codec.encodeText(m));
    }

    Session sendBinary(int conn, SyncMessage m) {
      steps.addObject().put("conn", conn).putObject("send").put("encoding", "cbor")
          .put("frame", ProtocolDescriber.hex(codec.encodeBinary(m)));
      return this;
    }

    Session sendText(int conn, String text) {
      steps.addObject().put("conn", conn).putObject("send").put("encoding", "json").put("frame", text);
      return this;
    }

    Session expect(int conn, ObjectNode pattern) {
      steps.addObject().put("conn", conn).set("expect", pattern);
      return this;
    }

    Session expectClosed(int conn) {
      steps.addObject().put("conn", conn).put("expectClosed", true);
      return this;
    }

    void write(String file) throws IOException, InterruptedException {
      // The vector must hold against the real session.
      ProtocolVectorsTest.replaySession(root);
      ProtocolVectorsGenerator.this.write("sessions/" + file, root);
    }
  }

  static ObjectNode error(String code, boolean fatal) {
    return F.objectNode().put("t", "error").put("code", code).put("fatal", fatal);
  }

  static SyncMessage.Hello hello(int protocol, String ns, String credential, int schema, ReplicaId replica,
      VersionVector vector, long hlc, SyncMessage.Role role) {
    return new SyncMessage.Hello(protocol, ns, credential, schema, replica, vector, hlc, role, false);
  }

  static SyncMessage.Hello clientHello(ReplicaId replica) {
    return hello(1, "notes", ProtocolEdgeHarness.API_KEY, 0, replica, VersionVector.EMPTY, T, SyncMessage.Role.CLIENT);
  }

  static ObjectNode welcome(String session) {
    ObjectNode o = F.objectNode().put("t", "welcome").put("protocol", 1).put("schema", 0);
    o.put("session", session).put("maxMessageBytes", 8 << 20).put("maxBatch", 10_000);
    return o;
  }

  static ObjectNode caughtUp(VersionVector v) {
    ObjectNode o = F.objectNode().put("t", "caught-up");
    o.putObject("vector").set("entries", ProtocolDescriber.vectorEntries(v));
    return o;
  }

  static ObjectNode ack(long id, List<Dot> acked) {
    ObjectNode o = F.objectNode().put("t", "ack").put("id", id);
    ArrayNode a = o.putArray("acked");
    acked.forEach(d -> a.add(SyncCodec.dotString(d)));
    o.putArray("rejected");
    return o;
  }

  static ObjectNode deltasOf(List<Dot> dots) {
    ObjectNode o = F.objectNode().put("t", "deltas");
    ArrayNode a = o.putArray("deltas");
    dots.forEach(d -> a.addObject().put("dot", SyncCodec.dotString(d)));
    return o;
  }

  private void sessions() throws IOException, InterruptedException {
    SyncMessage.Role client = SyncMessage.Role.CLIENT;
    VersionVector empty = VersionVector.EMPTY;
    String key = ProtocolEdgeHarness.API_KEY;

    new Session("wrong-protocol", "A hello naming protocol 2 is refused before anything else is looked at.")
        .send(0, hello(2, "nope", "", 0, A, empty, T, client))
        .expect(0, error("unsupported-protocol", true)).expectClosed(0).write("wrong-protocol.json");
    new Session("unknown-namespace", "A hello for a namespace the edge does not serve (checked before the credential).")
        .send(0, hello(1, "nope", "", 0, A, empty, T, client))
        .expect(0, error("unknown-namespace", true)).expectClosed(0).write("unknown-namespace.json");
    new Session("push-before-hello", "The first message of a connection must be hello.")
        .send(0, new SyncMessage.Push(1, List.of(d1())))
        .expect(0, error("protocol-violation", true)).expectClosed(0).write("push-before-hello.json");
    new Session("bad-frame-before-hello", "A frame that does not decode ends the connection.")
        .sendText(0, "{\"t\":\"hello\"")
        .expect(0, error("bad-frame", true)).expectClosed(0).write("bad-frame-before-hello.json");
    new Session("no-credential", "A hello with an empty credential.")
        .send(0, hello(1, "notes", "", 0, A, empty, T, client))
        .expect(0, error("unauthenticated", true)).expectClosed(0).write("no-credential.json");
    new Session("bad-credential", "A credential that is neither an API key of the namespace nor a valid token.")
        .send(0, hello(1, "notes", "not-a-key", 0, A, empty, T, client))
        .expect(0, error("bad-token", true)).expectClosed(0).write("bad-credential.json");
    new Session("schema-on-schemaless", "A schemaless namespace takes only schema version 0.")
        .send(0, hello(1, "notes", key, 2, A, empty, T, client))
        .expect(0, error("unknown-version", true)).expectClosed(0).write("schema-on-schemaless.json");
    new Session("hello-clock-skew", "A hello whose HLC is 120 s ahead of the edge's wall clock (bound 60 s).")
        .send(0, hello(1, "notes", key, 0, A, empty, (ProtocolEdgeHarness.WALL_MILLIS + 120_000) << 16, client))
        .expect(0, error("clock-skew", true)).expectClosed(0).write("hello-clock-skew.json");
    new Session("peer-with-user-token", "Only an API key (server claims) may open a peer session.")
        .send(0, hello(1, "notes", ProtocolEdgeHarness.USER_TOKEN, 0, EDGE, empty, T, SyncMessage.Role.PEER))
        .expect(0, error("forbidden", true)).expectClosed(0).write("peer-with-user-token.json");
    new Session("handshake", "A client with nothing opens a session on an empty namespace: welcome, then caught-up.")
        .send(0, clientHello(A))
        .expect(0, welcome("s1")).expect(0, caughtUp(empty)).write("handshake.json");
    new Session("handshake-cbor", "The same handshake in binary frames.")
        .sendBinary(0, clientHello(A))
        .expect(0, welcome("s1")).expect(0, caughtUp(empty)).write("handshake-cbor.json");
    new Session("push-ack-idempotent", "A push is acked once durable; pushing the same dot again is acked again and"
        + " changes nothing.")
        .send(0, clientHello(A)).expect(0, welcome("s1")).expect(0, caughtUp(empty))
        .send(0, new SyncMessage.Push(1, List.of(d1(), d2()))).expect(0, ack(1, List.of(dot(A, 1), dot(A, 2))))
        .send(0, new SyncMessage.Push(2, List.of(d1()))).expect(0, ack(2, List.of(dot(A, 1))))
        .write("push-ack-idempotent.json");
    ObjectNode foreign = ack(1, List.of());
    foreign.putArray("rejected").addObject().put("dot", SyncCodec.dotString(dot(B, 1))).put("code", "forbidden");
    new Session("push-foreign-dot", "A client may push only its own replica's writes; others are rejected for good.")
        .send(0, clientHello(A)).expect(0, welcome("s1")).expect(0, caughtUp(empty))
        .send(0, new SyncMessage.Push(1, List.of(d3()))).expect(0, foreign)
        .write("push-foreign-dot.json");
    Delta skewed = new Delta(dot(A, 1), (ProtocolEdgeHarness.WALL_MILLIS + 120_000) << 16, "notes", "n1",
        Document.of(key("title", FieldKind.LWW), LwwRegister.EMPTY.assign(Value.of("late"),
            (ProtocolEdgeHarness.WALL_MILLIS + 120_000) << 16, dot(A, 1))));
    new Session("push-clock-skew", "A push holding an HLC 120 s ahead is refused whole with a non-fatal clock-skew"
        + " error and no ack; the session goes on.")
        .send(0, clientHello(A)).expect(0, welcome("s1")).expect(0, caughtUp(empty))
        .send(0, new SyncMessage.Push(1, List.of(skewed))).expect(0, error("clock-skew", false))
        .send(0, new SyncMessage.Push(2, List.of(d1()))).expect(0, ack(2, List.of(dot(A, 1))))
        .write("push-clock-skew.json");
    new Session("second-hello", "A hello on an open session.")
        .send(0, clientHello(A)).expect(0, welcome("s1")).expect(0, caughtUp(empty))
        .send(0, clientHello(A)).expect(0, error("protocol-violation", true)).expectClosed(0)
        .write("second-hello.json");
    new Session("client-sends-deltas", "A client writes with push; a deltas message from it is a violation.")
        .send(0, clientHello(A)).expect(0, welcome("s1")).expect(0, caughtUp(empty))
        .send(0, new SyncMessage.Deltas(List.of(d1()))).expect(0, error("protocol-violation", true)).expectClosed(0)
        .write("client-sends-deltas.json");
    new Session("bad-frame-after-hello", "A malformed frame on an open session ends it.")
        .send(0, clientHello(A)).expect(0, welcome("s1")).expect(0, caughtUp(empty))
        .sendText(0, "{\"t\":\"push\",\"id\":1,\"deltas\":[\"AAAA\"]}").expect(0, error("bad-frame", true))
        .expectClosed(0).write("bad-frame-after-hello.json");
    new Session("catch-up-and-live", "Client A pushes two writes; client B connects with nothing and is caught up"
        + " (deltas, then caught-up with the edge's vector); A's next write reaches B live.")
        .send(0, clientHello(A)).expect(0, welcome("s1")).expect(0, caughtUp(empty))
        .send(0, new SyncMessage.Push(1, List.of(d1(), d2()))).expect(0, ack(1, List.of(dot(A, 1), dot(A, 2))))
        .send(1, clientHello(B)).expect(1, welcome("s2")).expect(1, deltasOf(List.of(dot(A, 1), dot(A, 2))))
        .expect(1, caughtUp(VersionVector.of(dot(A, 1), dot(A, 2))))
        .send(0, new SyncMessage.Push(2, List.of(d3like()))).expect(0, ack(2, List.of(dot(A, 3))))
        .expect(1, deltasOf(List.of(dot(A, 3))))
        .write("catch-up-and-live.json");
    new Session("catch-up-from-vector", "A client that already holds A:1 gets only A:2.")
        .send(0, clientHello(A)).expect(0, welcome("s1")).expect(0, caughtUp(empty))
        .send(0, new SyncMessage.Push(1, List.of(d1(), d2()))).expect(0, ack(1, List.of(dot(A, 1), dot(A, 2))))
        .send(1, hello(1, "notes", ProtocolEdgeHarness.USER_TOKEN, 0, B, VersionVector.of(dot(A, 1)), T, client))
        .expect(1, welcome("s2")).expect(1, deltasOf(List.of(dot(A, 2))))
        .expect(1, caughtUp(VersionVector.of(dot(A, 1), dot(A, 2))))
        .write("catch-up-from-vector.json");
    new Session("duplicate-replica", "A second live session of the same client replica id is refused.")
        .send(0, clientHello(A)).expect(0, welcome("s1")).expect(0, caughtUp(empty))
        .send(1, clientHello(A)).expect(1, error("duplicate-replica", true)).expectClosed(1)
        .write("duplicate-replica.json");
    new Session("resync", "resync re-runs the catch-up from what the edge already sent (joined with the given"
        + " vector) and ends with a new caught-up.")
        .send(0, clientHello(A)).expect(0, welcome("s1")).expect(0, caughtUp(empty))
        .send(0, new SyncMessage.Resync(empty)).expect(0, caughtUp(empty))
        .write("resync.json");
  }

  /** A third write of A, on another document. */
  static Delta d3like() {
    return new Delta(dot(A, 3), T + 20, "notes", "n2",
        Document.of(key("title", FieldKind.LWW), LwwRegister.EMPTY.assign(Value.of("Second"), T + 20, dot(A, 3))));
  }

  // ---- Merkle index and reconciliation ----

  private void merkle() throws IOException {
    Transcript t = reconciliation();
    ObjectNode idx = F.objectNode().put("name", "merkle-index")
        .put("description", "The edge side of merkle/reconcile.json: per document its Merkle key (collection 0x00 id,"
            + " UTF-8), the canonical encoding of its visible form, its element digest (BLAKE3-256 of 'E',"
            + " varint(key length), key, visible), the 64-bit key hash; then every node of every partition's"
            + " trie (leaf capacity 16, fanout 16), whose digest is the sum modulo 2^256 of the element"
            + " digests below it, read as little-endian numbers.");
    idx.put("leafCapacity", 16);
    describeIndex(idx, t.edge(), t.edgeDocs());
    write("merkle/index.json", idx);

    ObjectNode r = F.objectNode().put("name", "merkle-reconcile")
        .put("description", "A full reconciliation: the edge (initiator, documents of merkle/index.json) and a client"
            + " (responder) that lacks notes/n7, has notes/n12 changed and has tasks/t2 the edge lacks. Messages"
            + " in order, each as carried in a repair message's \"m\"; then the differing keys each side found.");
    ArrayNode client = r.putArray("clientEntries");
    t.clientDocs().forEach((k, d) -> client.addObject().put("key", ProtocolDescriber.hex(k.getBytes(StandardCharsets.UTF_8)))
        .put("digest", ProtocolDescriber.hex(digest(k, d))));
    ArrayNode ms = r.putArray("messages");
    for (int i = 0; i < t.messages().size(); i++) {
      ms.addObject().put("direction", t.directions().get(i)).set("m", ProtocolDescriber.repair(t.messages().get(i)));
    }
    ArrayNode ed = r.putArray("edgeDifferences");
    t.edgeDiffs().forEach(ed::add);
    ArrayNode cd = r.putArray("clientDifferences");
    t.clientDiffs().forEach(cd::add);
    write("merkle/reconcile.json", r);
  }

  private void describeIndex(ObjectNode out, MemoryTree index, Map<String, Document> docs) {
    ArrayNode entries = out.putArray("entries");
    docs.forEach((k, d) -> {
      byte[] keyBytes = k.getBytes(StandardCharsets.UTF_8);
      entries.addObject().put("collection", k.substring(0, k.indexOf('\0'))).put("id", k.substring(k.indexOf('\0') + 1))
          .put("key", ProtocolDescriber.hex(keyBytes)).put("visible", ProtocolDescriber.hex(CrdtCodec.encode(d.visible())))
          .put("digest", ProtocolDescriber.hex(digest(k, d)))
          .put("keyHash", String.format("%016x", Digests.keyHash(keyBytes)));
    });
    ArrayNode partitions = out.putArray("partitions");
    for (byte[] p : index.partitions(Scope.all())) {
      ObjectNode po = partitions.addObject().put("partition", ProtocolDescriber.hex(p))
          .put("rootDigest", ProtocolDescriber.hex(index.digest(NodeKey.root(p))));
      ArrayNode nodes = po.putArray("nodes");
      walk(index, NodeKey.root(p), nodes);
    }
  }

  private void walk(MemoryTree index, NodeKey at, ArrayNode out) {
    NodeView node = index.node(at);
    ObjectNode n = out.addObject();
    n.set("path", ProtocolDescriber.path(at));
    if (node instanceof NodeView.LeafView leaf) {
      n.put("kind", "leaf").put("digest", ProtocolDescriber.hex(index.digest(at)));
      ArrayNode keys = n.putArray("keys");
      leaf.entries().forEach(e -> keys.add(ProtocolDescriber.hex(e.key())));
    } else {
      NodeView.InnerView in = (NodeView.InnerView) node;
      n.put("kind", "inner").put("digest", ProtocolDescriber.hex(index.digest(at))).put("count", index.count(at))
          .put("childMask", String.format("%04x", in.childMask()));
      for (int i = 0; i < 16; i++) {
        if ((in.childMask() & (1 << i)) != 0) {
          walk(index, at.child(i), out);
        }
      }
    }
  }

  // ---- a user token ----

  private void token() throws Exception {
    String secret = "lattice-example-secret-0123456789abcdef";
    ObjectNode payload = F.objectNode().put("ns", "notes").put("sub", "alice");
    payload.putArray("roles").add("editor");
    payload.put("exp", 1_700_003_600L);
    String payloadText = JSON.writeValueAsString(payload);
    String body = Base64.getUrlEncoder().withoutPadding().encodeToString(payloadText.getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String sig = Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(body.getBytes(StandardCharsets.US_ASCII)));
    ObjectNode o = F.objectNode().put("name", "user-token")
        .put("description", "A user token: base64url(payload) \".\" base64url(HMAC-SHA256(secret, base64url(payload))),"
            + " both without padding; the secret is the UTF-8 bytes shown. Valid while now < exp (epoch seconds).");
    o.put("secret", secret).put("payload", payloadText).put("token", body + "." + sig);
    o.putObject("claims").put("user", "alice").put("server", false).put("namespace", "notes")
        .put("expiresAtEpochSeconds", 1_700_003_600L).putArray("roles").add("editor");
    write("auth/token.json", o);
  }

  // ---- output ----

  private void write(String relative, ObjectNode node) throws IOException {
    DefaultPrettyPrinter pp = new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n"));
    String text = JSON.writer(pp).writeValueAsString(node) + "\n";
    Path p = dir.resolve(relative);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text, StandardCharsets.UTF_8);
    written.add(relative);
  }
}
