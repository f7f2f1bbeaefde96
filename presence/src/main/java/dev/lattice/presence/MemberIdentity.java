package dev.lattice.presence;

/**
 * Who a member is, as the edge knows it: the user id from the verified token and the edge's own id
 * for the connection. Neither ever comes from a client message, so a client cannot speak for
 * another user or another tab.
 *
 * <p>The connection id is the member id on the wire (one user may be in a room from two tabs); the
 * user id travels beside it so clients can show names. The edge must not reuse a connection id for
 * another connection: member clocks are counted per connection id and restart after
 * {@link PresenceHub#disconnect(String, long)}.
 *
 * @param userId the token's subject; 1 to {@value #MAX_LENGTH} characters
 * @param connectionId unique per live connection; 1 to {@value #MAX_LENGTH} characters
 */
public record MemberIdentity(String userId, String connectionId) {
  /** Bound on both ids; they are repeated in every frame entry. */
  public static final int MAX_LENGTH = 256;

  /** @throws IllegalArgumentException naming the id that is null, empty or too long */
  public MemberIdentity {
    check("userId", userId);
    check("connectionId", connectionId);
  }

  static void check(String name, String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(name + " must be 1 to " + MAX_LENGTH + " characters: "
          + (id == null ? "null" : id.length() + " characters"));
    }
  }
}
