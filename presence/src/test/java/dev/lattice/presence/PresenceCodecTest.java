package dev.lattice.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.presence.PresenceException.Reason;
import dev.lattice.presence.PresenceMessage.ErrorMessage;
import dev.lattice.presence.PresenceMessage.Hello;
import dev.lattice.presence.PresenceMessage.Join;
import dev.lattice.presence.PresenceMessage.Leave;
import dev.lattice.presence.PresenceMessage.Touch;
import dev.lattice.presence.PresenceMessage.Update;
import dev.lattice.presence.PresenceMessage.Welcome;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The wire encoding: exact texts, round trips, strictness, and a fuzz that only ever yields PresenceException. */
class PresenceCodecTest {
  private final PresenceCodec codec = new PresenceCodec(4096);

  static LongStream seeds() {
    return Seeds.seeds();
  }

  private PresenceException refusal(String text) {
    try {
      PresenceMessage m = codec.decode(text);
      throw new AssertionError("accepted " + text + " as " + m);
    } catch (PresenceException e) {
      return e;
    }
  }

  private void malformed(String text, String mentioning) {
    PresenceException e = refusal(text);
    assertThat(e.reason()).as(text).isEqualTo(Reason.MALFORMED);
    assertThat(e.detail()).as(text).contains(mentioning);
  }

  // ---- exact texts (these are the contract; change them only with the protocol document)

  @Test
  void clientMessagesHaveTheirDocumentedText() throws Exception {
    assertThat(codec.encode(new Join("r1", "{\"x\":1}"))).isEqualTo("{\"t\":\"p-join\",\"room\":\"r1\",\"state\":{\"x\":1}}");
    assertThat(codec.encode(new Update("r1", "{}"))).isEqualTo("{\"t\":\"p-set\",\"room\":\"r1\",\"state\":{}}");
    assertThat(codec.encode(new Leave("r1"))).isEqualTo("{\"t\":\"p-leave\",\"room\":\"r1\"}");
    assertThat(codec.encode(new Touch("r1"))).isEqualTo("{\"t\":\"p-touch\",\"room\":\"r1\"}");
    assertThat(codec.decodeFromClient(" { \"state\" : { \"x\" : [1, 2.50] } , \"room\":\"r1\", \"t\":\"p-set\" } "))
        .isEqualTo(new Update("r1", "{\"x\":[1,2.50]}"));
  }

  @Test
  void serverMessagesHaveTheirDocumentedText() throws Exception {
    PresenceFrame f = new PresenceFrame("r1", List.of(new PresenceFrame.Entry("c1", "u1", 3, "{\"x\":1}"),
        new PresenceFrame.Entry("c3", "u\"2", 4, "{}")), List.of("c2"), false);
    String text = "{\"t\":\"p-frame\",\"room\":\"r1\",\"members\":[{\"id\":\"c1\",\"user\":\"u1\",\"clock\":3,"
        + "\"state\":{\"x\":1}},{\"id\":\"c3\",\"user\":\"u\\\"2\",\"clock\":4,\"state\":{}}],\"left\":[\"c2\"],"
        + "\"snapshot\":false}";
    assertThat(codec.encode(f)).isEqualTo(text);
    assertThat(codec.decode(text)).isEqualTo(f);
    assertThat(codec.encode(new PresenceFrame("r1", List.of(), List.of(), true)))
        .isEqualTo("{\"t\":\"p-frame\",\"room\":\"r1\",\"members\":[],\"left\":[],\"snapshot\":true}");
    assertThat(codec.encode(new ErrorMessage(Reason.RATE_LIMITED, "slow down", "r1")))
        .isEqualTo("{\"t\":\"p-error\",\"code\":\"rate-limited\",\"message\":\"slow down\",\"room\":\"r1\"}");
    assertThat(codec.encode(new ErrorMessage(Reason.MALFORMED, "bad", null)))
        .isEqualTo("{\"t\":\"p-error\",\"code\":\"malformed\",\"message\":\"bad\"}");
  }

