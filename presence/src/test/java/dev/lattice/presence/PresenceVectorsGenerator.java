package dev.lattice.presence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lattice.presence.PresenceException.Reason;
import dev.lattice.presence.PresenceMessage.ClientMessage;
import dev.lattice.presence.PresenceMessage.ErrorMessage;
import dev.lattice.presence.PresenceMessage.Hello;
import dev.lattice.presence.PresenceMessage.Join;
import dev.lattice.presence.PresenceMessage.Leave;
import dev.lattice.presence.PresenceMessage.Touch;
import dev.lattice.presence.PresenceMessage.Update;
import dev.lattice.presence.PresenceMessage.Welcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the presence conformance vectors of {@code docs/PROTOCOL.md} section 16 into
 * {@code docs/protocol-vectors/presence/}: single frames with their decoded form or expected error
 * ({@code frames/}), and sessions of client messages, disconnects and ticks against a hub with the
 * output it must produce ({@code sessions/}). Deterministic: fixed texts, fixed times, the hub's own
 * output. {@link PresenceVectorsTest} checks the committed files against this and against the code.
 *
 * <p>Run from the {@code presence} module (commands in
 * {@code docs/protocol-vectors/presence/README.md}); the optional argument is the output directory,
 * {@code ../docs/protocol-vectors/presence} by default.
 */
public final class PresenceVectorsGenerator {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  /** The server's reader in the vectors: the default configuration's client-message limit. */
  static final int CLIENT_FRAME_CHARS = PresenceCodec.forClients(PresenceConfig.DEFAULT).maxFrameLength();
  /** The client's reader in the vectors. */
  static final int SERVER_FRAME_CHARS = 1 << 20;
  static final String KEY = "key-0123456789abcdef";

  private final Path dir;

