package dev.lattice.edge.config;

import java.net.URI;
import java.util.Objects;

/**
 * Another edge this node syncs with, both ways.
 *
 * @param url {@code ws://host:port} or {@code wss://host:port}; the sync path is the protocol's
 * @param apiKey the key the peer accepts for the namespaces both serve
 */
public record PeerConfig(URI url, String apiKey) {

  /** @throws IllegalArgumentException if the URL is not ws(s) with a host, or the key is blank */
  public PeerConfig {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(apiKey, "apiKey");
    String scheme = url.getScheme();
    if (scheme == null || !(scheme.equalsIgnoreCase("ws") || scheme.equalsIgnoreCase("wss")) || url.getHost() == null) {
      throw new IllegalArgumentException("url must look like ws://host:port or wss://host:port: '" + url + "'");
    }
    if (apiKey.isBlank()) {
      throw new IllegalArgumentException("apiKey must not be blank (peer " + url + ")");
    }
  }

  /** Like the record's, without the key. */
  @Override
  public String toString() {
    return "PeerConfig[url=" + url + "]";
  }

  /** The port, with the scheme's default when the URL has none. */
  public int port() {
    return url.getPort() != -1 ? url.getPort() : url.getScheme().equalsIgnoreCase("wss") ? 443 : 80;
  }
}
