package dev.lattice.edge.auth;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a signed user token says: who the user is in which namespace, with which roles, until when.
 * Identity for access rules and presence comes from here, never from a client's message.
 *
 * @param namespace the only namespace the token is valid for
 * @param userId the user, non-empty
 * @param roles the user's roles, sorted, without duplicates
 * @param expiresAtEpochSeconds the first second at which the token is no longer accepted
 */
public record UserToken(String namespace, String userId, List<String> roles, long expiresAtEpochSeconds) {

  /** @throws IllegalArgumentException if the namespace or user id is empty or a role is blank */
  public UserToken {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(userId, "userId");
    if (namespace.isEmpty() || userId.isEmpty()) {
      throw new IllegalArgumentException("a token needs a namespace and a user id: ns='" + namespace + "' sub='" + userId
          + "'");
    }
    for (String r : roles) {
      if (r == null || r.isBlank()) {
        throw new IllegalArgumentException("a role must not be blank: " + roles);
      }
    }
    roles = List.copyOf(new TreeSet<>(roles));
  }

  public Set<String> roleSet() {
    return Set.copyOf(roles);
  }
}
