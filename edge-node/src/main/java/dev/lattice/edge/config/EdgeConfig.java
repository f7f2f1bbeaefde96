package dev.lattice.edge.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything an edge node is configured with, validated when built: a record tree, loaded from
 * YAML by {@link EdgeConfigLoader} or built in code with {@link #builder()}.
 *
 * <h2>Origin rule for WebSocket upgrades</h2>
 *
 * Browsers send {@code Origin} on every WebSocket upgrade and let any page open a socket to any
 * host, carrying that host's cookies: without a check, a hostile page could drive a session. The
 * node therefore accepts an upgrade only if
 * <ol>
 *   <li>it carries no {@code Origin} header (native clients, peers, the CLI: not a browser, so not
 *       a page acting on someone's behalf), or
 *   <li>its origin is the node's own, i.e. the origin's host and port equal the request's
 *       {@code Host} header (a page served by this node), or
 *   <li>its origin is listed in {@code allowedOrigins} (exact {@code scheme://host[:port]},
 *       case-insensitive, default ports may be omitted), or the list holds {@code "*"}.
 * </ol>
 * With the default empty list only the first two apply. Anything else is refused with 403.
 *
 * @param host the address to listen on
 * @param port the port to listen on; 0 picks a free one (tests)
 * @param dataDir the replica file, the generated token secret and the development key live here
 * @param namespaces the namespaces served, at least one, names unique
 * @param tokenSecret the HMAC key of user tokens (at least 32 bytes of UTF-8); if empty, a random
 *     one is generated once and kept in {@code <dataDir>/token-secret}, owner-only, so tokens
 *     survive restarts
 * @param peers other edges to sync with
 * @param limits per-connection limits
 * @param allowedOrigins extra browser origins allowed to open WebSockets; see the rule above
 * @param antiEntropyInterval how often a Merkle comparison runs with each peer
 * @param compaction the delta log's retention
 */
public record EdgeConfig(
    String host,
    int port,
    Path dataDir,
    List<NamespaceConfig> namespaces,
    Optional<String> tokenSecret,
    List<PeerConfig> peers,
    Limits limits,
    List<String> allowedOrigins,
    Duration antiEntropyInterval,
    Compaction compaction) {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 8080;
  public static final Path DEFAULT_DATA_DIR = Path.of("data");
  public static final Duration DEFAULT_ANTI_ENTROPY = Duration.ofSeconds(30);
  /** The namespace of {@link #embeddedDefaults}. */
  public static final String DEV_NAMESPACE = "dev";
  /** Where {@link #embeddedDefaults} keeps the development API key. */
  public static final String DEV_KEY_FILE = "dev-api-key";
  /** Where the generated token secret is kept when none is configured. */
  public static final String TOKEN_SECRET_FILE = "token-secret";
  static final int MIN_SECRET_BYTES = 32;

  /**
   * @throws IllegalArgumentException naming the first invalid field and its value
   */
  public EdgeConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(tokenSecret, "tokenSecret");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(antiEntropyInterval, "antiEntropyInterval");
    Objects.requireNonNull(compaction, "compaction");
    namespaces = List.copyOf(namespaces);
    peers = List.copyOf(peers);
    if (host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be in [0, 65535]: " + port);
    }
    if (namespaces.isEmpty()) {
      throw new IllegalArgumentException("namespaces must name at least one namespace");
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < namespaces.size(); i++) {
      if (!names.add(namespaces.get(i).name())) {
        throw new IllegalArgumentException("namespaces[" + i + "].name '" + namespaces.get(i).name() + "' is a duplicate");
      }
    }
    tokenSecret.ifPresent(s -> {
      int bytes = s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      if (bytes < MIN_SECRET_BYTES) {
        throw new IllegalArgumentException("tokenSecret must be at least " + MIN_SECRET_BYTES + " bytes (it has " + bytes
            + "); leave it out to have one generated");
      }
    });
    List<String> origins = new ArrayList<>();
    for (int i = 0; i < allowedOrigins.size(); i++) {
      origins.add(normalizeOrigin(allowedOrigins.get(i), "allowedOrigins[" + i + "]"));
    }
    allowedOrigins = List.copyOf(origins);
    if (antiEntropyInterval.isNegative() || antiEntropyInterval.toMillis() < 1) {
      throw new IllegalArgumentException("antiEntropyInterval must be at least 1 ms: " + antiEntropyInterval);
    }
  }

  /**
   * The configuration of {@code lattice edge} without {@code --config}: one schemaless namespace
   * {@value #DEV_NAMESPACE} with one API key, generated at the first start and kept in
   * {@code <dataDir>/dev-api-key} (owner-only) so it stays the same across restarts.
   *
   * @throws EdgeConfigException IO if the key file cannot be read or created
   */
  public static EdgeConfig embeddedDefaults(Path dataDir, int port) throws EdgeConfigException {
    String key = PersistedSecret.readOrCreate(dataDir.resolve(DEV_KEY_FILE), "dev_", 24);
    return builder().dataDir(dataDir).port(port).namespace(NamespaceConfig.schemaless(DEV_NAMESPACE, List.of(key))).build();
  }

  /** Like the record's, without the token secret: configurations end up in logs. */
  @Override
  public String toString() {
    return "EdgeConfig[host=" + host + ", port=" + port + ", dataDir=" + dataDir + ", namespaces=" + namespaces
        + ", tokenSecret=" + (tokenSecret.isPresent() ? "(configured)" : "(generated)") + ", peers=" + peers
        + ", limits=" + limits + ", allowedOrigins=" + allowedOrigins + ", antiEntropyInterval=" + antiEntropyInterval
        + ", compaction=" + compaction + "]";
  }

  /** The configured namespace of that name. */
  public Optional<NamespaceConfig> namespace(String name) {
    return namespaces.stream().filter(n -> n.name().equals(name)).findFirst();
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * {@code scheme://host[:port]} in lower case without the scheme's default port, or {@code *}.
   *
   * @throws IllegalArgumentException naming {@code key} if it is not an origin
   */
  public static String normalizeOrigin(String origin, String key) {
    Objects.requireNonNull(origin, key);
    if (origin.equals("*")) {
      return origin;
    }
    URI uri;
    try {
      uri = new URI(origin.strip());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException(key + " is not an origin (scheme://host[:port]): '" + origin + "'");
    }
    String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
    boolean emptyPath = uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/");
    if (scheme == null || uri.getHost() == null || !emptyPath || uri.getRawQuery() != null || uri.getUserInfo() != null) {
      throw new IllegalArgumentException(key + " is not an origin (scheme://host[:port]): '" + origin + "'");
    }
    int port = uri.getPort();
    boolean defaultPort = port == -1 || (port == 80 && scheme.equals("http")) || (port == 443 && scheme.equals("https"));
    return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
  }

  /** Starts from the defaults, or from a configuration with {@link #toBuilder()}. */
  public static final class Builder {
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private Path dataDir = DEFAULT_DATA_DIR;
    private final List<NamespaceConfig> namespaces = new ArrayList<>();
    private Optional<String> tokenSecret = Optional.empty();
    private final List<PeerConfig> peers = new ArrayList<>();
    private Limits limits = Limits.DEFAULT;
    private final List<String> allowedOrigins = new ArrayList<>();
    private Duration antiEntropyInterval = DEFAULT_ANTI_ENTROPY;
    private Compaction compaction = Compaction.DEFAULT;

    private Builder() {}

    private Builder(EdgeConfig c) {
      host = c.host;
      port = c.port;
      dataDir = c.dataDir;
      namespaces.addAll(c.namespaces);
      tokenSecret = c.tokenSecret;
      peers.addAll(c.peers);
      limits = c.limits;
      allowedOrigins.addAll(c.allowedOrigins);
      antiEntropyInterval = c.antiEntropyInterval;
      compaction = c.compaction;
    }

    public Builder host(String v) {
      host = v;
      return this;
    }

    public Builder port(int v) {
      port = v;
      return this;
    }

    public Builder dataDir(Path v) {
      dataDir = v;
      return this;
    }

    public Builder namespace(NamespaceConfig v) {
      namespaces.add(v);
      return this;
    }

    public Builder namespaces(List<NamespaceConfig> v) {
      namespaces.clear();
      namespaces.addAll(v);
      return this;
    }

    public Builder tokenSecret(String v) {
      tokenSecret = Optional.ofNullable(v);
      return this;
    }

    public Builder peer(PeerConfig v) {
      peers.add(v);
      return this;
    }

    public Builder peers(List<PeerConfig> v) {
      peers.clear();
      peers.addAll(v);
      return this;
    }

    public Builder limits(Limits v) {
      limits = v;
      return this;
    }

    public Builder allowedOrigins(List<String> v) {
      allowedOrigins.clear();
      allowedOrigins.addAll(v);
      return this;
    }

    public Builder antiEntropyInterval(Duration v) {
      antiEntropyInterval = v;
      return this;
    }

    public Builder compaction(Compaction v) {
      compaction = v;
      return this;
    }

    /** @throws IllegalArgumentException naming the first invalid field */
    public EdgeConfig build() {
      return new EdgeConfig(host, port, dataDir, namespaces, tokenSecret, peers, limits, allowedOrigins,
          antiEntropyInterval, compaction);
    }
  }
}
