package dev.lattice.presence;

import static dev.lattice.presence.PresenceVectorsGenerator.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks the presence conformance vectors against the code: every frame decodes to its description
 * (or fails with its code) and re-encodes as stated; every session replays against a fresh
 * {@link PresenceHub} configured from the file alone and gives exactly the recorded replies and
 * tick output; and the committed files are what {@link PresenceVectorsGenerator} writes today.
 */
class PresenceVectorsTest {
  static final Path VECTORS = Path.of("../docs/protocol-vectors/presence");

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
  }

  private static JsonNode read(Path p) {
    try {
      return JSON.readTree(p.toFile());
    } catch (IOException e) {
      throw new AssertionError(p + " does not parse", e);
    }
  }

  /** A tree as it reads back from a file (numbers take the smallest node type that holds them). */
  private static JsonNode canon(JsonNode n) {
    try {
      return JSON.readTree(JSON.writeValueAsString(n));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @TestFactory
  Stream<DynamicTest> frames() throws IOException {
    List<Path> files = files(VECTORS.resolve("frames"));
    assertThat(files).hasSizeGreaterThan(40);
    return files.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> checkFrame(read(p))));
  }

  private static void checkFrame(JsonNode v) throws Exception {
    String direction = v.get("direction").asText();
    String frame = v.get("frame").asText();
    PresenceCodec codec = new PresenceCodec(v.get("maxFrameChars").asInt());
    JsonNode expect = v.get("expect");
    PresenceMessage m;
    try {
      m = direction.equals("client") ? codec.decodeFromClient(frame) : codec.decode(frame);
    } catch (PresenceException e) {
      assertThat(expect.has("error")).as("%s: refused with %s", v.get("name"), e.getMessage()).isTrue();
      assertThat(e.reason().code()).isEqualTo(expect.get("error").asText());
      return;
    }
    assertThat(expect.has("message")).as("%s decodes to %s", v.get("name"), m).isTrue();
    assertThat(canon(PresenceVectorsGenerator.describe(m))).isEqualTo(expect.get("message"));
    boolean identical = codec.encode(m).equals(frame);
    assertThat(v.get("reencode").asText()).isEqualTo(identical ? "identical" : "none");
  }

  @TestFactory
  Stream<DynamicTest> sessions() throws IOException {
    List<Path> files = files(VECTORS.resolve("sessions"));
    assertThat(files).hasSizeGreaterThanOrEqualTo(6);
    return files.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> replay(read(p))));
  }

  /** Replays a session from the file alone, as an implementation in another language would. */
  private static void replay(JsonNode v) {
    JsonNode c = v.get("setup").get("config");
    PresenceConfig config = PresenceConfig.builder().tick(Duration.ofMillis(c.get("tick").asLong()))
        .memberTtl(Duration.ofMillis(c.get("ttl").asLong())).maxStateBytes(c.get("maxStateBytes").asInt())
        .maxStateDepth(c.get("maxStateDepth").asInt()).maxUpdatesPerSecond(c.get("rate").asInt())
        .maxRoomsPerNamespace(c.get("maxRoomsPerNamespace").asInt())
        .maxMembersPerRoom(c.get("maxMembersPerRoom").asInt())
        .maxRoomsPerConnection(c.get("maxRoomsPerConnection").asInt())
        .maxRoomNameLength(c.get("maxRoomNameLength").asInt()).build();
    String ns = v.get("setup").get("namespace").asText();
    Map<String, String> users = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = v.get("setup").get("connections").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      users.put(e.getKey(), e.getValue().asText());
    }
    PresenceHub hub = new PresenceHub(config);
    PresenceCodec codec = PresenceCodec.forClients(config);
    int i = 0;
    for (JsonNode step : v.get("steps")) {
      String where = v.get("name").asText() + " step " + i++;
      long at = step.get("at").asLong();
      if (step.has("send")) {
        String conn = step.get("conn").asText();
        PresenceException refused = PresenceVectorsGenerator.apply(hub, codec, ns,
            new MemberIdentity(users.get(conn), conn), step.get("send").asText(), at);
        JsonNode want = step.get("reply");
        if (want == null) {
          assertThat(refused).as(where).isNull();
        } else {
          assertThat(refused).as(where).isNotNull();
          assertThat(canon(PresenceVectorsGenerator.errorPattern(refused))).as(where).isEqualTo(want);
        }
      } else if (step.has("disconnect")) {
        hub.disconnect(step.get("disconnect").asText(), at);
      } else {
        Map<String, List<JsonNode>> got = new LinkedHashMap<>();
        users.keySet().forEach(conn -> got.put(conn, new ArrayList<>()));
        for (Outbound o : hub.tick(at)) {
          got.get(o.connectionId()).add(canon(PresenceVectorsGenerator.sorted(PresenceVectorsGenerator.describe(o.frame()))));
        }
        ObjectNode want = (ObjectNode) step.get("tick");
        for (String conn : users.keySet()) {
          List<JsonNode> expected = new ArrayList<>();
          ((ArrayNode) want.get(conn)).forEach(expected::add);
          assertThat(got.get(conn)).as(where + " frames to " + conn).isEqualTo(expected);
          // The coalescing bound: at most one frame per room per tick.
          assertThat(got.get(conn).stream().map(f -> f.get("room").asText()).distinct().count())
              .isEqualTo(got.get(conn).size());
        }
      }
    }
  }

  @Test
  void committedVectorsAreUpToDate(@TempDir Path fresh) throws Exception {
    PresenceVectorsGenerator.main(new String[] {fresh.toString()});
    for (String sub : List.of("frames", "sessions")) {
      List<String> committed = files(VECTORS.resolve(sub)).stream().map(p -> p.getFileName().toString()).toList();
      List<String> generated = files(fresh.resolve(sub)).stream().map(p -> p.getFileName().toString()).toList();
      assertThat(committed).as(sub + " files (run PresenceVectorsGenerator)").isEqualTo(generated);
      for (String f : generated) {
        assertThat(Files.readString(VECTORS.resolve(sub).resolve(f)))
            .as(sub + "/" + f + " is stale: run PresenceVectorsGenerator")
            .isEqualTo(Files.readString(fresh.resolve(sub).resolve(f)));
      }
    }
  }
}
