package dev.lattice.presence;

import java.util.List;
import java.util.Objects;

/**
 * What one subscriber learns about one room in one tick ({@code p-frame}).
 *
 * <p>A client keeps a view {@code id → (user, clock, state)} per room and applies a frame so: if
 * {@code snapshot}, clear the view first; remove every id in {@code left}; then for each entry of
 * {@code members}, keep it if its id is unknown or its clock is higher than the one held. An id is
 * never in both lists. The subscriber's own entry is never in a frame sent to it: a client knows
 * its own state.
 *
 * @param room the room
 * @param members members that joined or changed state since the subscriber's previous frame of this
 *     room (every member but the subscriber when {@code snapshot}), in a deterministic order
 * @param left connection ids, present in the subscriber's view, that left, disconnected or expired
 * @param snapshot whether {@code members} is the whole room, as on the first tick after joining
 */
public record PresenceFrame(String room, List<Entry> members, List<String> left, boolean snapshot)
    implements PresenceMessage.ServerMessage {

  public PresenceFrame {
    Objects.requireNonNull(room, "room");
    members = List.copyOf(members);
    left = List.copyOf(left);
  }

  /**
   * One member as a frame shows it.
   *
   * @param id the member's connection id
   * @param user the member's user id, from its token
   * @param clock increases with every accepted change of this member's state; strictly increasing
   *     for one id in one room, across leave and rejoin, until the connection disconnects
   * @param state the member's state, compact JSON object text
   */
  public record Entry(String id, String user, long clock, String state) {
    public Entry {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(state, "state");
      if (clock < 0) {
        throw new IllegalArgumentException("clock must not be negative: " + clock);
      }
    }
  }
}
