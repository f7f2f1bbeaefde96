package dev.lattice.replica.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import dev.lattice.crdt.codec.CrdtCodec;
import dev.lattice.crdt.type.Document;
import dev.lattice.merkle.Digests;
import dev.lattice.merkle.MerkleConfig;
import dev.lattice.merkle.NodeKey;
import dev.lattice.merkle.Scope;
import dev.lattice.merkle.sync.MessageCodec;
import dev.lattice.merkle.sync.NodeView;
import dev.lattice.merkle.sync.ReconcileMessage;
import dev.lattice.merkle.sync.Reconciler;
import dev.lattice.merkle.tree.DerivedTree;
import dev.lattice.merkle.tree.DigestBuckets;
import dev.lattice.merkle.tree.MemoryTree;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks the conformance vectors of {@code docs/PROTOCOL.md} against the code: every frame decodes
 * to its description (or fails with its error code) and re-encodes to the same bytes, every session
 * replays against {@link ServerSession}, the Merkle vectors rebuild and reconcile, the token
 * verifies; and the committed files are exactly what {@link ProtocolVectorsGenerator} writes now.
 */
class ProtocolVectorsTest {
  static final Path VECTORS = Path.of("../docs/protocol-vectors");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper CBOR = new ObjectMapper(new CBORFactory());
  private static final HexFormat HEX = HexFormat.of();

