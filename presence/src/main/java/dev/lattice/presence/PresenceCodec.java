package dev.lattice.presence;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
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
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON text-frame encoding of {@link PresenceMessage}s. Every message is one JSON object whose
 * {@code "t"} names its type; field order is free on input and fixed on output:
 *
 * <pre>
 * client → server
 *   {"t":"p-hello","ns":"notes","credential":"..."}                       (first, once)
 *   {"t":"p-join","room":"r1","state":{...}}
 *   {"t":"p-set","room":"r1","state":{...}}
 *   {"t":"p-leave","room":"r1"}
 *   {"t":"p-touch","room":"r1"}
 * server → client
 *   {"t":"p-welcome","id":"c1","user":"u1","ttl":30000,"tick":50,"rate":30}
 *   {"t":"p-frame","room":"r1","members":[{"id":"c1","user":"u1","clock":3,"state":{...}}],"left":["c2"],"snapshot":false}
 *   {"t":"p-error","code":"rate-limited","message":"...","room":"r1"}     ("room" absent when there is none)
 * </pre>
 *
 * <p>Decoding is strict: a frame longer than the limit, text that is not one JSON object, an unknown
 * {@code "t"}, a missing, duplicate, unknown or ill-typed field, or trailing content is refused with
 * a {@link PresenceException} naming the problem, and nothing else escapes. In particular client
 * messages have no identity fields; {@code user}, {@code id} and the like are refused with a message
 * saying identity comes from the connection (only {@code p-welcome}, from the server, has them). States are checked to be JSON objects and copied in
 * compact form; their size and depth limits are the hub's ({@link PresenceConfig}), so the codec's
 * parser allows {@value #MAX_DEPTH} levels in all.
 *
 * <p>Encoding writes states verbatim: they were validated when they entered the hub, so a tick
 * does not parse them again. It is hand-written for the same reason (one {@link StringBuilder} per
 * frame).
 *
 * <p>Immutable and thread-safe.
 *
 * <p>The type tag {@code "t"} is the only version marker inside a message; the protocol version is
 * the endpoint's (WebSocket subprotocol), like the other Lattice text protocols' handshake.
 */
public final class PresenceCodec {
  /** Nesting the codec's parser allows: the hub's state depth limit plus the frame's own levels, with room to spare. */
  public static final int MAX_DEPTH = 72;

  /** Frame envelope beyond the state and the room name, for {@link #forClients}: type, field names, quotes. */
  private static final int ENVELOPE = 256;

  private static final Set<String> IDENTITY_FIELDS =
      Set.of("user", "userid", "user_id", "id", "connectionid", "connection_id", "clientid", "client_id",
          "uid", "sub", "from", "sender", "member", "memberid");

  // Bits for the fields seen in one message.
  private static final int T = 1;
  private static final int ROOM = 2;
  private static final int STATE = 4;
  private static final int MEMBERS = 8;
  private static final int LEFT = 16;
  private static final int SNAPSHOT = 32;
  private static final int CODE = 64;
  private static final int MESSAGE = 128;
  private static final int NS = 256;
  private static final int CREDENTIAL = 512;
  private static final int ID = 1024;
  private static final int USER = 2048;
  private static final int TTL = 4096;
  private static final int TICK = 8192;
  private static final int RATE = 16384;
  /** Field names by bit number, for error messages. */
  private static final String[] NAMES =
      {"t", "room", "state", "members", "left", "snapshot", "code", "message", "ns", "credential", "id", "user",
          "ttl", "tick", "rate"};

  private final int maxFrameLength;
  private final JsonFactory factory;

  /**
   * @param maxFrameLength the longest text frame decoded, in characters; longer ones are refused
   *     with FRAME_TOO_LARGE before parsing
   */
  public PresenceCodec(int maxFrameLength) {
    if (maxFrameLength < 16) {
      throw new IllegalArgumentException("maxFrameLength must be at least 16: " + maxFrameLength);
    }
    this.maxFrameLength = maxFrameLength;
    this.factory = Json.factory(MAX_DEPTH, maxFrameLength);
  }

  /**
   * A codec for the edge's inbound side: frames as long as the longest valid client message (a state
   * of {@link PresenceConfig#maxStateBytes()} and a room name of the longest length) plus a margin.
   * States with whitespace in them may be refused here a little before the hub would.
   */
  public static PresenceCodec forClients(PresenceConfig config) {
    return new PresenceCodec(config.maxStateBytes() + config.maxRoomNameLength() + ENVELOPE);
  }

  public int maxFrameLength() {
    return maxFrameLength;
  }

  // ---- encoding

  /** The message's JSON text. States are written verbatim (they must be JSON object text). */
  public String encode(PresenceMessage message) {
    if (message instanceof PresenceFrame) {
      return encode((PresenceFrame) message);
    }
    StringBuilder b = new StringBuilder(64);
    if (message instanceof Join) {
      Join j = (Join) message;
      head(b, "p-join", j.room()).append(",\"state\":").append(j.state());
    } else if (message instanceof Update) {
      Update u = (Update) message;
      head(b, "p-set", u.room()).append(",\"state\":").append(u.state());
    } else if (message instanceof Leave) {
      head(b, "p-leave", message.room());
    } else if (message instanceof Touch) {
      head(b, "p-touch", message.room());
    } else if (message instanceof Hello) {
      Hello h = (Hello) message;
      b.append("{\"t\":\"p-hello\",\"ns\":");
      Json.quote(b, h.namespace());
      b.append(",\"credential\":");
      Json.quote(b, h.credential());
    } else if (message instanceof Welcome) {
      Welcome w = (Welcome) message;
      b.append("{\"t\":\"p-welcome\",\"id\":");
      Json.quote(b, w.connectionId());
      b.append(",\"user\":");
      Json.quote(b, w.userId());
      b.append(",\"ttl\":").append(w.ttlMillis()).append(",\"tick\":").append(w.tickMillis())
          .append(",\"rate\":").append(w.maxUpdatesPerSecond());
    } else {
      ErrorMessage e = (ErrorMessage) message;
      b.append("{\"t\":\"p-error\",\"code\":");
      Json.quote(b, e.reason().code());
      b.append(",\"message\":");
      Json.quote(b, e.message());
      if (e.room() != null) {
        b.append(",\"room\":");
        Json.quote(b, e.room());
      }
    }
    return b.append('}').toString();
  }

  /** A frame's JSON text, with each state copied verbatim. */
  public String encode(PresenceFrame frame) {
    return encode(frame, null).text();
  }

  /**
   * The texts of one tick's frames, in order. Equal to encoding each frame alone, but each member
   * entry is written once for the whole tick and copied into every frame that carries it: the hub
   * shares entry objects between the frames of a tick, and in a busy room every subscriber's frame
   * holds nearly the same entries, so this turns O(changes × subscribers) JSON writing into
   * O(changes) writing plus copying.
   */
  public List<String> encodeAll(List<Outbound> tick) {
    List<Encoded> encoded = encodeTick(tick);
    List<String> out = new ArrayList<>(encoded.size());
    for (Encoded e : encoded) {
      out.add(e.text());
    }
    return out;
  }

  /**
   * A frame's text and its length in UTF-8, the bytes it takes on the wire.
   *
   * @param text the JSON text
   * @param utf8Length its UTF-8 length (exact for valid text; an unpaired surrogate, which states
   *     cannot hold, is counted as 3 bytes)
   */
  public record Encoded(String text, long utf8Length) {}

  /**
   * {@link #encodeAll} with each frame's UTF-8 length, counted without another pass over the
   * frame: each entry's length is counted once for the tick, like its text.
   */
  public List<Encoded> encodeTick(List<Outbound> tick) {
    Map<PresenceFrame.Entry, Written> written = new IdentityHashMap<>();
    List<Encoded> out = new ArrayList<>(tick.size());
    for (Outbound o : tick) {
      out.add(encode(o.frame(), written));
    }
    return out;
  }

  /** An entry's text and UTF-8 length, written once per tick. */
  private record Written(String text, int utf8Length) {}

  private static Encoded encode(PresenceFrame frame, Map<PresenceFrame.Entry, Written> written) {
    int size = 64 + frame.room().length();
    for (PresenceFrame.Entry e : frame.members()) {
      size += 48 + e.id().length() + e.user().length() + e.state().length();
    }
    StringBuilder b = new StringBuilder(size);
    head(b, "p-frame", frame.room()).append(",\"members\":[");
    int headEnd = b.length();
    long entryBytes = 0;
    List<PresenceFrame.Entry> members = frame.members();
    for (int i = 0; i < members.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      PresenceFrame.Entry e = members.get(i);
      if (written == null) {
        entry(b, e);
      } else {
        Written w = written.get(e);
        if (w == null) {
          StringBuilder one = new StringBuilder(48 + e.id().length() + e.user().length() + e.state().length());
          String text = entry(one, e).toString();
          w = new Written(text, Json.utf8Length(text));
          written.put(e, w);
        }
        b.append(w.text());
        entryBytes += w.utf8Length();
      }
    }
    int tailStart = b.length();
    b.append("],\"left\":[");
    List<String> left = frame.left();
    for (int i = 0; i < left.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      Json.quote(b, left.get(i));
    }
    b.append("],\"snapshot\":").append(frame.snapshot()).append('}');
    String text = b.toString();
    long bytes = written == null ? Json.utf8Length(text)
        : Json.utf8Length(text, 0, headEnd) + entryBytes + Math.max(0, members.size() - 1)
            + Json.utf8Length(text, tailStart, text.length());
    return new Encoded(text, bytes);
  }

  private static StringBuilder entry(StringBuilder b, PresenceFrame.Entry e) {
    b.append("{\"id\":");
    Json.quote(b, e.id());
    b.append(",\"user\":");
    Json.quote(b, e.user());
    return b.append(",\"clock\":").append(e.clock()).append(",\"state\":").append(e.state()).append('}');
  }

  private static StringBuilder head(StringBuilder b, String type, String room) {
    b.append("{\"t\":\"").append(type).append("\",\"room\":");
    Json.quote(b, room);
    return b;
  }

  // ---- decoding

  /**
   * Decodes a message a client sent; server message types are refused.
   *
   * @throws PresenceException FRAME_TOO_LARGE or MALFORMED, naming the problem
   */
  public ClientMessage decodeFromClient(String text) throws PresenceException {
    PresenceMessage m = decode(text);
    if (!(m instanceof ClientMessage)) {
      throw malformed("a client may not send " + type(m));
    }
    return (ClientMessage) m;
  }

  /**
   * Decodes any presence message (a Java client reads frames with this).
   *
   * @throws PresenceException FRAME_TOO_LARGE or MALFORMED, naming the problem
   */
  public PresenceMessage decode(String text) throws PresenceException {
    if (text == null) {
      throw malformed("no text");
    }
    if (text.length() > maxFrameLength) {
      throw new PresenceException(Reason.FRAME_TOO_LARGE, null,
          "frame is " + text.length() + " characters, over the limit of " + maxFrameLength);
    }
    try (JsonParser p = factory.createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw malformed("a message must be a JSON object");
      }
      Fields f = new Fields();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        field(p, f);
      }
      if (p.nextToken() != null) {
        throw malformed("trailing content after the message");
      }
      return build(f);
    } catch (JsonProcessingException e) {
      throw malformed(Json.describe(e));
    } catch (IOException | RuntimeException e) {
      // A String source does no I/O, and Jackson should not throw unchecked on bad input; if it
      // does, the client still gets "malformed", never a broken connection handler.
      throw malformed("cannot parse: " + e);
    }
  }

  /** What one message held, before its type decides which fields it may have. */
  private static final class Fields {
    int seen;
    String t;
    String room;
    String state;
    List<PresenceFrame.Entry> members;
    List<String> left;
    boolean snapshot;
    String code;
    String message;
    String ns;
    String credential;
    String id;
    String user;
    long ttl;
    long tick;
    long rate;
  }

  private void field(JsonParser p, Fields f) throws IOException, PresenceException {
    String name = p.currentName();
    JsonToken v = p.nextToken();
    switch (name) {
      case "t":
        f.t = string(p, v, "t");
        f.seen |= T;
        break;
      case "room":
        f.room = string(p, v, "room");
        f.seen |= ROOM;
        break;
      case "state":
        f.state = object(p, v, "state", f.room);
        f.seen |= STATE;
        break;
      case "members":
        f.members = members(p, v);
        f.seen |= MEMBERS;
        break;
      case "left":
        f.left = strings(p, v, "left");
        f.seen |= LEFT;
        break;
      case "snapshot":
        if (v != JsonToken.VALUE_TRUE && v != JsonToken.VALUE_FALSE) {
          throw wrongType("snapshot", "a boolean", v);
        }
        f.snapshot = v == JsonToken.VALUE_TRUE;
        f.seen |= SNAPSHOT;
        break;
      case "code":
        f.code = string(p, v, "code");
        f.seen |= CODE;
        break;
      case "message":
        f.message = string(p, v, "message");
        f.seen |= MESSAGE;
        break;
      case "ns":
        f.ns = string(p, v, "ns");
        f.seen |= NS;
        break;
      case "credential":
        f.credential = string(p, v, "credential");
        f.seen |= CREDENTIAL;
        break;
      case "id":
        f.id = string(p, v, "id");
        f.seen |= ID;
        break;
      case "user":
        f.user = string(p, v, "user");
        f.seen |= USER;
        break;
      case "ttl":
        f.ttl = positive(p, v, "ttl", Long.MAX_VALUE);
        f.seen |= TTL;
        break;
      case "tick":
        f.tick = positive(p, v, "tick", Long.MAX_VALUE);
        f.seen |= TICK;
        break;
      case "rate":
        f.rate = positive(p, v, "rate", Integer.MAX_VALUE);
        f.seen |= RATE;
        break;
      default:
        throw unknownField(name, "");
    }
  }

  private PresenceMessage build(Fields f) throws PresenceException {
    if ((f.seen & T) == 0) {
      throw malformed("field 't' is missing");
    }
    switch (f.t) {
      case "p-hello":
        only(f, T | NS | CREDENTIAL, T | NS | CREDENTIAL);
        return new Hello(f.ns, f.credential);
      case "p-welcome":
        only(f, T | ID | USER | TTL | TICK | RATE, T | ID | USER | TTL | TICK | RATE);
        return new Welcome(f.id, f.user, f.ttl, f.tick, (int) f.rate);
      case "p-join":
        only(f, T | ROOM | STATE, T | ROOM | STATE);
        return new Join(f.room, f.state);
      case "p-set":
        only(f, T | ROOM | STATE, T | ROOM | STATE);
        return new Update(f.room, f.state);
      case "p-leave":
        only(f, T | ROOM, T | ROOM);
        return new Leave(f.room);
      case "p-touch":
        only(f, T | ROOM, T | ROOM);
        return new Touch(f.room);
      case "p-frame":
        only(f, T | ROOM | MEMBERS | LEFT | SNAPSHOT, T | ROOM | MEMBERS | LEFT | SNAPSHOT);
        return new PresenceFrame(f.room, f.members, f.left, f.snapshot);
      case "p-error":
        only(f, T | CODE | MESSAGE, T | CODE | MESSAGE | ROOM);
        Reason reason = Reason.ofCode(f.code)
            .orElseThrow(() -> malformed("unknown error code '" + excerpt(f.code) + "'"));
        return new ErrorMessage(reason, f.message, f.room);
      default:
        throw malformed("unknown message type '" + excerpt(f.t) + "'");
    }
  }

  private static void only(Fields f, int required, int allowed) throws PresenceException {
    // Refused fields first: a spoofed identity is reported as such even when something is missing too.
    for (int i = 0; i < NAMES.length; i++) {
      int bit = 1 << i;
      if ((allowed & bit) == 0 && (f.seen & bit) != 0) {
        if ((bit & (ID | USER)) != 0) {
          throw malformed("field '" + NAMES[i] + "' is not allowed in " + f.t
              + ": identity comes from the connection's token");
        }
        throw malformed("field '" + NAMES[i] + "' is not part of " + f.t);
      }
    }
    for (int i = 0; i < NAMES.length; i++) {
      int bit = 1 << i;
      if ((required & bit) != 0 && (f.seen & bit) == 0) {
        throw malformed("field '" + NAMES[i] + "' is missing from " + f.t);
      }
    }
  }

  /** A positive integer of at most {@code max}. */
  private static long positive(JsonParser p, JsonToken v, String name, long max) throws IOException, PresenceException {
    if (v != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
        || p.getLongValue() < 1 || p.getLongValue() > max) {
      throw malformed("field '" + name + "' must be an integer from 1 to " + max);
    }
    return p.getLongValue();
  }

  private List<PresenceFrame.Entry> members(JsonParser p, JsonToken v) throws IOException, PresenceException {
    if (v != JsonToken.START_ARRAY) {
      throw wrongType("members", "an array", v);
    }
    List<PresenceFrame.Entry> out = new ArrayList<>();
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t != JsonToken.START_OBJECT) {
        throw wrongType("members[" + out.size() + "]", "an object", t);
      }
      String where = "members[" + out.size() + "]";
      String id = null;
      String user = null;
      String state = null;
      long clock = -1;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken fv = p.nextToken();
        switch (name) {
          case "id":
            id = string(p, fv, where + ".id");
            break;
          case "user":
            user = string(p, fv, where + ".user");
            break;
          case "clock":
            if (fv != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                || p.getLongValue() < 0) {
              throw malformed("field '" + where + ".clock' must be a non-negative 64-bit integer");
            }
            clock = p.getLongValue();
            break;
          case "state":
            state = object(p, fv, where + ".state", null);
            break;
          default:
            throw unknownField(name, where + ".");
        }
      }
      if (id == null || user == null || clock < 0 || state == null) {
        throw malformed("field '" + where + "' needs id, user, clock and state");
      }
      out.add(new PresenceFrame.Entry(id, user, clock, state));
    }
    return out;
  }

  private static List<String> strings(JsonParser p, JsonToken v, String name) throws IOException, PresenceException {
    if (v != JsonToken.START_ARRAY) {
      throw wrongType(name, "an array", v);
    }
    List<String> out = new ArrayList<>();
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      out.add(string(p, t, name + "[" + out.size() + "]"));
    }
    return out;
  }

  private static String string(JsonParser p, JsonToken v, String name) throws IOException, PresenceException {
    if (v != JsonToken.VALUE_STRING) {
      throw wrongType(name, "a string", v);
    }
    return p.getText();
  }

  private String object(JsonParser p, JsonToken v, String name, String room) throws IOException, PresenceException {
    if (v != JsonToken.START_OBJECT) {
      throw wrongType(name, "a JSON object", v);
    }
    return Json.copyCompact(factory, p, room);
  }

  private static PresenceException unknownField(String name, String prefix) {
    if (IDENTITY_FIELDS.contains(name.toLowerCase(java.util.Locale.ROOT)) && !prefix.startsWith("members")) {
      return malformed("field '" + excerpt(name) + "' is not allowed: identity comes from the connection's token");
    }
    return malformed("unknown field '" + prefix + excerpt(name) + "'");
  }

  private static PresenceException wrongType(String name, String expected, JsonToken got) {
    return malformed("field '" + name + "' must be " + expected + ", got "
        + (got == null ? "nothing" : StateValidator.describe(got)));
  }

  private static PresenceException malformed(String detail) {
    return new PresenceException(Reason.MALFORMED, null, detail);
  }

  private static String excerpt(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  private static String type(PresenceMessage m) {
    return m instanceof PresenceFrame ? "p-frame" : m instanceof Welcome ? "p-welcome" : "p-error";
  }
}
