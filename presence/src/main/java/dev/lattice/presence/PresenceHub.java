package dev.lattice.presence;

import dev.lattice.presence.Connection.RoomKey;
import dev.lattice.presence.PresenceException.Reason;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * All presence rooms of all namespaces: who is in which room with what state, and what each member
 * must be told. Sans-I/O: the caller passes time into every call and sends what {@link #tick(long)}
 * returns; nothing here reads a clock, starts a timer or touches a socket.
 *
 * <h2>What it guarantees</h2>
 * <ul>
 *   <li><b>At most one frame per subscriber, room and tick.</b> Every member of a room is a
 *       subscriber of it. With the tick period the edge uses ({@link PresenceConfig#tick()}, 50 ms by
 *       default), a client receives at most 20 frames per room per second however fast others
 *       update, and a change waits at most one tick before it leaves.
 *   <li><b>Nothing is lost by coalescing.</b> A frame carries every member that joined or changed
 *       since the subscriber's previous frame, with its latest state, and every member the
 *       subscriber knew that left, disconnected or expired since. Applying the frames in order (see
 *       {@link PresenceFrame}) gives the room as it is at the tick, minus the subscriber itself.
 *       Intermediate states between two ticks are skipped on purpose: presence is "where is the
 *       cursor now", not a log.
 *   <li><b>No frame repeats what the subscriber has.</b> A member unchanged since the subscriber's
 *       previous frame is not in the next one; a quiet room costs nothing per tick.
 *   <li><b>A subscriber never receives its own entry.</b> It knows its own state; echoing it would
 *       double the traffic of every update. The first tick after a join sends the joiner a
 *       snapshot of everyone else instead ({@code snapshot: true}), even an empty one, so the client
 *       knows its view is complete.
 *   <li><b>Per-member clocks.</b> Each accepted state change takes the next value of a counter kept
 *       per connection (like the clocks of Yjs awareness [1]); frames carry it so a client can drop
 *       an older entry that arrives late, once frames travel through more than one path. A
 *       per-connection counter stays increasing across leave and rejoin of a room, where a
 *       per-membership one would restart and look stale.
 *   <li><b>A refused operation changes nothing.</b> Every check runs before the first mutation;
 *       refusals are {@link PresenceException}s with a stable wire code.
 *   <li><b>Silence expires.</b> A member with no join, update or touch for
 *       {@link PresenceConfig#memberTtl()} is removed by the next tick and reported as left; a
 *       {@link #touch} renews the TTL without broadcasting anything. The expired member itself is
 *       not told (its socket is presumably gone); if it is still there, its next update or touch
 *       is refused with {@code not-a-member} and it joins again. A disconnect removes the
 *       connection from all its rooms at once, reported on the next tick.
 * </ul>
 *
 * <h2>Why identity comes from the caller</h2>
 * Operations take a {@link MemberIdentity} that the edge builds from the verified token and its own
 * connection id; client messages have no identity fields at all ({@link PresenceCodec} refuses
 * them). A client therefore cannot move another user's cursor or pose as another tab. The member id
 * on the wire is the connection id, so one user with two tabs is two members; the user id rides
 * beside it for display. Names a client writes into its own state are just state: display the
 * frame's {@code user}, not a name from the state.
 *
 * <h2>Why coalescing per tick, and what a tick costs</h2>
 * A room of 200 members each moving a cursor at 20 Hz makes 4,000 updates per second; forwarding
 * each to 199 others would be 800,000 frames per second. Per tick, each subscriber instead gets one
 * frame with the latest entry of each member that changed: 20 frames per second per client, each
 * as large as the changes. The work is kept proportional to that output:
 * <ul>
 *   <li>each room keeps the members changed since the last tick (an insertion-ordered map, so a
 *       member changing ten times in a tick is one entry) and the ids of announced members that
 *       left. Only rooms with such changes are visited, through a set of dirty rooms;</li>
 *   <li>a visited room builds its delta list once; each subscriber gets that same immutable list,
 *       or a copy without its own entry if it changed itself. Entries are cached per member state,
 *       so unchanged members are not re-allocated. Cost: O(changes × subscribers), which is the
 *       size of the output, and no O(members²) work. A full-room snapshot is built only for rooms
 *       with a new joiner, once for all joiners of that tick;</li>
 *   <li>since every subscriber of a visited room is served at each tick, "changed since your last
 *       frame" is "changed since the last tick" for all of them but new joiners, who get a
 *       snapshot. One shared delta thus serves everyone; no per-subscriber cursors are needed;</li>
 *   <li>expiry keeps all members in one list ordered by last renewal (a {@link LinkedHashSet},
 *       re-inserted on renewal; the hub's time never goes backwards, so insertion order is
 *       renewal order). A tick pops expired members from the head: O(expired), not O(members).</li>
 * </ul>
 *
 * <h2>Time</h2>
 * Every call takes {@code nowMillis}. The hub keeps the latest value it has seen and uses it where
 * a call passes an earlier one, so a wall clock stepping back cannot un-expire members or refill
 * buckets twice.
 *
 * <h2>Threads and memory</h2>
 * Not thread-safe: the edge confines a hub to one event-loop thread, the natural home of a
 * sans-I/O core. The edge must call {@link #disconnect} when a connection closes: the hub keeps a
 * small per-connection record (rooms, member clock, recently spent rate buckets) until then.
 *
 * <p>[1] Yjs, y-protocols {@code awareness.js}: per-client clock, 30 s timeout, outdated states
 * removed by a periodic check.
 */
public final class PresenceHub {
  private final PresenceConfig config;
  private final long ttlMillis;
  private final StateValidator states;
  private final Map<String, Map<String, Room>> namespaces = new HashMap<>();
  private final Map<String, Connection> connections = new HashMap<>();
  /** Every member, in order of last renewal; identity-hashed. */
  private final LinkedHashSet<Member> byLastSeen = new LinkedHashSet<>();
  /** Rooms with something to send at the next tick. */
  private final LinkedHashSet<Room> dirty = new LinkedHashSet<>();
  private long now = Long.MIN_VALUE;

  public PresenceHub(PresenceConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.ttlMillis = config.memberTtl().toMillis();
    this.states = new StateValidator(config);
  }

  public PresenceConfig config() {
    return config;
  }

  /**
   * Adds the connection to {@code room} with {@code stateJson}, creating the room if needed. The
   * next tick sends the joiner a snapshot and everyone else the new entry. Takes a rate token.
   *
   * @throws PresenceException INVALID_ROOM, ALREADY_JOINED, TOO_MANY_ROOMS (namespace or
   *     connection), ROOM_FULL, STATE_TOO_LARGE, MALFORMED, RATE_LIMITED (after leaving and rejoining
   *     within a second, the member's spent bucket is still in force)
   * @throws IllegalArgumentException if the connection id was seen with another user id
   */
  public void join(String namespace, String room, MemberIdentity identity, String stateJson, long nowMillis)
      throws PresenceException {
    checkArgs(namespace, room, identity);
    long t = advance(nowMillis);
    Connection conn = connection(identity);
    Room r = room(namespace, room);
    RoomKey key = new RoomKey(namespace, room);
    if (r != null && r.members.containsKey(identity.connectionId())) {
      throw new PresenceException(Reason.ALREADY_JOINED, room,
          "connection " + identity.connectionId() + " is already in room " + room);
    }
    if (r == null && roomCount(namespace) >= config.maxRoomsPerNamespace()) {
      throw new PresenceException(Reason.TOO_MANY_ROOMS, room,
          "namespace has " + config.maxRoomsPerNamespace() + " rooms, the limit");
    }
    if (conn != null && conn.memberships.size() >= config.maxRoomsPerConnection()) {
      throw new PresenceException(Reason.TOO_MANY_ROOMS, room,
          "connection is in " + config.maxRoomsPerConnection() + " rooms, the limit");
    }
    if (r != null && r.members.size() >= config.maxMembersPerRoom()) {
      throw new PresenceException(Reason.ROOM_FULL, room,
          "room has " + config.maxMembersPerRoom() + " members, the limit");
    }
    String state = states.compact(stateJson, room);
    TokenBucket bucket = conn == null ? new TokenBucket(config.maxUpdatesPerSecond(), t)
        : conn.bucketFor(key, config.maxUpdatesPerSecond(), t);
    if (!bucket.tryTake(t)) {
      throw rateLimited(room, bucket, t);
    }
    // Checked; from here on nothing can fail.
    if (conn == null) {
      conn = new Connection(identity.connectionId(), identity.userId());
      connections.put(conn.id, conn);
    }
    if (r == null) {
      r = new Room(namespace, room);
      namespaces.computeIfAbsent(namespace, n -> new HashMap<>()).put(room, r);
    }
    Member m = new Member(r, conn, identity, bucket, state, conn.nextClock(), t);
    r.add(m);
    conn.joined(key, m);
    byLastSeen.add(m);
    dirty.add(r);
  }

  /**
   * Replaces the member's state and renews its TTL. Returns whether the state changed: an equal
   * state (compared in compact form) is not broadcast and keeps its clock. Takes a rate token.
   *
   * @throws PresenceException INVALID_ROOM, NOT_A_MEMBER, STATE_TOO_LARGE, MALFORMED, RATE_LIMITED
   * @throws IllegalArgumentException if the connection id was seen with another user id
   */
  public boolean update(String namespace, String room, MemberIdentity identity, String stateJson, long nowMillis)
      throws PresenceException {
    checkArgs(namespace, room, identity);
    long t = advance(nowMillis);
    Member m = member(namespace, room, identity);
    String state = states.compact(stateJson, room);
    if (!m.bucket.tryTake(t)) {
      throw rateLimited(room, m.bucket, t);
    }
    renew(m, t);
    if (state.equals(m.state)) {
      return false;
    }
    m.set(state, m.connection.nextClock());
    m.room.changed(m);
    dirty.add(m.room);
    return true;
  }

  /**
   * Renews the member's TTL without changing or broadcasting anything (a heartbeat). Takes a rate
   * token, as any message does.
   *
   * @throws PresenceException INVALID_ROOM, NOT_A_MEMBER, RATE_LIMITED
   */
  public void touch(String namespace, String room, MemberIdentity identity, long nowMillis) throws PresenceException {
    checkArgs(namespace, room, identity);
    long t = advance(nowMillis);
    Member m = member(namespace, room, identity);
    if (!m.bucket.tryTake(t)) {
      throw rateLimited(room, m.bucket, t);
    }
    renew(m, t);
  }

  /**
   * Removes the member from the room; the next tick tells the others. Leaving takes no rate token:
   * it only ever lowers the load.
   *
   * @throws PresenceException INVALID_ROOM, NOT_A_MEMBER
   */
  public void leave(String namespace, String room, MemberIdentity identity, long nowMillis) throws PresenceException {
    checkArgs(namespace, room, identity);
    long t = advance(nowMillis);
    remove(member(namespace, room, identity), t);
  }

  /**
   * Removes the connection from every room at once and forgets it; the next tick tells the other
   * members. Unknown ids are ignored, so the edge may call this for every closed socket.
   *
   * @return how many rooms the connection left
   */
  public int disconnect(String connectionId, long nowMillis) {
    Objects.requireNonNull(connectionId, "connectionId");
    long t = advance(nowMillis);
    Connection conn = connections.remove(connectionId);
    if (conn == null) {
      return 0;
    }
    List<Member> ms = new ArrayList<>(conn.memberships.values());
    for (Member m : ms) {
      remove(m, t);
    }
    return ms.size();
  }

  /**
   * Expires silent members, then returns this tick's frames: for each room with something new, at
   * most one frame per member. Rooms appear in the order they first changed, members in join
   * order, so equal schedules give equal output.
   */
  public List<Outbound> tick(long nowMillis) {
    long t = advance(nowMillis);
    expire(t);
    if (dirty.isEmpty()) {
      return List.of();
    }
    List<Outbound> out = new ArrayList<>();
    for (Room r : dirty) {
      r.emit(out);
    }
    dirty.clear();
    return out;
  }

  /** The room's members in join order with their current entries; empty if the room does not exist. Allocates: not for the tick path. */
  public List<PresenceFrame.Entry> members(String namespace, String room) {
    Room r = room(namespace, room);
    if (r == null) {
      return List.of();
    }
    List<PresenceFrame.Entry> out = new ArrayList<>(r.members.size());
    for (Member m : r.members.values()) {
      out.add(m.entry());
    }
    return Collections.unmodifiableList(out);
  }

  /** The namespace's live rooms, sorted. */
  public Set<String> rooms(String namespace) {
    Map<String, Room> rs = namespaces.get(namespace);
    return rs == null ? Set.of() : Collections.unmodifiableSet(new TreeSet<>(rs.keySet()));
  }

  /** Members over all rooms. */
  public int memberCount() {
    return byLastSeen.size();
  }

  /** Connections the hub remembers (until {@link #disconnect}). */
  public int connectionCount() {
    return connections.size();
  }

  // ---- internals

  private long advance(long nowMillis) {
    if (nowMillis > now) {
      now = nowMillis;
    }
    return now;
  }

  private void checkArgs(String namespace, String room, MemberIdentity identity) throws PresenceException {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(identity, "identity");
    if (namespace.isEmpty()) {
      throw new IllegalArgumentException("namespace must not be empty");
    }
    if (!config.isValidRoomName(room)) {
      // The bad name is not echoed as the error's room: it may be anything, of any length.
      throw new PresenceException(Reason.INVALID_ROOM, null, "room name must be 1 to "
          + config.maxRoomNameLength() + " characters of A-Z a-z 0-9 . _ - : / @, got " + excerpt(room));
    }
  }

  private static String excerpt(String s) {
    if (s == null) {
      return "none";
    }
    return s.length() <= 40 ? '"' + s + '"' : '"' + s.substring(0, 40) + "...\" (" + s.length() + " characters)";
  }

  private Connection connection(MemberIdentity identity) {
    Connection conn = connections.get(identity.connectionId());
    if (conn != null && !conn.userId.equals(identity.userId())) {
      // The edge reused a connection id for another user: a bug on our side, not the client's.
      throw new IllegalArgumentException("connection " + conn.id + " belongs to user " + conn.userId
          + ", not " + identity.userId());
    }
    return conn;
  }

  private Room room(String namespace, String room) {
    Map<String, Room> rs = namespaces.get(namespace);
    return rs == null ? null : rs.get(room);
  }

  private int roomCount(String namespace) {
    Map<String, Room> rs = namespaces.get(namespace);
    return rs == null ? 0 : rs.size();
  }

  private Member member(String namespace, String room, MemberIdentity identity) throws PresenceException {
    connection(identity);
    Room r = room(namespace, room);
    Member m = r == null ? null : r.members.get(identity.connectionId());
    if (m == null) {
      throw new PresenceException(Reason.NOT_A_MEMBER, room,
          "connection " + identity.connectionId() + " is not in room " + room);
    }
    return m;
  }

  private static PresenceException rateLimited(String room, TokenBucket bucket, long t) {
    return new PresenceException(Reason.RATE_LIMITED, room,
        "too many messages for room " + room + "; next allowed in " + bucket.millisToNextToken(t) + " ms");
  }

  private void renew(Member m, long t) {
    m.lastSeen = t;
    byLastSeen.remove(m);
    byLastSeen.add(m);
  }

  private void remove(Member m, long t) {
    Room r = m.room;
    r.remove(m);
    byLastSeen.remove(m);
    m.connection.left(new RoomKey(r.namespace, r.name), m, t);
    if (r.members.isEmpty()) {
      // Nobody is left to tell; a later join starts a fresh room.
      Map<String, Room> rs = namespaces.get(r.namespace);
      rs.remove(r.name);
      if (rs.isEmpty()) {
        namespaces.remove(r.namespace);
      }
      dirty.remove(r);
    } else {
      dirty.add(r);
    }
  }

  private void expire(long t) {
    List<Member> expired = null;
    for (Iterator<Member> it = byLastSeen.iterator(); it.hasNext(); ) {
      Member m = it.next();
      if (t - m.lastSeen < ttlMillis) {
        break;
      }
      if (expired == null) {
        expired = new ArrayList<>();
      }
      expired.add(m);
    }
    if (expired != null) {
      for (Member m : expired) {
        remove(m, t);
      }
    }
  }

  /** Checks the cross-references between rooms, connections, the expiry list and dirty rooms; for tests. */
  void checkInvariants() {
    int total = 0;
    long previous = Long.MIN_VALUE;
    for (Member m : byLastSeen) {
      check(m.lastSeen >= previous, () -> "expiry list out of order at " + m.id());
      previous = m.lastSeen;
    }
    for (Map.Entry<String, Map<String, Room>> ns : namespaces.entrySet()) {
      check(!ns.getValue().isEmpty(), () -> "empty namespace " + ns.getKey());
      check(ns.getValue().size() <= config.maxRoomsPerNamespace(), () -> "too many rooms in " + ns.getKey());
      for (Room r : ns.getValue().values()) {
        check(!r.members.isEmpty(), () -> "empty room " + r.name);
        check(r.members.size() <= config.maxMembersPerRoom(), () -> "room over capacity " + r.name);
        check(r.namespace.equals(ns.getKey()), () -> "room in the wrong namespace " + r.name);
        for (Member m : r.members.values()) {
          total++;
          check(m.room == r, () -> "member in the wrong room " + m.id());
          check(byLastSeen.contains(m), () -> "member missing from the expiry list " + m.id());
          check(connections.get(m.id()) == m.connection, () -> "member of an unknown connection " + m.id());
          check(m.connection.memberships.get(new RoomKey(r.namespace, r.name)) == m, () -> "connection lost " + m.id());
        }
        for (Member m : r.changed.values()) {
          check(r.members.get(m.id()) == m, () -> "changed member not present " + m.id());
        }
        check(!r.hasPendingWork() || dirty.contains(r), () -> "room with news is not dirty " + r.name);
      }
    }
    int inRooms = total;
    check(inRooms == byLastSeen.size(), () -> "expiry list holds " + byLastSeen.size() + " members, rooms " + inRooms);
    for (Connection c : connections.values()) {
      check(c.memberships.size() <= config.maxRoomsPerConnection(), () -> "connection over its room limit " + c.id);
      for (Member m : c.memberships.values()) {
        check(room(m.room.namespace, m.room.name) == m.room && m.room.members.get(c.id) == m,
            () -> "connection " + c.id + " holds a stale membership");
      }
    }
    for (Room r : dirty) {
      check(room(r.namespace, r.name) == r, () -> "dirty room is gone " + r.name);
    }
  }

  private static void check(boolean ok, Supplier<String> what) {
    if (!ok) {
      throw new IllegalStateException(what.get());
    }
  }
}
