package dev.lattice.presence.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.presence.MemberIdentity;
import dev.lattice.presence.Outbound;
import dev.lattice.presence.PresenceConfig;
import dev.lattice.presence.PresenceException;
import dev.lattice.presence.PresenceFrame;
import dev.lattice.presence.PresenceFrame.Entry;
import dev.lattice.presence.PresenceHub;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** How a client applies frames: snapshots replace, left removes, stale entries are dropped. */
class RoomViewTest {
  private static Entry e(String id, long clock, String state) {
    return new Entry(id, "u-" + id, clock, state);
  }

  private static PresenceFrame frame(List<Entry> members, List<String> left, boolean snapshot) {
    return new PresenceFrame("r", members, left, snapshot);
  }

  @Test
  void theFirstSnapshotIsAnEventEvenWhenEmpty() {
    RoomView v = new RoomView("r");
    assertThat(v.complete()).isFalse();
    RoomEvent ev = v.apply(frame(List.of(), List.of(), true));
    assertThat(ev).isEqualTo(new RoomEvent("r", Map.of(), List.of(), List.of(), List.of(), true));
    assertThat(v.complete()).isTrue();
  }

  @Test
  void entriesJoinUpdateAndLeave() {
    RoomView v = new RoomView("r");
    v.apply(frame(List.of(e("a", 1, "{}")), List.of(), true));
    RoomEvent ev = v.apply(frame(List.of(e("a", 2, "{\"x\":1}"), e("b", 1, "{}")), List.of(), false));
    assertThat(ev.joined()).containsExactly(new Member("b", "u-b", 1, "{}"));
    assertThat(ev.updated()).containsExactly(new Member("a", "u-a", 2, "{\"x\":1}"));
    assertThat(ev.members().keySet()).containsExactly("a", "b");
    ev = v.apply(frame(List.of(), List.of("a"), false));
    assertThat(ev.left()).containsExactly(new Member("a", "u-a", 2, "{\"x\":1}"));
    assertThat(ev.members().keySet()).containsExactly("b");
  }

  @Test
  void anEntryNotNewerThanTheOneHeldIsDropped() {
    RoomView v = new RoomView("r");
    v.apply(frame(List.of(e("a", 5, "{\"x\":5}")), List.of(), true));
    assertThat(v.apply(frame(List.of(e("a", 4, "{\"x\":4}")), List.of(), false))).isNull();
    assertThat(v.apply(frame(List.of(e("a", 5, "{\"x\":9}")), List.of(), false))).isNull();
    assertThat(v.members().get("a").state()).isEqualTo("{\"x\":5}");
    assertThat(v.apply(frame(List.of(e("a", 6, "{\"x\":6}")), List.of(), false)).updated()).hasSize(1);
  }

  @Test
  void aSnapshotReplacesTheViewAndReportsTheDifference() {
    RoomView v = new RoomView("r");
    v.apply(frame(List.of(e("a", 1, "{}"), e("b", 1, "{}")), List.of(), true));
    v.reset();
    assertThat(v.complete()).isFalse();
    assertThat(v.members()).hasSize(2); // kept until the snapshot: no flicker during a rejoin
    // After a reconnect: b is gone, a has a lower clock (a new connection id would differ; here the
    // snapshot is authoritative whatever the clocks), c is new.
    RoomEvent ev = v.apply(frame(List.of(e("a", 1, "{\"y\":1}"), e("c", 3, "{}")), List.of(), true));
    assertThat(ev.snapshot()).isTrue();
    assertThat(ev.joined()).extracting(Member::id).containsExactly("c");
    assertThat(ev.updated()).extracting(Member::id).containsExactly("a");
    assertThat(ev.left()).extracting(Member::id).containsExactly("b");
    assertThat(ev.members().keySet()).containsExactly("a", "c");
  }

  @Test
  void eventsAreImmutableCopies() {
    RoomView v = new RoomView("r");
    RoomEvent first = v.apply(frame(List.of(e("a", 1, "{}")), List.of(), true));
    v.apply(frame(List.of(e("b", 1, "{}")), List.of(), false));
    assertThat(first.members().keySet()).containsExactly("a");
  }

  static LongStream seeds() {
    return LongStream.rangeClosed(1, Math.max(1, Integer.getInteger("lattice.seeds", 200) / 4));
  }

  /**
   * A subscriber of a hub room, applying its frames with stale copies of older entries mixed in,
   * always sees the room as the hub has it, minus itself.
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void aViewFedByAHubWithStaleCopiesMixedInEqualsTheRoom(long seed) throws Exception {
    SplittableRandom r = new SplittableRandom(seed);
    PresenceHub hub = new PresenceHub(PresenceConfig.builder().maxUpdatesPerSecond(1000).build());
    MemberIdentity me = new MemberIdentity("me", "c0");
    hub.join("ns", "r", me, "{}", 0);
    RoomView view = new RoomView("r");
    List<Entry> seen = new ArrayList<>();
    List<MemberIdentity> others = new ArrayList<>();
    for (int i = 1; i <= 6; i++) {
      others.add(new MemberIdentity("u" + i, "c" + i));
    }
    for (long t = 1; t < 400; t++) {
      MemberIdentity m = others.get(r.nextInt(others.size()));
      try {
        switch (r.nextInt(4)) {
          case 0 -> hub.join("ns", "r", m, "{\"t\":" + t + "}", t);
          case 1 -> hub.leave("ns", "r", m, t);
          default -> hub.update("ns", "r", m, "{\"t\":" + t + "}", t);
        }
      } catch (PresenceException refused) {
        // not a member, already joined: fine
      }
      if (t % 5 == 0) {
        for (Outbound o : hub.tick(t)) {
          if (!o.connectionId().equals("c0")) {
            continue;
          }
          if (!seen.isEmpty() && r.nextBoolean()) {
            // A stale copy from another path: older entries of members still present.
            List<Entry> stale = new ArrayList<>();
            for (int k = r.nextInt(3); k >= 0; k--) {
              Entry old = seen.get(r.nextInt(seen.size()));
              if (view.members().containsKey(old.id())) {
                stale.add(old);
              }
            }
            Map<String, Member> before = new LinkedHashMap<>(view.members());
            view.apply(new PresenceFrame("r", stale, List.of(), false));
            assertThat(view.members()).as("seed %d: a stale entry changed the view", seed).isEqualTo(before);
          }
          view.apply(o.frame());
          seen.addAll(o.frame().members());
        }
        Map<String, Member> expected = new LinkedHashMap<>();
        for (Entry e : hub.members("ns", "r")) {
          if (!e.id().equals("c0")) {
            expected.put(e.id(), new Member(e.id(), e.user(), e.clock(), e.state()));
          }
        }
        assertThat(new LinkedHashMap<>(view.members())).as("seed %d at %d", seed, t).isEqualTo(expected);
      }
    }
  }
}
