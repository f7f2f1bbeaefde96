package dev.lattice.presence;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the hub remembers of a live connection: its rooms (so a disconnect leaves them all at once),
 * its member clock, and the token buckets of rooms it left less than a second ago.
 *
 * <p>The record lives until {@link PresenceHub#disconnect(String, long)}, even with no rooms: the
 * clock must not restart while the connection can rejoin, or a client holding the old entry would
 * take the new one for a stale frame. Spent buckets outlive the membership so that leaving and
 * rejoining does not refill them.
 */
final class Connection {
  /** A room's full name. */
  record RoomKey(String namespace, String room) {}

  final String id;
  final String userId;
  final LinkedHashMap<RoomKey, Member> memberships = new LinkedHashMap<>();
  private final Map<RoomKey, TokenBucket> spentBuckets = new HashMap<>();
  private long clock;

  Connection(String id, String userId) {
    this.id = id;
    this.userId = userId;
  }

  long nextClock() {
    return ++clock;
  }

  /** The bucket a new membership of {@code key} starts with: the one left behind, or a full one. */
  TokenBucket bucketFor(RoomKey key, int rate, long now) {
    // Pruned here, on the connection's own joins, so the map never outgrows a second of joins.
    for (Iterator<Map.Entry<RoomKey, TokenBucket>> it = spentBuckets.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<RoomKey, TokenBucket> e = it.next();
      if (!e.getKey().equals(key) && e.getValue().isFull(now)) {
        it.remove();
      }
    }
    TokenBucket spent = spentBuckets.get(key);
    return spent != null ? spent : new TokenBucket(rate, now);
  }

  void joined(RoomKey key, Member m) {
    spentBuckets.remove(key);
    memberships.put(key, m);
  }

  void left(RoomKey key, Member m, long now) {
    memberships.remove(key);
    if (!m.bucket.isFull(now)) {
      spentBuckets.put(key, m.bucket);
    }
  }

  int spentBucketCount() {
    return spentBuckets.size();
  }
}