  @Test
  void helloAndWelcomeHaveTheirDocumentedText() throws Exception {
    String hello = "{\"t\":\"p-hello\",\"ns\":\"notes\",\"credential\":\"key-1\"}";
    assertThat(codec.encode(new Hello("notes", "key-1"))).isEqualTo(hello);
    assertThat(codec.decodeFromClient(hello)).isEqualTo(new Hello("notes", "key-1"));
    assertThat(codec.decodeFromClient("{\"credential\":\"\",\"ns\":\"n\",\"t\":\"p-hello\"}"))
        .isEqualTo(new Hello("n", ""));
    String welcome = "{\"t\":\"p-welcome\",\"id\":\"c1\",\"user\":\"alice\",\"ttl\":30000,\"tick\":50,\"rate\":30}";
    Welcome w = Welcome.of(new MemberIdentity("alice", "c1"), PresenceConfig.DEFAULT);
    assertThat(w).isEqualTo(new Welcome("c1", "alice", 30_000, 50, 30));
    assertThat(codec.encode(w)).isEqualTo(welcome);
    assertThat(codec.decode(welcome)).isEqualTo(w);
    assertThat(w.room()).isNull();
    assertThat(new Hello("n", "c").room()).isNull();
  }

  @Test
  void helloNeverShowsItsCredential() {
    assertThat(new Hello("notes", "secret-key-123").toString()).doesNotContain("secret").contains("notes");
  }

