package dev.lattice.presence;

/** One connection's membership of one room. Identity-compared: the hub keeps it in identity-hashed sets. */
final class Member {
  final Room room;
  final Connection connection;
  final MemberIdentity identity;
  final TokenBucket bucket;
  String state;
  long clock;
  long lastSeen;
  /** True until the first tick after joining, which sends this member a snapshot of the room. */
  boolean needsSnapshot = true;
  /** The entry for the current state, shared by every frame that carries it until the state changes. */
  private PresenceFrame.Entry entry;

  Member(Room room, Connection connection, MemberIdentity identity, TokenBucket bucket, String state,
      long clock, long now) {
    this.room = room;
    this.connection = connection;
    this.identity = identity;
    this.bucket = bucket;
    this.state = state;
    this.clock = clock;
    this.lastSeen = now;
  }

  String id() {
    return identity.connectionId();
  }

  void set(String newState, long newClock) {
    state = newState;
    clock = newClock;
    entry = null;
  }

  PresenceFrame.Entry entry() {
    if (entry == null) {
      entry = new PresenceFrame.Entry(identity.connectionId(), identity.userId(), clock, state);
    }
    return entry;
  }
}
