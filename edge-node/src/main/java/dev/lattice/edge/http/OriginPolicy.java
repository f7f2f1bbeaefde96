package dev.lattice.edge.http;

import dev.lattice.edge.config.EdgeConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Decides whether a WebSocket upgrade's {@code Origin} is acceptable; the rule is documented on
 * {@link EdgeConfig}: no {@code Origin}, the node's own origin (same host and port as the
 * {@code Host} header), or one of {@code allowedOrigins} ({@code "*"} allows any). Pure.
 */
final class OriginPolicy {
  private final Set<String> allowed;
  private final boolean any;

  OriginPolicy(List<String> allowedOrigins) {
    this.allowed = Set.copyOf(allowedOrigins);
    this.any = allowed.contains("*");
  }

  /**
   * @param origin the {@code Origin} header, or null
   * @param host the {@code Host} header's host, or null
   * @param hostPort its port, or -1 if absent
   * @param secure true for wss (the default port is then 443, else 80)
   */
  boolean allows(String origin, String host, int hostPort, boolean secure) {
    if (origin == null) {
      return true;
    }
    if (any) {
      return true;
    }
    String normalized;
    URI uri;
    try {
      normalized = EdgeConfig.normalizeOrigin(origin, "Origin");
      uri = new URI(normalized);
    } catch (IllegalArgumentException | URISyntaxException e) {
      return false;  // "null" (sandboxed frames, file: pages) and garbage are nobody's origin
    }
    if (allowed.contains(normalized)) {
      return true;
    }
    if (host == null) {
      return false;
    }
    int originPort = uri.getPort() != -1 ? uri.getPort() : uri.getScheme().equals("https") ? 443 : 80;
    int requestPort = hostPort != -1 ? hostPort : secure ? 443 : 80;
    return uri.getHost().equals(host.toLowerCase(Locale.ROOT)) && originPort == requestPort;
  }
}