  private static List<Path> files(String sub) throws IOException {
    try (Stream<Path> s = Files.list(VECTORS.resolve(sub))) {
      return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
  }

  /** A description as it reads back from a file (numbers take the smallest node type that holds them). */
  static JsonNode canon(JsonNode n) {
    try {
      return JSON.readTree(JSON.writeValueAsString(n));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode read(Path p) {
    try {
      return JSON.readTree(p.toFile());
    } catch (IOException e) {
      throw new AssertionError(p + " does not parse", e);
    }
  }

  @TestFactory
  Stream<DynamicTest> frames() throws IOException {
    List<Path> files = files("frames");
    assertThat(files).hasSizeGreaterThan(60);
    return files.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> checkFrame(read(p))));
  }

  static void checkFrame(JsonNode v) throws IOException {
    JsonNode limits = v.get("limits");
    SyncCodec codec = new SyncCodec(limits == null ? SyncLimits.defaults()
        : new SyncLimits(limits.get("maxMessageBytes").asInt(), limits.get("maxInflatedBytes").asInt(),
            limits.get("maxBatch").asInt(), 1024));
    boolean text = v.get("encoding").asText().equals("json");
    String frame = v.get("frame").asText();
    byte[] binary = text ? null : HEX.parseHex(frame);
    JsonNode expect = v.get("expect");
    if (expect.has("error")) {
      assertThatThrownBy(() -> decode(codec, text, frame, binary))
          .isInstanceOfSatisfying(SyncException.class, e -> assertThat(e.code().wire())
              .as(e.getMessage()).isEqualTo(expect.get("error").asText()));
      return;
    }
    SyncMessage m = decode(codec, text, frame, binary);
    assertThat(canon(ProtocolDescriber.describe(m))).isEqualTo(expect.get("message"));
    JsonNode tree = text ? JSON.readTree(frame) : CBOR.readTree(binary);
    boolean packed = tree.has("packed");
    switch (v.get("reencode").asText()) {
      case "identical" -> {
        if (text) {
          assertThat(codec.encodeText(m, packed)).isEqualTo(frame);
        } else {
          assertThat(HEX.formatHex(codec.encodeBinary(m, packed))).isEqualTo(frame);
        }
      }
      case "equivalent" -> {
        SyncMessage again = text ? codec.decodeText(codec.encodeText(m, packed))
            : codec.decodeBinary(codec.encodeBinary(m, packed));
        assertThat(canon(ProtocolDescriber.describe(again))).isEqualTo(expect.get("message"));
      }
      case "none" -> { }
      default -> fail("unknown reencode " + v.get("reencode"));
    }
  }

  private static SyncMessage decode(SyncCodec codec, boolean text, String frame, byte[] binary) {
    return text ? codec.decodeText(frame) : codec.decodeBinary(binary);
  }

  @TestFactory
  Stream<DynamicTest> sessions() throws IOException {
    List<Path> files = files("sessions");
    assertThat(files).hasSizeGreaterThan(15);
    return files.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> replaySession(read(p))));
  }

  /** Plays a session vector against a real {@link ServerSession}; throws AssertionError where the edge differs. */
  static void replaySession(JsonNode v) throws InterruptedException {
    assertThat(v.get("setup").get("wallClockMillis").asLong()).isEqualTo(ProtocolEdgeHarness.WALL_MILLIS);
    SyncCodec codec = new SyncCodec(SyncLimits.defaults());
    try (ProtocolEdgeHarness edge = new ProtocolEdgeHarness()) {
      int stepNo = 0;
      for (JsonNode step : v.get("steps")) {
        stepNo++;
        String where = v.get("name").asText() + " step " + stepNo;
        ProtocolEdgeHarness.Connection c = edge.connection(step.get("conn").asInt());
        if (step.has("send")) {
          JsonNode s = step.get("send");
          if (s.get("encoding").asText().equals("json")) {
            c.receive(s.get("frame").asText(), null);
          } else {
            c.receive(null, HEX.parseHex(s.get("frame").asText()));
          }
          edge.runTasks(false);
        } else if (step.has("expect")) {
          if (c.sent.isEmpty()) {
            edge.runTasks(true);
          }
          SyncMessage got = c.sent.poll();
          if (got == null) {
            throw new AssertionError(where + ": the edge sent nothing, expected " + step.get("expect"));
          }
          // What the edge sends must survive the codec in both encodings.
          JsonNode described = canon(ProtocolDescriber.describe(got));
          if (!canon(ProtocolDescriber.describe(codec.decodeText(codec.encodeText(got)))).equals(described)
              || !canon(ProtocolDescriber.describe(codec.decodeBinary(codec.encodeBinary(got)))).equals(described)) {
            throw new AssertionError(where + ": " + got + " does not survive the codec");
          }
          if (!ProtocolDescriber.matches(canon(step.get("expect")), described)) {
            throw new AssertionError(where + ": expected " + step.get("expect") + " but the edge sent " + described);
          }
        } else if (step.has("expectClosed")) {
          if (!c.closed) {
            throw new AssertionError(where + ": the edge did not close the connection");
          }
        } else {
          throw new AssertionError(where + ": unknown step " + step);
        }
      }
      edge.runTasks(false);
      for (int i = 0; ; i++) {
        ProtocolEdgeHarness.Connection c = edge.connection(i);
        if (c.session == null && c.sent.isEmpty() && !c.closed) {
          break;
        }
        if (!c.sent.isEmpty()) {
          throw new AssertionError(v.get("name").asText() + ": connection " + i + " got more than expected: " + c.sent);
        }
      }
    }
  }

  @Test
  void merkleIndexRebuildsFromItsEntries() {
    JsonNode v = read(VECTORS.resolve("merkle/index.json"));
    MemoryTree.Builder built = MemoryTree.builder(MerkleConfig.defaults());
    DigestBuckets buckets = new DigestBuckets(MerkleConfig.defaults());
    for (JsonNode e : v.get("entries")) {
      byte[] key = HEX.parseHex(e.get("key").asText());
      assertThat(new String(key, StandardCharsets.UTF_8))
          .isEqualTo(e.get("collection").asText() + "\0" + e.get("id").asText());
      byte[] visible = HEX.parseHex(e.get("visible").asText());
      Document d;
      try {
        d = CrdtCodec.decode(visible, Document.class);
      } catch (dev.lattice.crdt.codec.CodecException ex) {
        throw new AssertionError(ex);
      }
      assertThat(CrdtCodec.encode(d.visible())).isEqualTo(visible);
      assertThat(HEX.formatHex(Digests.element(key, visible))).isEqualTo(e.get("digest").asText());
      assertThat(String.format("%016x", Digests.keyHash(key))).isEqualTo(e.get("keyHash").asText());
      built.add(key, HEX.parseHex(e.get("digest").asText()));
      buckets.update(key, null, HEX.parseHex(e.get("digest").asText()));
    }
    MemoryTree index = built.build();
    // The same trie derived from bucket sums, listing documents from the entries.
    DerivedTree derived = DerivedTree.open(buckets.snapshot(), (partition, prefixes, sink) ->
        v.get("entries").forEach(e -> {
          byte[] key = HEX.parseHex(e.get("key").asText());
          if (Arrays.equals(Arrays.copyOf(key, Math.min(key.length, partition.length)), partition)
              && MerkleConfig.defaults().partitioner().partitionLength(key) == partition.length
              && prefixes.stream().anyMatch(p -> p.containsHash(Digests.keyHash(key)))) {
            sink.accept(key, HEX.parseHex(e.get("digest").asText()));
          }
        }));
    for (JsonNode p : v.get("partitions")) {
      byte[] partition = HEX.parseHex(p.get("partition").asText());
      assertThat(HEX.formatHex(index.digest(NodeKey.root(partition)))).isEqualTo(p.get("rootDigest").asText());
      for (JsonNode n : p.get("nodes")) {
        NodeKey at = pathOf(partition, n.get("path"));
        for (var tree : List.of(index, derived)) {
          NodeView node = tree.node(at);
          assertThat(HEX.formatHex(tree.digest(at))).as(at.toString()).isEqualTo(n.get("digest").asText());
          assertThat(node instanceof NodeView.LeafView ? "leaf" : "inner").as(at.toString())
              .isEqualTo(n.get("kind").asText());
          if (node instanceof NodeView.InnerView in) {
            assertThat(String.format("%04x", in.childMask())).isEqualTo(n.get("childMask").asText());
            assertThat(tree.count(at)).isEqualTo(n.get("count").asLong());
          }
        }
      }
    }
    assertThat(index.partitions(Scope.all())).hasSize(v.get("partitions").size());
  }

  private static NodeKey pathOf(byte[] partition, JsonNode path) {
    String digits = path.get("prefix").asText();
    long prefix = digits.isEmpty() ? 0 : Long.parseUnsignedLong(digits, 16) << (64 - 4 * digits.length());
    assertThat(HEX.parseHex(path.get("partition").asText())).isEqualTo(partition);
    return new NodeKey(partition, digits.length(), prefix);
  }

  @Test
  void merkleReconciliationReplays() throws Exception {
    JsonNode idx = read(VECTORS.resolve("merkle/index.json"));
    JsonNode v = read(VECTORS.resolve("merkle/reconcile.json"));
    MemoryTree.Builder edgeIndex = MemoryTree.builder(MerkleConfig.defaults());
    idx.get("entries").forEach(e -> edgeIndex.add(HEX.parseHex(e.get("key").asText()),
        HEX.parseHex(e.get("digest").asText())));
    MemoryTree.Builder clientIndex = MemoryTree.builder(MerkleConfig.defaults());
    v.get("clientEntries").forEach(e -> clientIndex.add(HEX.parseHex(e.get("key").asText()),
        HEX.parseHex(e.get("digest").asText())));
    Reconciler edge = Reconciler.initiator(edgeIndex.build(), Scope.all());
    Reconciler client = Reconciler.responder(clientIndex.build(), Scope.all());
    for (JsonNode m : v.get("messages")) {
      boolean fromEdge = m.get("direction").asText().equals("edge->client");
      Optional<ReconcileMessage> next = (fromEdge ? edge : client).nextMessage();
      assertThat(next).isPresent();
      byte[] bytes = MessageCodec.encode(next.get());
      assertThat(HEX.formatHex(bytes)).isEqualTo(m.get("m").get("hex").asText());
      assertThat(canon(ProtocolDescriber.repair(bytes))).isEqualTo(m.get("m"));
      (fromEdge ? client : edge).receive(MessageCodec.decode(bytes));
    }
    assertThat(edge.isDone()).isTrue();
    assertThat(client.isDone()).isTrue();
    assertThat(differences(edge)).isEqualTo(strings(v.get("edgeDifferences")));
    assertThat(differences(client)).isEqualTo(strings(v.get("clientDifferences")));
  }

  private static List<String> differences(Reconciler r) {
    List<String> out = new ArrayList<>();
    r.differences().forEach(d -> out.add(new String(d.key(), StandardCharsets.UTF_8).replace('\0', '/') + " "
        + d.kind().name().toLowerCase(java.util.Locale.ROOT)));
    return out;
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void userTokenVerifies() throws Exception {
    JsonNode v = read(VECTORS.resolve("auth/token.json"));
    String token = v.get("token").asText();
    int dot = token.indexOf('.');
    String body = token.substring(0, dot);
    assertThat(new String(java.util.Base64.getUrlDecoder().decode(body), StandardCharsets.UTF_8))
        .isEqualTo(v.get("payload").asText());
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(v.get("secret").asText().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    assertThat(java.util.Base64.getUrlEncoder().withoutPadding()
        .encodeToString(mac.doFinal(body.getBytes(StandardCharsets.US_ASCII)))).isEqualTo(token.substring(dot + 1));
  }

  /** The committed vectors are what the generator writes today (packed frames compared by meaning). */
  @Test
  void committedVectorsAreUpToDate(@TempDir Path fresh) throws Exception {
    ProtocolVectorsGenerator.main(new String[] {fresh.toString()});
    List<String> committed = new ArrayList<>();
    List<String> generated = new ArrayList<>();
    for (String sub : List.of("frames", "sessions", "merkle", "auth")) {
      files(sub).forEach(p -> committed.add(sub + "/" + p.getFileName()));
      try (Stream<Path> s = Files.list(fresh.resolve(sub))) {
        s.sorted().forEach(p -> generated.add(sub + "/" + p.getFileName()));
      }
    }
    assertThat(committed).as("vector files (run ProtocolVectorsGenerator)").isEqualTo(generated);
    for (String f : generated) {
      JsonNode want = read(fresh.resolve(f));
      JsonNode have = read(VECTORS.resolve(f));
      if ("equivalent".equals(want.path("reencode").asText())) {
        ((ObjectNode) want).remove("frame");
        ((ObjectNode) have).remove("frame");
      }
      assertThat(have).as(f + " is stale: run ProtocolVectorsGenerator").isEqualTo(want);
    }
  }
}