  @Test
  void helloAndWelcomeAreStrict() {
    malformed("{\"t\":\"p-hello\",\"ns\":\"n\"}", "field 'credential' is missing from p-hello");
    malformed("{\"t\":\"p-hello\",\"credential\":\"k\"}", "field 'ns' is missing from p-hello");
    malformed("{\"t\":\"p-hello\",\"ns\":\"n\",\"credential\":\"k\",\"room\":\"r\"}",
        "field 'room' is not part of p-hello");
    malformed("{\"t\":\"p-hello\",\"ns\":\"n\",\"credential\":null}", "field 'credential' must be a string");
    malformed("{\"t\":\"p-join\",\"room\":\"r\",\"state\":{},\"ns\":\"n\"}", "field 'ns' is not part of p-join");
    malformed("{\"t\":\"p-welcome\",\"id\":\"c\",\"user\":\"u\",\"ttl\":0,\"tick\":50,\"rate\":30}",
        "field 'ttl' must be an integer from 1");
    malformed("{\"t\":\"p-welcome\",\"id\":\"c\",\"user\":\"u\",\"ttl\":1,\"tick\":50,\"rate\":3000000000}",
        "field 'rate' must be an integer from 1 to 2147483647");
    malformed("{\"t\":\"p-welcome\",\"id\":\"c\",\"user\":\"u\",\"ttl\":1,\"tick\":1.5,\"rate\":3}",
        "field 'tick'");
    malformed("{\"t\":\"p-welcome\",\"id\":\"c\",\"ttl\":1,\"tick\":5,\"rate\":3}",
        "field 'user' is missing from p-welcome");
    assertThatThrownBy(() -> codec.decodeFromClient(
        "{\"t\":\"p-welcome\",\"id\":\"c\",\"user\":\"u\",\"ttl\":1,\"tick\":5,\"rate\":3}"))
        .isInstanceOfSatisfying(PresenceException.class,
            e -> assertThat(e.detail()).isEqualTo("a client may not send p-welcome"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"p-hello", "p-join", "p-set", "p-leave", "p-touch"})
  void aClientMessageNamingAUserOrIdIsRefusedAsSpoofing(String type) {
    String base = type.equals("p-hello") ? "\"ns\":\"n\",\"credential\":\"k\""
        : type.equals("p-join") || type.equals("p-set") ? "\"room\":\"r\",\"state\":{}" : "\"room\":\"r\"";
    for (String field : new String[] {"user", "id"}) {
      PresenceException e = refusal("{\"t\":\"" + type + "\"," + base + ",\"" + field + "\":\"bob\"}");
      assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
      assertThat(e.detail()).isEqualTo("field '" + field + "' is not allowed in " + type
          + ": identity comes from the connection's token");
      // Reported as spoofing even when the message is incomplete besides.
      assertThat(refusal("{\"t\":\"" + type + "\",\"" + field + "\":\"bob\"}").detail()).contains("identity");
    }
  }

  @Test
  void aRefusalBecomesAnErrorMessage() {
    PresenceException e = new PresenceException(Reason.ROOM_FULL, "r1", "room has 2 members, the limit");
    assertThat(codec.encode(ErrorMessage.of(e)))
        .isEqualTo("{\"t\":\"p-error\",\"code\":\"room-full\",\"message\":\"room has 2 members, the limit\",\"room\":\"r1\"}");
  }

  @Test
  void encodingATickAtOnceEqualsEncodingEachFrame() throws Exception {
    PresenceHub hub = new PresenceHub(PresenceConfig.DEFAULT);
    for (int i = 0; i < 6; i++) {
      hub.join("ns", "r1", new MemberIdentity("u" + i, "c" + i), "{\"i\":" + i + "}", 0);
    }
    hub.join("ns", "r2", new MemberIdentity("u0", "c0"), "{}", 0);
    hub.join("ns", "r2", new MemberIdentity("u\"7", "c\n7"), "{}", 0);
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 6; i += 1 + round) {
        hub.update("ns", "r1", new MemberIdentity("u" + i, "c" + i), "{\"i\":" + i + ",\"r\":" + round + "}", round);
      }
      List<Outbound> out = hub.tick(round * 50 + 50);
      assertThat(codec.encodeAll(out)).isEqualTo(out.stream().map(o -> codec.encode(o.frame())).toList());
    }
  }

  @Test
  void encodeTickCountsEachFramesUtf8Bytes() throws Exception {
    PresenceHub hub = new PresenceHub(PresenceConfig.DEFAULT);
    String[] users = {"ascii", "Zo\u00eb", "\u5f20\u4f1f", "emoji\ud83d\ude00", "q\"uote\\"};
    for (int i = 0; i < users.length; i++) {
      hub.join("ns", "r1", new MemberIdentity(users[i], "c" + i), "{\"n\":\"caf\u00e9 " + i + " \ud83d\ude00\"}", 0);
    }
    for (int t = 1; t <= 3; t++) {
      hub.update("ns", "r1", new MemberIdentity(users[t], "c" + t), "{\"t\":" + t + ",\"s\":\"\u00fc\"}", t * 50 - 10);
      hub.leave("ns", "r1", new MemberIdentity(users[t + 1], "c" + (t + 1)), t * 50 - 5);
      hub.join("ns", "r1", new MemberIdentity(users[t + 1], "c" + (t + 1)), "{}", t * 50 - 5);
      List<Outbound> out = hub.tick(t * 50);
      List<PresenceCodec.Encoded> encoded = codec.encodeTick(out);
      assertThat(encoded).extracting(PresenceCodec.Encoded::text).isEqualTo(codec.encodeAll(out));
      for (PresenceCodec.Encoded e : encoded) {
        assertThat(e.utf8Length()).as(e.text()).isEqualTo(e.text().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
      }
    }
  }

  // ---- strictness

  @Test
  void unknownFieldsAreRefused() {
    malformed("{\"t\":\"p-set\",\"room\":\"r\",\"state\":{},\"extra\":1}", "unknown field 'extra'");
    malformed("{\"t\":\"p-frame\",\"room\":\"r\",\"members\":[{\"id\":\"c\",\"user\":\"u\",\"clock\":1,\"state\":{},"
        + "\"x\":1}],\"left\":[],\"snapshot\":false}", "unknown field 'members[0].x'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"user", "id", "userId", "connectionId", "clientId", "from", "UID"})
  void identityFieldsAreRefusedWithAReason(String field) {
    malformed("{\"t\":\"p-set\",\"room\":\"r\",\"state\":{},\"" + field + "\":\"bob\"}",
        "identity comes from the connection");
    malformed("{\"" + field + "\":\"bob\",\"t\":\"p-join\",\"room\":\"r\",\"state\":{}}", "identity");
  }

  @Test
  void wrongTypesAreRefusedNamingTheField() {
    malformed("{\"t\":\"p-leave\",\"room\":7}", "field 'room' must be a string, got a number");
    malformed("{\"t\":\"p-set\",\"room\":\"r\",\"state\":[1]}", "field 'state' must be a JSON object, got an array");
    malformed("{\"t\":\"p-set\",\"room\":\"r\",\"state\":\"{}\"}", "field 'state' must be a JSON object, got a string");
    malformed("{\"t\":\"p-set\",\"room\":\"r\",\"state\":null}", "got null");
    malformed("{\"t\":true,\"room\":\"r\"}", "field 't' must be a string");
    malformed("{\"t\":\"p-frame\",\"room\":\"r\",\"members\":[],\"left\":[],\"snapshot\":\"yes\"}",
        "field 'snapshot' must be a boolean");
    malformed("{\"t\":\"p-frame\",\"room\":\"r\",\"members\":{},\"left\":[],\"snapshot\":true}",
        "field 'members' must be an array");
    malformed("{\"t\":\"p-frame\",\"room\":\"r\",\"members\":[],\"left\":[1],\"snapshot\":true}", "field 'left[0]'");
    for (String clock : new String[] {"-1", "1.5", "\"3\"", "99999999999999999999"}) {
      malformed("{\"t\":\"p-frame\",\"room\":\"r\",\"members\":[{\"id\":\"c\",\"user\":\"u\",\"clock\":" + clock
          + ",\"state\":{}}],\"left\":[],\"snapshot\":true}", "clock");
    }
  }

  @Test
  void missingMisplacedAndDuplicateFieldsAreRefused() {
    malformed("{\"t\":\"p-join\",\"room\":\"r\"}", "field 'state' is missing from p-join");
    malformed("{\"room\":\"r\"}", "field 't' is missing");
    malformed("{\"t\":\"p-leave\",\"room\":\"r\",\"state\":{}}", "field 'state' is not part of p-leave");
    malformed("{\"t\":\"p-touch\",\"room\":\"r\",\"room\":\"s\"}", "Duplicate field 'room'");
    malformed("{\"t\":\"p-frame\",\"room\":\"r\",\"members\":[{\"id\":\"c\",\"clock\":1,\"state\":{}}],\"left\":[],"
        + "\"snapshot\":true}", "needs id, user, clock and state");
    malformed("{\"t\":\"p-error\",\"code\":\"teapot\",\"message\":\"m\"}", "unknown error code 'teapot'");
  }

  @Test
  void unknownTypesAndNonMessagesAreRefused() {
    malformed("{\"t\":\"p-foo\",\"room\":\"r\"}", "unknown message type 'p-foo'");
    malformed("", "a message must be a JSON object");
    malformed("[]", "a message must be a JSON object");
    malformed("\"p-join\"", "a message must be a JSON object");
    malformed("{\"t\":\"p-leave\",\"room\":\"r\"}{}", "trailing content");
    malformed("{\"t\":\"p-leave\",\"room\":\"r\"} x", "not JSON");
    malformed("{\"t\":\"p-leave\",\"room\":\"r\"", "not JSON");
    malformed("{\"t\":\"p-set\",\"room\":\"r\",\"state\":{\"a\":\"\\udc00\"}}", "unpaired surrogate");
    malformed("{\"t\":\"p-set\",\"room\":\"r\",\"state\":" + "[".repeat(100) + "]".repeat(100) + "}",
        "must be a JSON object");
    malformed("{\"t\":\"p-set\",\"room\":\"r\",\"state\":{\"a\":" + "[".repeat(100) + "]".repeat(100) + "}}",
        "nesting depth");
    assertThatThrownBy(() -> codec.decode(null)).isInstanceOf(PresenceException.class);
  }

  @Test
  void aClientMayNotSendServerMessages() {
    assertThatThrownBy(() -> codec.decodeFromClient("{\"t\":\"p-frame\",\"room\":\"r\",\"members\":[],\"left\":[],"
        + "\"snapshot\":true}")).isInstanceOfSatisfying(PresenceException.class,
            e -> assertThat(e.detail()).isEqualTo("a client may not send p-frame"));
    assertThatThrownBy(() -> codec.decodeFromClient("{\"t\":\"p-error\",\"code\":\"malformed\",\"message\":\"m\"}"))
        .isInstanceOf(PresenceException.class);
  }

  @Test
  void aFrameOverTheLimitIsRefusedBeforeParsing() throws Exception {
    PresenceCodec small = PresenceCodec.forClients(PresenceConfig.builder().maxStateBytes(64).maxRoomNameLength(16).build());
    assertThat(small.maxFrameLength()).isEqualTo(64 + 16 + 256);
    String ok = "{\"t\":\"p-set\",\"room\":\"" + "r".repeat(16) + "\",\"state\":{\"s\":\"" + "x".repeat(56) + "\"}}";
    assertThat(small.decodeFromClient(ok)).isInstanceOf(Update.class);
    String big = "{\"t\":\"p-set\",\"room\":\"r\",\"state\":{\"s\":\"" + "x".repeat(400) + "\"}}";
    assertThatThrownBy(() -> small.decode(big)).isInstanceOfSatisfying(PresenceException.class, e -> {
      assertThat(e.reason()).isEqualTo(Reason.FRAME_TOO_LARGE);
      assertThat(e.detail()).contains("over the limit of 336");
    });
  }

  // ---- round trips and fuzz

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void everyMessageRoundTrips(long seed) throws Exception {
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < 20; i++) {
      PresenceMessage m = message(r);
      String text = codec.encode(m);
      assertThat(codec.decode(text)).as("seed %d: %s", seed, text).isEqualTo(m);
      assertThat(codec.encode(codec.decode(text))).as("seed %d", seed).isEqualTo(text);
    }
  }

  /**
   * Mutated valid messages and random text: decoding returns a message or throws PresenceException,
   * nothing else; what decodes re-encodes to something that decodes equal; and a decoded client
   * message fed to a hub is accepted or refused with PresenceException, nothing else.
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void fuzzedInputOnlyEverYieldsPresenceException(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    PresenceCodec small = new PresenceCodec(512);
    PresenceHub hub = new PresenceHub(PresenceConfig.builder().maxStateBytes(200).build());
    MemberIdentity who = new MemberIdentity("u", "c");
    for (int i = 0; i < 60; i++) {
      String text = r.nextInt(8) == 0 ? randomText(r) : mutate(r, codec.encode(message(r)));
      PresenceMessage m;
      try {
        m = small.decode(text);
      } catch (PresenceException e) {
        assertThat(e.detail()).as("seed %d: %s", seed, text).isNotBlank();
        continue;
      } catch (RuntimeException e) {
        throw new AssertionError("seed " + seed + ": " + e + " decoding " + text, e);
      }
      try {
        assertThat(small.decode(small.encode(m))).as("seed %d: %s", seed, text).isEqualTo(m);
        if (m instanceof Join) {
          hub.join("ns", m.room(), who, ((Join) m).state(), i);
        } else if (m instanceof Update) {
          hub.update("ns", m.room(), who, ((Update) m).state(), i);
        } else if (m instanceof Leave) {
          hub.leave("ns", m.room(), who, i);
        } else if (m instanceof Touch) {
          hub.touch("ns", m.room(), who, i);
        }
      } catch (PresenceException e) {
        // refused by the hub: fine
      } catch (RuntimeException e) {
        throw new AssertionError("seed " + seed + ": " + e + " on " + text, e);
      }
      hub.tick(i);
      hub.checkInvariants();
    }
  }

  // ---- generators

  static PresenceMessage message(SplittableRandom r) {
    switch (r.nextInt(8)) {
      case 6:
        return new Hello(text(r, 10), text(r, 20));
      case 7:
        return new Welcome(text(r, 8), text(r, 8), 1 + r.nextLong(Long.MAX_VALUE - 1), 1 + r.nextInt(1000),
            1 + r.nextInt(Integer.MAX_VALUE - 1));
      case 0:
        return new Join(text(r, 12), state(r));
      case 1:
        return new Update(room(r), state(r));
      case 2:
        return new Leave(room(r));
      case 3:
        return new Touch(text(r, 8));
      case 4: {
        List<PresenceFrame.Entry> members = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
          members.add(new PresenceFrame.Entry(text(r, 6), text(r, 6), r.nextLong(Long.MAX_VALUE), state(r)));
        }
        List<String> left = new ArrayList<>();
        for (int i = r.nextInt(3); i > 0; i--) {
          left.add(text(r, 6));
        }
        return new PresenceFrame(room(r), members, left, r.nextBoolean());
      }
      default: {
        Reason[] reasons = Reason.values();
        return new ErrorMessage(reasons[r.nextInt(reasons.length)], text(r, 30), r.nextBoolean() ? null : room(r));
      }
    }
  }

  static String room(SplittableRandom r) {
    return r.nextInt(4) == 0 ? text(r, 10) : "r" + r.nextInt(5);
  }

  /** Any characters: quotes, backslashes, controls, non-ASCII, surrogate pairs, even unpaired surrogates. */
  static String text(SplittableRandom r, int max) {
    StringBuilder b = new StringBuilder();
    for (int i = r.nextInt(max + 1); i > 0; i--) {
      switch (r.nextInt(8)) {
        case 0:
          String specials = "\"\\/\n\t\u0000\u001f";
          b.append(specials.charAt(r.nextInt(specials.length())));
          break;
        case 1:
          b.append((char) (0x80 + r.nextInt(0x2000)));
          break;
        case 2:
          b.appendCodePoint(0x1F600 + r.nextInt(50));
          break;
        case 3:
          b.append((char) (0xD800 + r.nextInt(0x800)));
          break;
        default:
          b.append((char) ('a' + r.nextInt(26)));
      }
    }
    return b.toString();
  }

  /** A compact JSON object as the codec writes it (strings without unpaired surrogates, numbers as written). */
  static String state(SplittableRandom r) {
    StringBuilder b = new StringBuilder();
    object(r, b, 0);
    return b.toString();
  }

  private static void object(SplittableRandom r, StringBuilder b, int depth) {
    b.append('{');
    int n = depth > 2 ? 0 : r.nextInt(4);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append("\"k").append(i).append("\":");
      switch (r.nextInt(7)) {
        case 0:
          object(r, b, depth + 1);
          break;
        case 1:
          b.append('[').append(r.nextInt(100)).append(",true,null]");
          break;
        case 2:
          b.append(new String[] {"-0", "1.50", "1e400", "-12.5E-3", "123456789012345678901234567890"}[r.nextInt(5)]);
          break;
        case 3:
          b.append("\"caf\u00e9 \\\"q\\\" \\\\ \\n \ud83d\ude00\"");
          break;
        default:
          b.append(r.nextInt(1000));
      }
    }
    b.append('}');
  }

  static String mutate(SplittableRandom r, String s) {
    StringBuilder b = new StringBuilder(s);
    for (int k = 1 + r.nextInt(3); k > 0; k--) {
      int at = b.length() == 0 ? 0 : r.nextInt(b.length());
      switch (r.nextInt(6)) {
        case 0:
          if (b.length() > 0) {
            b.deleteCharAt(at);
          }
          break;
        case 1:
          String tokens = "{}[]\",:\\0-eE.tfn ";
          b.insert(at, tokens.charAt(r.nextInt(tokens.length())));
          break;
        case 2:
          if (b.length() > 0) {
            b.setCharAt(at, (char) r.nextInt(0x80));
          }
          break;
        case 3:
          b.insert(at, new String[] {",\"user\":\"bob\"", ",\"x\":1", ",\"state\":{}", ",\"room\":\"r\"", "{\"a\":",
              "\"p-join\"", "\"p-frame\""}[r.nextInt(7)]);
          break;
        case 4:
          int end = Math.min(b.length(), at + r.nextInt(20));
          b.insert(at, b.substring(at, end).repeat(1 + r.nextInt(40)));
          break;
        default:
          b.delete(at, Math.min(b.length(), at + r.nextInt(10)));
      }
    }
    return b.toString();
  }

  static String randomText(SplittableRandom r) {
    StringBuilder b = new StringBuilder();
    for (int i = r.nextInt(200); i > 0; i--) {
      b.append((char) r.nextInt(r.nextBoolean() ? 0x80 : 0x10000));
    }
    return b.toString();
  }
}
