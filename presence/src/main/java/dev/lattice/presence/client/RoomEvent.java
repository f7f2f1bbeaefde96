package dev.lattice.presence.client;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What changed in a room the client is in, and the room as it is now (without the client itself).
 *
 * @param room the room
 * @param members every other member by connection id, in the order the client learned of them;
 *     immutable
 * @param joined members that were not in the view before this event
 * @param updated members whose state changed
 * @param left members that left, disconnected or expired (as they were last seen)
 * @param snapshot true when the edge sent the whole room (after joining or rejoining): the view
 *     was replaced, and {@code joined}/{@code updated}/{@code left} are the difference to the
 *     previous view. The first event after a join is always a snapshot, even of an empty room.
 */
public record RoomEvent(String room, Map<String, Member> members, List<Member> joined, List<Member> updated,
    List<Member> left, boolean snapshot) {
  public RoomEvent {
    Objects.requireNonNull(room, "room");
    members = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(members));
    joined = List.copyOf(joined);
    updated = List.copyOf(updated);
    left = List.copyOf(left);
  }
}
