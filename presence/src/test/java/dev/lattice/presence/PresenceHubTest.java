package dev.lattice.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.presence.PresenceException.Reason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Join, update, touch, leave, disconnect, expiry and tick, one behaviour per test; invariants checked after each. */
class PresenceHubTest {
  private static final String NS = "ns1";
  private static final MemberIdentity A = new MemberIdentity("alice", "c1");
  private static final MemberIdentity B = new MemberIdentity("bob", "c2");
  private static final MemberIdentity A2 = new MemberIdentity("alice", "c3");

  private PresenceHub hub = new PresenceHub(PresenceConfig.DEFAULT);

  @AfterEach
  void structureIsConsistent() {
    hub.checkInvariants();
  }

  private static Map<String, PresenceFrame> byConnection(List<Outbound> out) {
    return out.stream().collect(Collectors.toMap(Outbound::connectionId, Outbound::frame));
  }

  private static List<String> ids(PresenceFrame f) {
    return f.members().stream().map(PresenceFrame.Entry::id).collect(Collectors.toList());
  }

  private static void refused(Reason reason, ThrowingCallable call) {
    assertThatThrownBy(call).isInstanceOfSatisfying(PresenceException.class,
        e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason));
  }

  @Test
  void theFirstTickAfterJoiningSendsASnapshotEvenOfAnEmptyRoom() throws Exception {
    hub.join(NS, "r1", A, "{\"x\":1}", 0);
    List<Outbound> out = hub.tick(50);
    assertThat(out).containsExactly(new Outbound("c1", NS, new PresenceFrame("r1", List.of(), List.of(), true)));
    assertThat(hub.tick(100)).isEmpty();
  }

  @Test
  void aJoinerGetsTheOthersAndTheOthersGetTheJoiner() throws Exception {
    hub.join(NS, "r1", A, "{\"x\":1}", 0);
    hub.tick(50);
    hub.join(NS, "r1", B, "{\"y\":2}", 60);
    Map<String, PresenceFrame> out = byConnection(hub.tick(100));
    assertThat(out.get("c2")).isEqualTo(new PresenceFrame("r1",
        List.of(new PresenceFrame.Entry("c1", "alice", 1, "{\"x\":1}")), List.of(), true));
    assertThat(out.get("c1")).isEqualTo(new PresenceFrame("r1",
        List.of(new PresenceFrame.Entry("c2", "bob", 1, "{\"y\":2}")), List.of(), false));
  }

  @Test
  void aSubscriberNeverGetsItsOwnUpdateBack() throws Exception {
    hub.join(NS, "r1", A, "{}", 0);
    hub.join(NS, "r1", B, "{}", 0);
    hub.tick(50);
    assertThat(hub.update(NS, "r1", A, "{\"cursor\":[1,2]}", 60)).isTrue();
    List<Outbound> out = hub.tick(100);
    assertThat(out).extracting(Outbound::connectionId).containsExactly("c2");
    assertThat(out.get(0).frame().members()).containsExactly(
        new PresenceFrame.Entry("c1", "alice", 2, "{\"cursor\":[1,2]}"));
  }

  @Test
  void updatesWithinOneTickAreCoalescedToTheLatest() throws Exception {
    hub.join(NS, "r1", A, "{}", 0);
    hub.join(NS, "r1", B, "{}", 0);
    hub.tick(50);
    for (int i = 1; i <= 5; i++) {
      hub.update(NS, "r1", A, "{\"n\":" + i + "}", 50 + i);
    }
    List<Outbound> out = hub.tick(100);
    assertThat(out).hasSize(1);
    assertThat(out.get(0).frame().members()).containsExactly(new PresenceFrame.Entry("c1", "alice", 6, "{\"n\":5}"));
    assertThat(out.get(0).frame().snapshot()).isFalse();
  }

  @Test
  void twoMembersChangingBothGetEachOtherButNotThemselves() throws Exception {
    hub.join(NS, "r1", A, "{}", 0);
    hub.join(NS, "r1", B, "{}", 0);
    hub.join(NS, "r1", A2, "{}", 0);
    hub.tick(50);
    hub.update(NS, "r1", A, "{\"a\":1}", 60);
    hub.update(NS, "r1", B, "{\"b\":1}", 60);
    Map<String, PresenceFrame> out = byConnection(hub.tick(100));
    assertThat(ids(out.get("c1"))).containsExactly("c2");
    assertThat(ids(out.get("c2"))).containsExactly("c1");
    assertThat(ids(out.get("c3"))).containsExactly("c1", "c2");
  }

  @Test
  void anEqualStateIsNotBroadcastAndKeepsItsClockButRenewsTheTtl() throws Exception {
    hub.join(NS, "r1", A, "{\"x\":1}", 0);
    hub.join(NS, "r1", B, "{}", 0);
    hub.tick(50);
    // Equal after compaction: whitespace does not make a change.
    assertThat(hub.update(NS, "r1", A, "{ \"x\" : 1 }", 20_000)).isFalse();
    assertThat(hub.tick(20_050)).isEmpty();
    assertThat(hub.members(NS, "r1").get(0).clock()).isEqualTo(1);
    hub.touch(NS, "r1", B, 29_000);
    assertThat(hub.tick(30_000)).as("A renewed at 20 s is alive at 30 s").isEmpty();
    assertThat(hub.members(NS, "r1")).hasSize(2);
  }

  @Test
  void statesAreStoredCompactWithNumbersAsWritten() throws Exception {
    hub.join(NS, "r1", A, " {\"a\" : [ 1.50 , 1e3, -0 ], \"s\": \"\\u00e9\\n\"} ", 0);
    assertThat(hub.members(NS, "r1").get(0).state()).isEqualTo("{\"a\":[1.50,1e3,-0],\"s\":\"é\\n\"}");
  }

  @Test
  void aLeaveIsReportedOnTheNextTickAndTheLeaverHearsNothing() throws Exception {
    hub.join(NS, "r1", A, "{}", 0);
    hub.join(NS, "r1", B, "{}", 0);
    hub.tick(50);
    hub.leave(NS, "r1", A, 60);
    assertThat(hub.tick(100)).containsExactly(
        new Outbound("c2", NS, new PresenceFrame("r1", List.of(), List.of("c1"), false)));
    refused(Reason.NOT_A_MEMBER, () -> hub.update(NS, "r1", A, "{}", 110));
    refused(Reason.NOT_A_MEMBER, () -> hub.leave(NS, "r1", A, 110));
  }

  @Test
  void aMemberThatJoinsAndLeavesBetweenTwoTicksIsNeverMentioned() throws Exception {
    hub.join(NS, "r1", A, "{}", 0);
    hub.tick(50);
    hub.join(NS, "r1", B, "{}", 60);
    hub.update(NS, "r1", B, "{\"x\":1}", 61);
    hub.leave(NS, "r1", B, 62);
    assertThat(hub.tick(100)).isEmpty();
  }

  @Test
  void aRejoinWithinOneTickIsAnEntryWithAHigherClockNotALeave() throws Exception {
    hub.join(NS, "r1", A, "{}", 0);
    hub.join(NS, "r1", B, "{\"v\":1}", 0);
    hub.tick(50);
    long before = hub.members(NS, "r1").get(1).clock();
    hub.leave(NS, "r1", B, 60);
    hub.join(NS, "r1", B, "{\"v\":2}", 61);
    Map<String, PresenceFrame> out = byConnection(hub.tick(100));
    assertThat(out.get("c1").left()).isEmpty();
    assertThat(out.get("c1").members()).singleElement().satisfies(e -> {
      assertThat(e.id()).isEqualTo("c2");
      assertThat(e.clock()).isGreaterThan(before);
      assertThat(e.state()).isEqualTo("{\"v\":2}");
    });
    assertThat(out.get("c2").snapshot()).as("the rejoined member starts over with a snapshot").isTrue();
    assertThat(ids(out.get("c2"))).containsExactly("c1");
  }

  @Test
  void aSilentMemberExpiresAfterTheTtlAndIsReportedAsLeft() throws Exception {
    hub.join(NS, "r1", A, "{}", 0);
    hub.join(NS, "r1", B, "{}", 0);
    hub.tick(50);
    hub.touch(NS, "r1", B, 20_000);
    assertThat(hub.tick(29_999)).isEmpty();
    assertThat(hub.tick(30_000)).containsExactly(
        new Outbound("c2", NS, new PresenceFrame("r1", List.of(), List.of("c1"), false)));
    refused(Reason.NOT_A_MEMBER, () -> hub.touch(NS, "r1", A, 30_001));
    assertThat(hub.tick(50_000)).as("B, renewed at 20 s, expires at 50 s; nobody is left to tell").isEmpty();
    assertThat(hub.rooms(NS)).isEmpty();
    assertThat(hub.memberCount()).isZero();
  }

  @Test
  void aTouchRenewsTheTtlWithoutAFrame() throws Exception {
    hub.join(NS, "r1", A, "{}", 0);
    hub.join(NS, "r1", B, "{}", 0);
    hub.tick(50);
    for (long t = 10_000; t <= 100_000; t += 10_000) {
      hub.touch(NS, "r1", A, t);
      hub.touch(NS, "r1", B, t);
      assertThat(hub.tick(t + 50)).isEmpty();
    }
    assertThat(hub.members(NS, "r1")).hasSize(2);
  }

  @Test
  void aDisconnectLeavesEveryRoomAtOnceReportedOnTheNextTick() throws Exception {
    hub.join(NS, "r1", A, "{}", 0);
    hub.join(NS, "r2", A, "{}", 0);
    hub.join("ns2", "r1", A, "{}", 0);
    hub.join(NS, "r1", B, "{}", 0);
    hub.join(NS, "r2", B, "{}", 0);
    hub.tick(50);
    assertThat(hub.disconnect("c1", 60)).isEqualTo(3);
    assertThat(hub.members(NS, "r1")).extracting(PresenceFrame.Entry::id).containsExactly("c2");
    assertThat(hub.rooms("ns2")).isEmpty();
    assertThat(hub.tick(100)).containsExactly(
        new Outbound("c2", NS, new PresenceFrame("r1", List.of(), List.of("c1"), false)),
        new Outbound("c2", NS, new PresenceFrame("r2", List.of(), List.of("c1"), false)));
    assertThat(hub.disconnect("c1", 110)).isZero();
    assertThat(hub.disconnect("never-seen", 110)).isZero();
    assertThat(hub.connectionCount()).isEqualTo(1);
  }

  @Test
  void theRateLimitAllowsABurstThenRefusesThenRefills() throws Exception {
    hub.join(NS, "r1", A, "{}", 0); // 1 token of 30
    for (int i = 1; i < 30; i++) {
      hub.update(NS, "r1", A, "{\"n\":" + i + "}", 0);
    }
    refused(Reason.RATE_LIMITED, () -> hub.update(NS, "r1", A, "{\"n\":99}", 0));
    refused(Reason.RATE_LIMITED, () -> hub.touch(NS, "r1", A, 33));
    assertThat(hub.members(NS, "r1").get(0).state()).as("a refusal changes nothing").isEqualTo("{\"n\":29}");
    hub.update(NS, "r1", A, "{\"n\":30}", 34); // 30 tokens/s: one token per 33.3 ms
    refused(Reason.RATE_LIMITED, () -> hub.update(NS, "r1", A, "{\"n\":31}", 34));
    for (int i = 0; i < 30; i++) {
      hub.touch(NS, "r1", A, 1_034);
    }
    refused(Reason.RATE_LIMITED, () -> hub.touch(NS, "r1", A, 1_034));
    hub.leave(NS, "r1", A, 1_034); // leaving is always allowed
  }

  @Test
  void leavingAndRejoiningDoesNotRefillTheBucket() throws Exception {
    hub.join(NS, "r1", A, "{}", 0);
    for (int i = 1; i < 30; i++) {
      hub.touch(NS, "r1", A, 0);
    }
    hub.leave(NS, "r1", A, 0);
    refused(Reason.RATE_LIMITED, () -> hub.join(NS, "r1", A, "{}", 10));
    assertThat(hub.rooms(NS)).as("a refused join creates nothing").isEmpty();
    hub.join(NS, "r2", A, "{}", 10); // other rooms have their own bucket
    hub.join(NS, "r1", A, "{}", 34);
    refused(Reason.RATE_LIMITED, () -> hub.touch(NS, "r1", A, 34));
  }

  @Test
  void aStateOfExactlyTheLimitIsAcceptedAndOneByteMoreIsRefused() throws Exception {
    hub = new PresenceHub(PresenceConfig.builder().maxStateBytes(32).build());
    String fits = "{\"s\":\"" + "x".repeat(32 - 8) + "\"}";
    assertThat(fits.length()).isEqualTo(32);
    hub.join(NS, "r1", A, fits, 0);
    refused(Reason.STATE_TOO_LARGE, () -> hub.update(NS, "r1", A, "{\"s\":\"" + "x".repeat(25) + "\"}", 0));
    // 24 characters but 48 bytes of UTF-8: the limit is in bytes.
    refused(Reason.STATE_TOO_LARGE, () -> hub.update(NS, "r1", A, "{\"s\":\"" + "é".repeat(24) + "\"}", 0));
    refused(Reason.STATE_TOO_LARGE, () -> hub.join(NS, "r2", B, "{\"s\":\"" + "x".repeat(1 << 20) + "\"}", 0));
    assertThat(hub.members(NS, "r1").get(0).state()).isEqualTo(fits);
    assertThat(hub.rooms(NS)).containsExactly("r1");
  }

  @Test
  void malformedStatesAreRefusedAndChangeNothing() throws Exception {
    hub.join(NS, "r1", A, "{\"ok\":true}", 0);
    String deep8 = "{\"a\":".repeat(7) + "{}" + "}".repeat(7);
    String deep9 = "{\"a\":".repeat(8) + "{}" + "}".repeat(8);
    hub.update(NS, "r1", A, deep8, 0);
    List<String> bad = List.of("[1,2]", "\"s\"", "42", "null", "", "   ", "{", "{\"a\":}", "{\"a\":1} {}",
        "{\"a\":1,\"a\":2}", "{'a':1}", "{\"a\":NaN}", "{\"a\":01}", "{\"a\":\"\\ud800\"}", deep9,
        "{\"a\":[[[[[[[[1]]]]]]]]}");
    for (String s : bad) {
      refused(Reason.MALFORMED, () -> hub.update(NS, "r1", A, s, 0));
      refused(Reason.MALFORMED, () -> hub.join(NS, "r2", B, s, 0));
    }
    refused(Reason.MALFORMED, () -> hub.update(NS, "r1", A, null, 0));
    assertThat(hub.members(NS, "r1").get(0).state()).isEqualTo(deep8);
    assertThat(hub.rooms(NS)).containsExactly("r1");
  }

  @Test
  void roomAndNamespaceAndConnectionLimits() throws Exception {
    hub = new PresenceHub(PresenceConfig.builder().maxMembersPerRoom(2).maxRoomsPerNamespace(2)
        .maxRoomsPerConnection(3).build());
    hub.join(NS, "r1", A, "{}", 0);
    hub.join(NS, "r1", B, "{}", 0);
    refused(Reason.ROOM_FULL, () -> hub.join(NS, "r1", A2, "{}", 0));
    hub.join(NS, "r2", A2, "{}", 0);
    refused(Reason.TOO_MANY_ROOMS, () -> hub.join(NS, "r3", A2, "{}", 0));
    hub.join("ns2", "r3", A, "{}", 0);
    hub.join("ns3", "r3", A, "{}", 0);
    refused(Reason.TOO_MANY_ROOMS, () -> hub.join("ns4", "r3", A, "{}", 0));
    refused(Reason.ALREADY_JOINED, () -> hub.join(NS, "r1", A, "{}", 0));
    hub.leave(NS, "r2", A2, 0);
    hub.join(NS, "r3", A2, "{}", 0); // the emptied room no longer counts
    assertThat(hub.rooms(NS)).containsExactly("r1", "r3");
  }

  @Test
  void roomNamesFollowTheDocumentedRule() throws Exception {
    hub.join(NS, "doc:42/cursor_layer-1.v2@team", A, "{}", 0);
    hub.join(NS, "r".repeat(128), A, "{}", 0);
    for (String bad : new String[] {"", "r".repeat(129), "a b", "é", "a\nb", "a#b", "a\"b"}) {
      assertThatThrownBy(() -> hub.join(NS, bad, B, "{}", 0)).isInstanceOfSatisfying(PresenceException.class, e -> {
        assertThat(e.reason()).isEqualTo(Reason.INVALID_ROOM);
        assertThat(e.room()).as("an invalid name is not echoed as the room").isNull();
      });
    }
    refused(Reason.INVALID_ROOM, () -> hub.join(NS, null, B, "{}", 0));
    refused(Reason.INVALID_ROOM, () -> hub.update(NS, "a b", A, "{}", 0));
  }

  @Test
  void aConnectionIdSeenWithAnotherUserIsTheCallersBug() throws Exception {
    hub.join(NS, "r1", A, "{}", 0);
    MemberIdentity impostor = new MemberIdentity("mallory", "c1");
    assertThatThrownBy(() -> hub.join(NS, "r2", impostor, "{}", 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> hub.update(NS, "r1", impostor, "{}", 0)).isInstanceOf(IllegalArgumentException.class);
    assertThat(hub.members(NS, "r1")).extracting(PresenceFrame.Entry::user).containsExactly("alice");
  }

  @Test
  void oneUserWithTwoTabsIsTwoMembers() throws Exception {
    hub.join(NS, "r1", A, "{\"tab\":1}", 0);
    hub.join(NS, "r1", A2, "{\"tab\":2}", 0);
    assertThat(hub.members(NS, "r1")).extracting(PresenceFrame.Entry::id, PresenceFrame.Entry::user)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("c1", "alice"), org.assertj.core.groups.Tuple.tuple("c3", "alice"));
  }

  @Test
  void namespacesAreIsolated() throws Exception {
    hub.join("ns1", "r1", A, "{}", 0);
    hub.join("ns2", "r1", B, "{}", 0);
    List<Outbound> out = hub.tick(50);
    assertThat(out).extracting(o -> o.frame().members().size()).containsExactly(0, 0);
    assertThat(out).extracting(Outbound::namespace).containsExactly("ns1", "ns2");
  }

  @Test
  void timeGoingBackwardsIsTakenAsTheLatestTime() throws Exception {
    hub.join(NS, "r1", A, "{}", 100_000);
    hub.join(NS, "r1", B, "{}", 100_000);
    hub.tick(100_050);
    // A wall clock stepping back must not make A look fresher or older than it is.
    hub.touch(NS, "r1", A, 5);
    assertThat(hub.tick(10)).isEmpty();
    hub.touch(NS, "r1", B, 129_000);
    assertThat(hub.tick(130_049)).as("A was renewed at 100,050, the latest time, not at 5 nor left at 100,000").isEmpty();
    assertThat(byConnection(hub.tick(130_050)).get("c2").left()).containsExactly("c1");
  }

  @Test
  void clocksIncreasePerConnectionAcrossRooms() throws Exception {
    hub.join(NS, "r1", A, "{}", 0);
    hub.join(NS, "r2", A, "{}", 0);
    hub.update(NS, "r1", A, "{\"x\":1}", 0);
    Function<String, Long> clock = room -> hub.members(NS, room).get(0).clock();
    assertThat(clock.apply("r1")).isEqualTo(3);
    assertThat(clock.apply("r2")).isEqualTo(2);
  }

  @Test
  void theConfigIsValidatedWhenBuilt() {
    assertThatThrownBy(() -> PresenceConfig.builder().tick(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tick");
    assertThatThrownBy(() -> PresenceConfig.builder().memberTtl(Duration.ofMillis(50)).build())
        .hasMessageContaining("memberTtl");
    assertThatThrownBy(() -> PresenceConfig.builder().maxStateBytes(1).build()).hasMessageContaining("maxStateBytes");
    assertThatThrownBy(() -> PresenceConfig.builder().maxUpdatesPerSecond(0).build())
        .hasMessageContaining("maxUpdatesPerSecond");
    assertThatThrownBy(() -> PresenceConfig.builder().maxMembersPerRoom(0).build()).hasMessageContaining("maxMembersPerRoom");
    assertThatThrownBy(() -> new MemberIdentity("", "c")).hasMessageContaining("userId");
    assertThatThrownBy(() -> new MemberIdentity("u", "c".repeat(257))).hasMessageContaining("connectionId");
    assertThat(PresenceConfig.DEFAULT.toBuilder().build()).isEqualTo(PresenceConfig.DEFAULT);
    assertThat(PresenceConfig.DEFAULT.tick()).isEqualTo(Duration.ofMillis(50));
    assertThat(PresenceConfig.DEFAULT.maxStateBytes()).isEqualTo(1024);
  }

  @Test
  void errorsCarryStableCodes() {
    List<String> codes = new ArrayList<>();
    for (Reason r : Reason.values()) {
      codes.add(r.code());
      assertThat(Reason.ofCode(r.code())).contains(r);
    }
    assertThat(codes).containsExactly("malformed", "frame-too-large", "state-too-large", "invalid-room",
        "not-a-member", "already-joined", "room-full", "too-many-rooms", "rate-limited", "protocol-violation",
        "unauthenticated", "bad-token", "token-expired", "unknown-namespace", "internal");
  }
}
