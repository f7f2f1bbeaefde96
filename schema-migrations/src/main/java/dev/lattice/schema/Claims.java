package dev.lattice.schema;

import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who is asking, as the edge learned it from a verified token: a user id and roles. The
 * {@linkplain #ofServer() server} identity stands for the edge itself and its peers, which see and
 * write everything, server-only data included; it is never derived from a client token.
 */
public record Claims(String userId, Set<String> roles, boolean server) {

  /** @throws IllegalArgumentException if a user claim has no user id */
  public Claims {
    Objects.requireNonNull(userId, "userId");
    roles = Set.copyOf(new TreeSet<>(roles));
    if (!server && userId.isEmpty()) {
      throw new IllegalArgumentException("a user's claims need a non-empty user id");
    }
  }

  public static Claims user(String userId, Set<String> roles) {
    return new Claims(userId, roles, false);
  }

  public static Claims user(String userId, String... roles) {
    return new Claims(userId, Set.of(roles), false);
  }

  public static Claims ofServer() {
    return new Claims("", Set.of(), true);
  }

  public boolean hasRole(String role) {
    return roles.contains(role);
  }
}
