package dev.lattice.presence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.presence.PresenceException.Reason;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random schedules of joins, updates, touches, leaves, disconnects, clock steps and ticks, for up to
 * 50 connections in three rooms of two namespaces, against a reference model of who is where with
 * what state and clock. After every operation the hub's rooms equal the model's (a refusal changes
 * nothing); after every tick:
 * <ul>
 *   <li>each subscriber got at most one frame per room, only for rooms it is in, never with its own id;</li>
 *   <li>a non-snapshot frame carries only members that joined or changed since the previous tick
 *       (so none unchanged since the subscriber's previous frame), each with a clock above the one
 *       that subscriber last saw, and only {@code left} ids the subscriber had in its view;</li>
 *   <li>the view a client builds by applying its frames in order, honouring clocks, equals the
 *       room minus itself: coalescing loses nothing.</li>
 * </ul>
 */
class CoalescingPropertyTest {
  private static final List<RoomRef> ROOMS =
      List.of(new RoomRef("ns1", "r1"), new RoomRef("ns1", "r2"), new RoomRef("ns2", "r1"));
  private static final List<String> BAD_STATES = List.of("[1]", "{", "{\"a\":1,\"a\":2}", "\"x\"");
  private static final long TTL = 1_500;

  record RoomRef(String namespace, String room) {}

  /** What the model knows of a member. */
  static final class M {
    final String user;
    String state;
    long clock;
    long lastSeen;
    boolean changedSinceTick = true;
    boolean newSinceTick = true;

    M(String user, String state, long clock, long lastSeen) {
      this.user = user;
      this.state = state;
      this.clock = clock;
      this.lastSeen = lastSeen;
    }
  }

  record ViewEntry(String user, long clock, String state) {}

  static LongStream seeds() {
    return Seeds.seeds();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void coalescedFramesRebuildEveryRoomExactly(long seed) {
    new Run(seed).run();
  }

  private static final class Run {
    final long seed;
    final SplittableRandom r;
    final PresenceConfig config;
    final PresenceHub hub;
    final Map<RoomRef, LinkedHashMap<String, M>> model = new LinkedHashMap<>();
    final Map<String, Long> clocks = new HashMap<>();
    /** Per (connection, room): the client's view, and the last clock it saw per member id. */
    final Map<String, Map<RoomRef, Map<String, ViewEntry>>> views = new HashMap<>();
    final Map<String, Map<RoomRef, Map<String, Long>>> seenClocks = new HashMap<>();
    final String[] slots;
    int nextConnection;
    long now = 1_000;
    /** The hub's time: the latest it was passed, which lags {@link #now} after a step back. */
    long hubTime = Long.MIN_VALUE;
    int step;
    final Deque<String> trace = new ArrayDeque<>();

    Run(long seed) {
      this.seed = seed;
      this.r = new SplittableRandom(seed);
      this.config = PresenceConfig.builder()
          .memberTtl(Duration.ofMillis(TTL))
          .maxUpdatesPerSecond(5 + r.nextInt(10))
          .maxMembersPerRoom(4 + r.nextInt(40))
          .maxRoomsPerNamespace(1 + r.nextInt(2))
          .maxRoomsPerConnection(1 + r.nextInt(3))
          .build();
      this.hub = new PresenceHub(config);
      this.slots = new String[5 + r.nextInt(46)];
      for (int i = 0; i < slots.length; i++) {
        slots[i] = "c" + nextConnection++;
      }
      for (RoomRef ref : ROOMS) {
        model.put(ref, new LinkedHashMap<>());
      }
    }

    void run() {
      int hot = r.nextInt(slots.length);
      for (step = 0; step < 300; step++) {
        now += r.nextInt(40);
        // Now and then a clock that steps back: the hub must keep to the latest time.
        long passed = r.nextInt(20) == 0 ? now - r.nextInt(5_000) : now;
        hubTime = Math.max(hubTime, passed);
        int slot = r.nextInt(10) < 3 ? hot : r.nextInt(slots.length);
        String conn = slots[slot];
        MemberIdentity id = new MemberIdentity("u" + (slot % 20), conn);
        RoomRef room = ROOMS.get(r.nextInt(ROOMS.size()));
        int op = r.nextInt(100);
        if (op < 25) {
          join(id, room, state(), passed);
        } else if (op < 60) {
          update(id, room, state(), passed);
        } else if (op < 70) {
          touch(id, room, passed);
        } else if (op < 78) {
          leave(id, room, passed);
        } else if (op < 82) {
          disconnect(slot, passed);
        } else {
          tick(passed);
        }
        hub.checkInvariants();
        compareRooms();
      }
      now += 50;
      hubTime = Math.max(hubTime, now);
      tick(now);
      now += TTL;
      hubTime = Math.max(hubTime, now);
      tick(now);
      assertThat(hub.memberCount()).as(() -> at("everyone expires in the end")).isZero();
    }

    String state() {
      if (r.nextInt(20) == 0) {
        return BAD_STATES.get(r.nextInt(BAD_STATES.size()));
      }
      return "{\"x\":" + r.nextInt(4) + (r.nextBoolean() ? "" : ",\"sel\":[" + r.nextInt(3) + "]") + "}";
    }

    // ---- operations with the model's prediction

    void join(MemberIdentity id, RoomRef ref, String state, long passed) {
      trace("join " + id.connectionId() + " " + ref + " " + state);
      LinkedHashMap<String, M> room = model.get(ref);
      Reason expected = null;
      if (room.containsKey(id.connectionId())) {
        expected = Reason.ALREADY_JOINED;
      } else if (room.isEmpty() && liveRooms(ref.namespace()) >= config.maxRoomsPerNamespace()) {
        expected = Reason.TOO_MANY_ROOMS;
      } else if (roomsOf(id.connectionId()) >= config.maxRoomsPerConnection()) {
        expected = Reason.TOO_MANY_ROOMS;
      } else if (room.size() >= config.maxMembersPerRoom()) {
        expected = Reason.ROOM_FULL;
      } else if (BAD_STATES.contains(state)) {
        expected = Reason.MALFORMED;
      }
      Reason got = attempt(() -> hub.join(ref.namespace(), ref.room(), id, state, passed));
      if (!check(expected, got)) {
        return;
      }
      long clock = clocks.merge(id.connectionId(), 1L, Long::sum);
      room.put(id.connectionId(), new M(id.userId(), state, clock, hubTime));
      views.computeIfAbsent(id.connectionId(), k -> new HashMap<>()).put(ref, new LinkedHashMap<>());
      seenClocks.computeIfAbsent(id.connectionId(), k -> new HashMap<>()).put(ref, new HashMap<>());
    }

    void update(MemberIdentity id, RoomRef ref, String state, long passed) {
      trace("update " + id.connectionId() + " " + ref + " " + state);
      M m = model.get(ref).get(id.connectionId());
      Reason expected = m == null ? Reason.NOT_A_MEMBER : BAD_STATES.contains(state) ? Reason.MALFORMED : null;
      boolean[] changed = new boolean[1];
      Reason got = attempt(() -> changed[0] = hub.update(ref.namespace(), ref.room(), id, state, passed));
      if (!check(expected, got)) {
        return;
      }
      m.lastSeen = hubTime;
      assertThat(changed[0]).as(() -> at("update reports a change")).isEqualTo(!state.equals(m.state));
      if (!state.equals(m.state)) {
        m.state = state;
        m.clock = clocks.merge(id.connectionId(), 1L, Long::sum);
        m.changedSinceTick = true;
      }
    }

    void touch(MemberIdentity id, RoomRef ref, long passed) {
      trace("touch " + id.connectionId() + " " + ref);
      M m = model.get(ref).get(id.connectionId());
      Reason got = attempt(() -> hub.touch(ref.namespace(), ref.room(), id, passed));
      if (check(m == null ? Reason.NOT_A_MEMBER : null, got)) {
        m.lastSeen = hubTime;
      }
    }

    void leave(MemberIdentity id, RoomRef ref, long passed) {
      trace("leave " + id.connectionId() + " " + ref);
      boolean member = model.get(ref).containsKey(id.connectionId());
      Reason got = attempt(() -> hub.leave(ref.namespace(), ref.room(), id, passed));
      assertThat(got).as(() -> at("leave")).isEqualTo(member ? null : Reason.NOT_A_MEMBER);
      if (member) {
        removeFromModel(id.connectionId(), ref);
      }
    }

    void disconnect(int slot, long passed) {
      String conn = slots[slot];
      trace("disconnect " + conn);
      int rooms = roomsOf(conn);
      assertThat(hub.disconnect(conn, passed)).as(() -> at("rooms left by disconnect")).isEqualTo(rooms);
      for (RoomRef ref : ROOMS) {
        if (model.get(ref).containsKey(conn)) {
          removeFromModel(conn, ref);
        }
      }
      clocks.remove(conn);
      // Connection ids are never reused: the next connection in this slot is a new one.
      slots[slot] = "c" + nextConnection++;
    }

    void tick(long passed) {
      trace("tick " + passed + " (now " + now + ")");
      // The model's expiry, then the checks on what the hub sent.
      for (RoomRef ref : ROOMS) {
        List<String> expired = new ArrayList<>();
        model.get(ref).forEach((id, m) -> {
          if (hubTime - m.lastSeen >= TTL) {
            expired.add(id);
          }
        });
        expired.forEach(id -> removeFromModel(id, ref));
      }
      List<Outbound> out = hub.tick(passed);
      Set<List<String>> seen = new HashSet<>();
      for (Outbound o : out) {
        RoomRef ref = new RoomRef(o.namespace(), o.frame().room());
        String sub = o.connectionId();
        PresenceFrame f = o.frame();
        assertThat(seen.add(List.of(sub, ref.namespace(), ref.room()))).as(() -> at("one frame per subscriber and room: " + o))
            .isTrue();
        LinkedHashMap<String, M> room = model.get(ref);
        M self = room.get(sub);
        assertThat(self).as(() -> at("frames go to members only: " + o)).isNotNull();
        assertThat(f.snapshot()).as(() -> at("a snapshot exactly on the first tick after joining: " + o))
            .isEqualTo(self.newSinceTick);
        Map<String, ViewEntry> view = views.get(sub).get(ref);
        Map<String, Long> clocksSeen = seenClocks.get(sub).get(ref);
        if (f.snapshot()) {
          view.clear();
        } else {
          assertThat(f.members().isEmpty() && f.left().isEmpty()).as(() -> at("no empty frame: " + o)).isFalse();
        }
        for (String gone : f.left()) {
          assertThat(gone).as(() -> at("own id in left")).isNotEqualTo(sub);
          assertThat(view).as(() -> at("left only names members the subscriber knew: " + o)).containsKey(gone);
          assertThat(room).as(() -> at("left only names absent members: " + o)).doesNotContainKey(gone);
          view.remove(gone);
        }
        for (PresenceFrame.Entry e : f.members()) {
          assertThat(e.id()).as(() -> at("a subscriber never gets itself: " + o)).isNotEqualTo(sub);
          assertThat(f.left()).as(() -> at("an id in both lists: " + o)).doesNotContain(e.id());
          M m = room.get(e.id());
          assertThat(m).as(() -> at("entry of a member not in the room: " + o)).isNotNull();
          if (!f.snapshot()) {
            assertThat(m.changedSinceTick).as(() -> at("entry unchanged since the previous frame: " + e)).isTrue();
          }
          Long before = clocksSeen.get(e.id());
          assertThat(before == null || e.clock() > before).as(() -> at("clock went up: " + e + " after " + before)).isTrue();
          clocksSeen.put(e.id(), e.clock());
          ViewEntry held = view.get(e.id());
          if (held == null || e.clock() > held.clock()) {
            view.put(e.id(), new ViewEntry(e.user(), e.clock(), e.state()));
          }
        }
      }
      // Every view now equals its room minus its owner.
      for (RoomRef ref : ROOMS) {
        LinkedHashMap<String, M> room = model.get(ref);
        Map<String, ViewEntry> all = new HashMap<>();
        room.forEach((id, m) -> all.put(id, new ViewEntry(m.user, m.clock, m.state)));
        for (String sub : room.keySet()) {
          Map<String, ViewEntry> view = views.get(sub).get(ref);
          boolean equal = view.size() == all.size() - 1 && !view.containsKey(sub);
          for (Iterator<Map.Entry<String, ViewEntry>> it = view.entrySet().iterator(); equal && it.hasNext(); ) {
            Map.Entry<String, ViewEntry> e = it.next();
            equal = e.getValue().equals(all.get(e.getKey()));
          }
          if (!equal) {
            Map<String, ViewEntry> expected = new HashMap<>(all);
            expected.remove(sub);
            assertThat(view).as(() -> at("view of " + sub + " in " + ref)).isEqualTo(expected);
          }
        }
        room.values().forEach(m -> {
          m.changedSinceTick = false;
          m.newSinceTick = false;
        });
      }
    }

    // ---- helpers

    void removeFromModel(String conn, RoomRef ref) {
      model.get(ref).remove(conn);
      views.get(conn).remove(ref);
      seenClocks.get(conn).remove(ref);
    }

    int liveRooms(String namespace) {
      int n = 0;
      for (RoomRef ref : ROOMS) {
        if (ref.namespace().equals(namespace) && !model.get(ref).isEmpty()) {
          n++;
        }
      }
      return n;
    }

    int roomsOf(String conn) {
      int n = 0;
      for (LinkedHashMap<String, M> room : model.values()) {
        if (room.containsKey(conn)) {
          n++;
        }
      }
      return n;
    }

    /** True if the operation was accepted; a refusal must be the predicted one, or a rate limit where none was predicted. */
    boolean check(Reason expected, Reason got) {
      if (expected != null) {
        assertThat(got).as(() -> at("refusal")).isEqualTo(expected);
        return false;
      }
      assertThat(got).as(() -> at("only the rate limit may refuse here")).isIn(null, Reason.RATE_LIMITED);
      return got == null;
    }

    interface Call {
      void run() throws PresenceException;
    }

    static Reason attempt(Call c) {
      try {
        c.run();
        return null;
      } catch (PresenceException e) {
        return e.reason();
      }
    }

    void compareRooms() {
      for (RoomRef ref : ROOMS) {
        List<PresenceFrame.Entry> expected = new ArrayList<>();
        model.get(ref).forEach((id, m) -> expected.add(new PresenceFrame.Entry(id, m.user, m.clock, m.state)));
        assertThat(hub.members(ref.namespace(), ref.room())).as(() -> at("room " + ref)).isEqualTo(expected);
      }
    }

    void trace(String s) {
      trace.addLast(step + ": " + s);
      if (trace.size() > 25) {
        trace.removeFirst();
      }
    }

    String at(String what) {
      StringBuilder b = new StringBuilder("seed " + seed + " step " + step + ": " + what + "\nlast operations:");
      for (Iterator<String> it = trace.iterator(); it.hasNext(); ) {
        b.append("\n  ").append(it.next());
      }
      return Objects.toString(b);
    }
  }
}