  private PresenceVectorsGenerator(Path dir) {
    this.dir = dir;
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "../docs/protocol-vectors/presence");
    PresenceVectorsGenerator g = new PresenceVectorsGenerator(dir);
    for (String sub : List.of("frames", "sessions")) {
      Path d = dir.resolve(sub);
      Files.createDirectories(d);
      try (var files = Files.list(d)) {
        for (Path p : files.filter(p -> p.toString().endsWith(".json")).toList()) {
          Files.delete(p);
        }
      }
    }
    g.frames();
    g.sessions();
  }

  // ---- descriptions (shared with the test)

  /** A message as the vectors describe it: wire field names, states as JSON objects. */
  static ObjectNode describe(PresenceMessage m) {
    ObjectNode n = JSON.createObjectNode();
    if (m instanceof Hello) {
      Hello h = (Hello) m;
      n.put("t", "p-hello").put("ns", h.namespace()).put("credential", h.credential());
    } else if (m instanceof Welcome) {
      Welcome w = (Welcome) m;
      n.put("t", "p-welcome").put("id", w.connectionId()).put("user", w.userId()).put("ttl", w.ttlMillis())
          .put("tick", w.tickMillis()).put("rate", w.maxUpdatesPerSecond());
    } else if (m instanceof Join) {
      n.put("t", "p-join").put("room", m.room()).set("state", tree(((Join) m).state()));
    } else if (m instanceof Update) {
      n.put("t", "p-set").put("room", m.room()).set("state", tree(((Update) m).state()));
    } else if (m instanceof Leave) {
      n.put("t", "p-leave").put("room", m.room());
    } else if (m instanceof Touch) {
      n.put("t", "p-touch").put("room", m.room());
    } else if (m instanceof PresenceFrame) {
      PresenceFrame f = (PresenceFrame) m;
      n.put("t", "p-frame").put("room", f.room());
      ArrayNode members = n.putArray("members");
      for (PresenceFrame.Entry e : f.members()) {
        ObjectNode en = members.addObject().put("id", e.id()).put("user", e.user()).put("clock", e.clock());
        en.set("state", tree(e.state()));
      }
      ArrayNode left = n.putArray("left");
      f.left().forEach(left::add);
      n.put("snapshot", f.snapshot());
    } else {
      ErrorMessage e = (ErrorMessage) m;
      n.put("t", "p-error").put("code", e.reason().code()).put("message", e.message());
      if (e.room() != null) {
        n.put("room", e.room());
      }
    }
    return n;
  }

  /**
   * A frame described as a session expects it: members and left sorted by id (their order is not
   * part of the contract).
   */
  static ObjectNode sorted(ObjectNode frame) {
    ObjectNode n = frame.deepCopy();
    List<JsonNode> members = new ArrayList<>();
    n.withArray("members").forEach(members::add);
    members.sort(Comparator.comparing(j -> j.get("id").asText()));
    n.putArray("members").addAll(members);
    List<String> left = new ArrayList<>();
    n.withArray("left").forEach(j -> left.add(j.asText()));
    left.sort(null);
    ArrayNode l = n.putArray("left");
    left.forEach(l::add);
    return n;
  }

  /** An error as a session expects it: code and room; the message text is for humans. */
  static ObjectNode errorPattern(PresenceException e) {
    ObjectNode n = JSON.createObjectNode().put("t", "p-error").put("code", e.reason().code());
    if (e.room() != null) {
      n.put("room", e.room());
    }
    return n;
  }

  static JsonNode tree(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException("not JSON: " + json, e);
    }
  }

  // ---- frames/

  private void frames() throws IOException {
    // Client to server.
    valid("hello", "client", "The first message of a connection: namespace and credential (an API key here).",
        "{\"t\":\"p-hello\",\"ns\":\"notes\",\"credential\":\"" + KEY + "\"}");
    valid("hello-no-credential", "client", "Decodes; the edge then refuses it with unauthenticated.",
        "{\"t\":\"p-hello\",\"ns\":\"notes\",\"credential\":\"\"}");
    valid("join", "client", "Join a room with an initial state.",
        "{\"t\":\"p-join\",\"room\":\"doc:42/cursor\",\"state\":{\"x\":12,\"y\":3,\"name\":\"Ada\"}}");
    valid("set", "client", "Replace the sender's state; numbers are kept exactly as written (13.50).",
        "{\"t\":\"p-set\",\"room\":\"doc:42/cursor\",\"state\":{\"x\":13.50,\"sel\":[1,2],\"typing\":true,\"note\":null}}");
    valid("set-unicode", "client", "Non-ASCII text and a character outside the BMP, raw in UTF-8.",
        "{\"t\":\"p-set\",\"room\":\"r1\",\"state\":{\"name\":\"Zo\u00eb \ud83d\ude00\",\"q\":\"say \\\"hi\\\" \\\\ \\n\"}}");
    valid("set-not-compact", "client", "Any field order and whitespace decode; the state is kept in compact form.",
        " { \"state\" : { \"x\" : [ 1 , 2 ] } , \"room\" : \"r1\" , \"t\" : \"p-set\" } ");
    valid("set-escaped", "client", "JSON escapes in a state decode to the characters they stand for.",
        "{\"t\":\"p-set\",\"room\":\"r1\",\"state\":{\"name\":\"caf\\u00e9\"}}");
    valid("leave", "client", "Leave a room.", "{\"t\":\"p-leave\",\"room\":\"doc:42/cursor\"}");
    valid("touch", "client", "Renew the sender's TTL in a room without changing its state.",
        "{\"t\":\"p-touch\",\"room\":\"doc:42/cursor\"}");

    // Server to client.
    PresenceCodec codec = new PresenceCodec(SERVER_FRAME_CHARS);
    valid("welcome", "server", "Accepts p-hello: the member id the edge assigned, the user id from the token, and"
        + " the member TTL, tick (ms) and per-member rate (messages/s).",
        codec.encode(new Welcome("c-5f3a9e01-1", "alice", 30_000, 50, 30)));
    valid("frame-snapshot", "server", "The first frame after a join: everyone else in the room.",
        codec.encode(new PresenceFrame("doc:42/cursor", List.of(
            new PresenceFrame.Entry("c-5f3a9e01-2", "bob", 7, "{\"x\":1,\"y\":2}"),
            new PresenceFrame.Entry("c-5f3a9e01-3", "carol", 1, "{}")), List.of(), true)));
    valid("frame-empty-snapshot", "server", "A snapshot of a room with nobody else in it: the view is complete.",
        codec.encode(new PresenceFrame("doc:42/cursor", List.of(), List.of(), true)));
    valid("frame-delta", "server", "Members changed since the subscriber's previous frame, and members that left.",
        codec.encode(new PresenceFrame("doc:42/cursor", List.of(
            new PresenceFrame.Entry("c-5f3a9e01-2", "bob", 9, "{\"x\":5,\"y\":2}")), List.of("c-5f3a9e01-3"), false)));
    for (Reason r : Reason.values()) {
      boolean roomLevel = r.ordinal() <= Reason.RATE_LIMITED.ordinal() && r != Reason.MALFORMED
          && r != Reason.FRAME_TOO_LARGE && r != Reason.INVALID_ROOM;
      valid("error-" + r.code(), "server", "An error with code " + r.code()
          + (roomLevel ? ", about a room." : ", about no particular room."),
          codec.encode(new ErrorMessage(r, "words for a human", roomLevel ? "doc:42/cursor" : null)));
    }

    // Refused.
    bad("not-json", "client", "Not JSON.", "{\"t\":\"p-join\"", Reason.MALFORMED);
    bad("empty", "client", "An empty text message.", "", Reason.MALFORMED);
    bad("not-object", "client", "JSON, but not an object.", "[\"p-join\",\"r1\"]", Reason.MALFORMED);
    bad("missing-type", "client", "No \"t\".", "{\"room\":\"r1\"}", Reason.MALFORMED);
    bad("unknown-type", "client", "An unknown \"t\".", "{\"t\":\"p-poke\",\"room\":\"r1\"}", Reason.MALFORMED);
    bad("unknown-field", "client", "A field the message does not have: refused, not ignored.",
        "{\"t\":\"p-leave\",\"room\":\"r1\",\"extra\":1}", Reason.MALFORMED);
    bad("spoof-user", "client", "A client message naming a user: identity comes from the token.",
        "{\"t\":\"p-set\",\"room\":\"r1\",\"state\":{},\"user\":\"bob\"}", Reason.MALFORMED);
    bad("spoof-id", "client", "A client message naming a member id: ids are assigned by the edge.",
        "{\"t\":\"p-join\",\"room\":\"r1\",\"state\":{},\"id\":\"c-5f3a9e01-2\"}", Reason.MALFORMED);
    bad("spoof-user-id", "client", "Other spellings of identity are refused alike.",
        "{\"t\":\"p-touch\",\"room\":\"r1\",\"userId\":\"bob\"}", Reason.MALFORMED);
    bad("spoof-in-hello", "client", "p-hello cannot choose the user either.",
        "{\"t\":\"p-hello\",\"ns\":\"notes\",\"credential\":\"" + KEY + "\",\"user\":\"bob\"}", Reason.MALFORMED);
    bad("hello-missing-credential", "client", "p-hello needs \"credential\" (empty is allowed, absent is not).",
        "{\"t\":\"p-hello\",\"ns\":\"notes\"}", Reason.MALFORMED);
    bad("join-missing-state", "client", "p-join needs a state.", "{\"t\":\"p-join\",\"room\":\"r1\"}", Reason.MALFORMED);
    bad("state-array", "client", "A state must be a JSON object.", "{\"t\":\"p-set\",\"room\":\"r1\",\"state\":[1,2]}",
        Reason.MALFORMED);
    bad("state-string", "client", "A state must be a JSON object, not a string holding one.",
        "{\"t\":\"p-set\",\"room\":\"r1\",\"state\":\"{}\"}", Reason.MALFORMED);
    bad("room-not-string", "client", "A room is a string.", "{\"t\":\"p-leave\",\"room\":7}", Reason.MALFORMED);
    bad("duplicate-field", "client", "A field given twice.", "{\"t\":\"p-leave\",\"room\":\"r1\",\"room\":\"r2\"}",
        Reason.MALFORMED);
    bad("duplicate-key-in-state", "client", "A key given twice inside a state.",
        "{\"t\":\"p-set\",\"room\":\"r1\",\"state\":{\"a\":1,\"a\":2}}", Reason.MALFORMED);
    bad("trailing-content", "client", "Anything after the message object.", "{\"t\":\"p-leave\",\"room\":\"r1\"}{}",
        Reason.MALFORMED);
    bad("unpaired-surrogate", "client", "A string escaping half a surrogate pair (not representable in UTF-8).",
        "{\"t\":\"p-set\",\"room\":\"r1\",\"state\":{\"a\":\"\\udc00\"}}", Reason.MALFORMED);
    bad("too-deep", "client", "Nesting beyond the reader's limit (" + PresenceCodec.MAX_DEPTH + " levels).",
        "{\"t\":\"p-set\",\"room\":\"r1\",\"state\":{\"a\":" + "[".repeat(80) + "]".repeat(80) + "}}", Reason.MALFORMED);
    bad("too-large", "client", "A message longer than the reader's limit (" + CLIENT_FRAME_CHARS + " characters"
        + " with the default configuration) is refused before parsing.",
        "{\"t\":\"p-set\",\"room\":\"r1\",\"state\":{\"s\":\"" + "x".repeat(CLIENT_FRAME_CHARS) + "\"}}",
        Reason.FRAME_TOO_LARGE);
    bad("client-sends-frame", "client", "A server message from a client.",
        "{\"t\":\"p-frame\",\"room\":\"r1\",\"members\":[],\"left\":[],\"snapshot\":true}", Reason.MALFORMED);
    bad("client-sends-welcome", "client", "A server message from a client.",
        "{\"t\":\"p-welcome\",\"id\":\"c1\",\"user\":\"bob\",\"ttl\":30000,\"tick\":50,\"rate\":30}", Reason.MALFORMED);
    bad("frame-negative-clock", "server", "A clock is a non-negative 64-bit integer.",
        "{\"t\":\"p-frame\",\"room\":\"r1\",\"members\":[{\"id\":\"c1\",\"user\":\"u1\",\"clock\":-1,\"state\":{}}],"
            + "\"left\":[],\"snapshot\":false}", Reason.MALFORMED);
    bad("frame-entry-missing-user", "server", "Every entry has id, user, clock and state.",
        "{\"t\":\"p-frame\",\"room\":\"r1\",\"members\":[{\"id\":\"c1\",\"clock\":1,\"state\":{}}],"
            + "\"left\":[],\"snapshot\":false}", Reason.MALFORMED);
    bad("welcome-zero-ttl", "server", "ttl, tick and rate are positive integers.",
        "{\"t\":\"p-welcome\",\"id\":\"c1\",\"user\":\"u1\",\"ttl\":0,\"tick\":50,\"rate\":30}", Reason.MALFORMED);
    bad("error-unknown-code", "server", "An error code this version does not define.",
        "{\"t\":\"p-error\",\"code\":\"teapot\",\"message\":\"m\"}", Reason.MALFORMED);
  }

  private static PresenceCodec reader(String direction) {
    return new PresenceCodec(direction.equals("client") ? CLIENT_FRAME_CHARS : SERVER_FRAME_CHARS);
  }

  /** Decodes with the reader of {@code direction}: the edge's for client messages, a client's for the rest. */
  static PresenceMessage decode(String direction, String frame) throws PresenceException {
    PresenceCodec codec = reader(direction);
    return direction.equals("client") ? codec.decodeFromClient(frame) : codec.decode(frame);
  }

  private void valid(String name, String direction, String description, String frame) throws IOException {
    PresenceMessage m;
    try {
      m = decode(direction, frame);
    } catch (PresenceException e) {
      throw new IllegalStateException("vector " + name + " does not decode: " + e.getMessage(), e);
    }
    ObjectNode v = head(name, direction, description, frame);
    v.putObject("expect").set("message", describe(m));
    v.put("reencode", reader(direction).encode(m).equals(frame) ? "identical" : "none");
    write("frames/" + name + ".json", v);
  }

  private void bad(String name, String direction, String description, String frame, Reason expected)
      throws IOException {
    try {
      PresenceMessage m = decode(direction, frame);
      throw new IllegalStateException("vector " + name + " decodes: " + m);
    } catch (PresenceException e) {
      if (e.reason() != expected) {
        throw new IllegalStateException("vector " + name + " fails with " + e.reason() + ", not " + expected, e);
      }
    }
    ObjectNode v = head("bad-" + name, direction, description, frame);
    v.putObject("expect").put("error", expected.code());
    write("frames/bad-" + name + ".json", v);
  }

  private static ObjectNode head(String name, String direction, String description, String frame) {
    ObjectNode v = JSON.createObjectNode();
    v.put("name", name).put("description", description).put("direction", direction)
        .put("maxFrameChars", direction.equals("client") ? CLIENT_FRAME_CHARS : SERVER_FRAME_CHARS)
        .put("frame", frame);
    return v;
  }

  // ---- sessions/

  /** One scripted session: configuration, the connections' identities, and steps. */
  static final class Script {
    final String name;
    final String description;
    final PresenceConfig config;
    final Map<String, String> users = new LinkedHashMap<>();
    final List<Object[]> steps = new ArrayList<>();

    Script(String name, String description, PresenceConfig config) {
      this.name = name;
      this.description = description;
      this.config = config;
    }

    Script conn(String id, String user) {
      users.put(id, user);
      return this;
    }

    Script send(long at, String conn, String frame) {
      steps.add(new Object[] {"send", at, conn, frame});
      return this;
    }

    Script disconnect(long at, String conn) {
      steps.add(new Object[] {"disconnect", at, conn});
      return this;
    }

    Script tick(long at) {
      steps.add(new Object[] {"tick", at});
      return this;
    }
  }

  static String join(String room, String state) {
    return "{\"t\":\"p-join\",\"room\":\"" + room + "\",\"state\":" + state + "}";
  }

  static String set(String room, String state) {
    return "{\"t\":\"p-set\",\"room\":\"" + room + "\",\"state\":" + state + "}";
  }

  static String leave(String room) {
    return "{\"t\":\"p-leave\",\"room\":\"" + room + "\"}";
  }

  static String touch(String room) {
    return "{\"t\":\"p-touch\",\"room\":\"" + room + "\"}";
  }

  static List<Script> scripts() {
    PresenceConfig d = PresenceConfig.DEFAULT;
    List<Script> out = new ArrayList<>();
    out.add(new Script("join-snapshot", "A joiner gets a snapshot of the others (even of an empty room) on the next"
        + " tick; the others get the joiner. Nothing is sent on a tick with nothing new.", d)
        .conn("c1", "alice").conn("c2", "bob")
        .send(0, "c1", join("board", "{\"x\":1}"))
        .tick(50)
        .send(60, "c2", join("board", "{\"x\":2}"))
        .tick(100)
        .tick(150));
    out.add(new Script("coalesce-no-echo", "Several updates between two ticks reach each other member as one entry"
        + " with the latest state and clock, in at most one frame per room and tick; nobody gets its own entry;"
        + " an update to an equal state is not broadcast.", d)
        .conn("c1", "alice").conn("c2", "bob").conn("c3", "carol")
        .send(0, "c1", join("board", "{}")).send(0, "c2", join("board", "{}")).send(0, "c3", join("board", "{}"))
        .tick(50)
        .send(51, "c1", set("board", "{\"x\":1}")).send(60, "c1", set("board", "{\"x\":2}"))
        .send(70, "c1", set("board", "{\"x\":3}")).send(80, "c2", set("board", "{\"y\":9}"))
        .tick(100)
        .send(110, "c3", set("board", "{}"))
        .tick(150));
    out.add(new Script("leave-disconnect-rejoin", "A leave and a disconnect are reported as left on the next tick;"
        + " a member that leaves and rejoins within one tick is reported with its new entry (higher clock), not as"
        + " left.", d)
        .conn("c1", "alice").conn("c2", "bob").conn("c3", "carol").conn("c4", "dave")
        .send(0, "c1", join("board", "{}")).send(0, "c2", join("board", "{}")).send(0, "c3", join("board", "{}"))
        .send(0, "c4", join("board", "{}"))
        .tick(50)
        .send(60, "c2", leave("board")).disconnect(61, "c3")
        .send(62, "c4", leave("board")).send(63, "c4", join("board", "{\"back\":true}"))
        .tick(100));
    out.add(new Script("ttl-expiry", "A member silent for the TTL (1000 ms here) is expired on the next tick and"
        + " reported as left; a touch renews the TTL without a broadcast; the expired member's next update is"
        + " refused with not-a-member and it may join again.",
        d.toBuilder().memberTtl(Duration.ofMillis(1000)).build())
        .conn("c1", "alice").conn("c2", "bob")
        .send(0, "c1", join("board", "{}")).send(0, "c2", join("board", "{}"))
        .tick(50)
        .send(600, "c1", touch("board"))
        .tick(650)
        .tick(1000)
        .send(1010, "c2", set("board", "{\"x\":1}"))
        .send(1020, "c2", join("board", "{\"x\":1}"))
        .tick(1050));
    out.add(new Script("rate-limit", "Per member, a token bucket of 'rate' tokens refilled at 'rate' per second (2"
        + " here); join, set and touch take one, leave none. A refused message changes nothing.",
        d.toBuilder().maxUpdatesPerSecond(2).build())
        .conn("c1", "alice").conn("c2", "bob")
        .send(0, "c2", join("board", "{}"))
        .send(0, "c1", join("board", "{}")).send(10, "c1", set("board", "{\"x\":1}"))
        .send(20, "c1", set("board", "{\"x\":2}"))
        .tick(50)
        .send(520, "c1", set("board", "{\"x\":3}"))
        .tick(550));
    out.add(new Script("refusals", "Each refusal has its code and changes nothing: malformed (an identity field),"
        + " invalid-room, not-a-member, already-joined, state-too-large (32 bytes here), room-full (2 members"
        + " here), too-many-rooms (1 room per connection here).",
        d.toBuilder().maxStateBytes(32).maxMembersPerRoom(2).maxRoomsPerConnection(1).build())
        .conn("c1", "alice").conn("c2", "bob").conn("c3", "carol")
        .send(0, "c1", join("board", "{}"))
        .send(1, "c1", "{\"t\":\"p-set\",\"room\":\"board\",\"state\":{},\"user\":\"bob\"}")
        .send(2, "c1", join("no spaces", "{}"))
        .send(3, "c2", set("board", "{}"))
        .send(4, "c1", join("board", "{}"))
        .send(5, "c1", set("board", "{\"s\":\"" + "x".repeat(40) + "\"}"))
        .send(6, "c2", join("board", "{}"))
        .send(7, "c3", join("board", "{}"))
        .send(8, "c1", join("other", "{}"))
        .tick(50));
    return out;
  }

  private void sessions() throws IOException {
    for (Script s : scripts()) {
      write("sessions/" + s.name + ".json", run(s));
    }
  }

  /** Runs a script against a hub and writes the vector: every step with what the hub answered. */
  static ObjectNode run(Script s) {
    PresenceHub hub = new PresenceHub(s.config);
    PresenceCodec codec = PresenceCodec.forClients(s.config);
    ObjectNode v = JSON.createObjectNode();
    v.put("name", s.name).put("description", s.description);
    ObjectNode setup = v.putObject("setup");
    setup.put("namespace", "notes");
    PresenceConfig c = s.config;
    setup.putObject("config").put("tick", c.tick().toMillis()).put("ttl", c.memberTtl().toMillis())
        .put("maxStateBytes", c.maxStateBytes()).put("maxStateDepth", c.maxStateDepth())
        .put("rate", c.maxUpdatesPerSecond()).put("maxRoomsPerNamespace", c.maxRoomsPerNamespace())
        .put("maxMembersPerRoom", c.maxMembersPerRoom()).put("maxRoomsPerConnection", c.maxRoomsPerConnection())
        .put("maxRoomNameLength", c.maxRoomNameLength());
    ObjectNode conns = setup.putObject("connections");
    s.users.forEach(conns::put);
    ArrayNode steps = v.putArray("steps");
    for (Object[] step : s.steps) {
      long at = (Long) step[1];
      ObjectNode n = steps.addObject().put("at", at);
      switch ((String) step[0]) {
        case "send" -> {
          String conn = (String) step[2];
          n.put("conn", conn).put("send", (String) step[3]);
          PresenceException refused = apply(hub, codec, "notes", new MemberIdentity(s.users.get(conn), conn),
              (String) step[3], at);
          if (refused != null) {
            n.set("reply", errorPattern(refused));
          }
        }
        case "disconnect" -> {
          n.put("disconnect", (String) step[2]);
          hub.disconnect((String) step[2], at);
        }
        default -> {
          ObjectNode out = n.putObject("tick");
          Map<String, ArrayNode> byConn = new LinkedHashMap<>();
          for (String conn : s.users.keySet()) {
            byConn.put(conn, JSON.createArrayNode());
          }
          for (Outbound o : hub.tick(at)) {
            byConn.get(o.connectionId()).add(sorted(describe(o.frame())));
          }
          byConn.forEach(out::set);
        }
      }
      hub.checkInvariants();
    }
    return v;
  }

  /** Decodes a client message and applies it to the hub; returns the refusal, or null if accepted. */
  static PresenceException apply(PresenceHub hub, PresenceCodec codec, String ns, MemberIdentity who, String text,
      long at) {
    try {
      ClientMessage m = codec.decodeFromClient(text);
      if (m instanceof Join) {
        hub.join(ns, m.room(), who, ((Join) m).state(), at);
      } else if (m instanceof Update) {
        hub.update(ns, m.room(), who, ((Update) m).state(), at);
      } else if (m instanceof Leave) {
        hub.leave(ns, m.room(), who, at);
      } else if (m instanceof Touch) {
        hub.touch(ns, m.room(), who, at);
      } else {
        throw new PresenceException(Reason.PROTOCOL_VIOLATION, null, "p-hello was already accepted");
      }
      return null;
    } catch (PresenceException e) {
      return e;
    }
  }

  private void write(String file, JsonNode v) throws IOException {
    Path p = dir.resolve(file);
    Files.createDirectories(p.getParent());
    Files.writeString(p, JSON.writeValueAsString(v) + "\n");
  }
}
