package dev.lattice.presence.client;

import java.util.Objects;

/**
 * Another member of a room, as the client last heard of it.
 *
 * @param id the member's connection id, assigned by the edge; one user in a room from two tabs is
 *     two members
 * @param user the member's user id, taken by the edge from its credential (display this, not a name
 *     the member wrote into its own state)
 * @param clock increases with each change of the member's state; an entry with a lower clock than
 *     the one held is stale and dropped
 * @param state the member's state, compact JSON object text
 */
public record Member(String id, String user, long clock, String state) {
  public Member {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(state, "state");
  }
}
