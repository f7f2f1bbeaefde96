package dev.lattice.presence;

import java.util.Objects;

/**
 * A frame for the edge to send on connection {@code connectionId}. The namespace is not part of the
 * wire frame (the endpoint is); it is here so an edge that multiplexes namespaces on one connection
 * can tell rooms of equal names apart.
 */
public record Outbound(String connectionId, String namespace, PresenceFrame frame) {
  public Outbound {
    Objects.requireNonNull(connectionId, "connectionId");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(frame, "frame");
  }
}
