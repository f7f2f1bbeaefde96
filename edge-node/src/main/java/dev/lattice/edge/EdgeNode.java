package dev.lattice.edge;

import dev.lattice.edge.auth.Authenticator;
import dev.lattice.edge.auth.TokenSigner;
import dev.lattice.edge.config.EdgeConfig;
import dev.lattice.edge.config.EdgeConfigException;
import dev.lattice.edge.config.NamespaceConfig;
import dev.lattice.edge.config.PersistedSecret;
import dev.lattice.edge.http.EdgeServer;
import dev.lattice.edge.http.SocketEndpoint;
import dev.lattice.replica.Durability;
import dev.lattice.replica.Replica;
import dev.lattice.replica.ReplicaException;
import dev.lattice.replica.ReplicaOptions;
import dev.lattice.replica.RetentionPolicy;
import dev.lattice.replica.Role;
import dev.lattice.schema.Schema;
import dev.lattice.schema.SchemaException;
import dev.lattice.schema.load.SchemaLoader;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A running edge node: the replica, the served namespaces, authentication, metrics and the HTTP
 * server ({@link EdgeServer}) that carries REST and the WebSocket endpoints.
 *
 * <pre>{@code
 * EdgeNode.start(vertx, EdgeConfig.embeddedDefaults(Path.of("data"), 8080), Map.of("/v1/sync", syncEndpoint))
 *     .onSuccess(node -> System.out.println("listening on " + node.port()));
 * }</pre>
 *
 * <h2>Life cycle</h2>
 *
 * {@link #start} does the blocking part on a worker thread (the token secret, the schema files,
 * opening the replica file with role {@code EDGE} and durability {@code SYNC}), then deploys the
 * server verticle; the node is {@linkplain #ready() ready} once it listens. {@link #close} first
 * marks the node not ready (so {@code /ready} answers 503 and new upgrades are refused), runs the
 * close hooks endpoints registered, undeploys the server (closing its connections), waits for a
 * running log compaction, and closes the replica on a worker thread.
 */
public final class EdgeNode {
  /** The replica file's name in the data directory. */
  public static final String REPLICA_FILE = "replica.mv.db";
  private static final Logger LOG = Logger.getLogger(EdgeNode.class.getName());

  private final Vertx vertx;
  private final EdgeConfig config;
  private final Replica replica;
  private final Map<String, EdgeNamespace> namespaces;
  private final Authenticator authenticator;
  private final EdgeMetrics metrics;
  private final List<Supplier<Future<Void>>> closeHooks = new CopyOnWriteArrayList<>();
  private volatile EdgeServer server;
  private volatile java.util.Set<String> endpointPaths = java.util.Set.of();
  private volatile String deploymentId;
  private volatile boolean ready;
  private volatile long compactionTimer = -1;
  private volatile Future<?> compacting = Future.succeededFuture();
  private Future<Void> closed;

  private EdgeNode(Vertx vertx, EdgeConfig config, Replica replica, Map<String, EdgeNamespace> namespaces,
      Authenticator authenticator, EdgeMetrics metrics) {
    this.vertx = vertx;
    this.config = config;
    this.replica = replica;
    this.namespaces = Collections.unmodifiableMap(namespaces);
    this.authenticator = authenticator;
    this.metrics = metrics;
  }

  /** {@link #start(Vertx, EdgeConfig, Map)} with no WebSocket endpoints (REST only). */
  public static Future<EdgeNode> start(Vertx vertx, EdgeConfig config) {
    return start(vertx, config, Map.of());
  }

  /**
   * Opens the node's storage and starts its server with {@code endpoints}: WebSocket endpoints by
   * exact path (e.g. {@code "/v1/sync"}). Fails with {@link EdgeConfigException} for a bad schema
   * directory or an unreadable secret, and with {@link ReplicaException} if the replica file is
   * locked by another process or damaged; nothing stays open after a failure.
   *
   * @throws IllegalArgumentException at once if an endpoint path does not start with {@code /}
   */
  public static Future<EdgeNode> start(Vertx vertx, EdgeConfig config, Map<String, SocketEndpoint> endpoints) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(config, "config");
    Map<String, SocketEndpoint> paths = new LinkedHashMap<>(endpoints);
    paths.keySet().forEach(p -> {
      if (!p.startsWith("/")) {
        throw new IllegalArgumentException("an endpoint path must start with '/': '" + p + "'");
      }
    });
    return vertx.<EdgeNode>executeBlocking(() -> open(vertx, config), false)
        .compose(node -> {
          EdgeServer server = new EdgeServer(node, paths);
          node.server = server;
          node.endpointPaths = java.util.Set.copyOf(paths.keySet());
          return vertx.deployVerticle(server)
              .map(id -> {
                node.deploymentId = id;
                node.ready = true;
                node.scheduleCompaction();
                return node;
              })
              .recover(failure -> vertx.executeBlocking(() -> {
                node.replica.close();
                return null;
              }, false).transform(ignored -> Future.failedFuture(failure)));
        });
  }

  private static EdgeNode open(Vertx vertx, EdgeConfig config) throws EdgeConfigException {
    String secret = config.tokenSecret().isPresent() ? config.tokenSecret().get()
        : PersistedSecret.readOrCreate(config.dataDir().resolve(EdgeConfig.TOKEN_SECRET_FILE), "", 32);
    TokenSigner signer = new TokenSigner(secret.getBytes(StandardCharsets.UTF_8), Clock.systemUTC());
    Map<String, Optional<Schema>> schemas = new LinkedHashMap<>();
    SchemaLoader loader = new SchemaLoader();
    ReplicaOptions.Builder options = ReplicaOptions.builder().role(Role.EDGE).durability(Durability.SYNC)
        .retention(config.compaction().retentionPolicy());
    for (int i = 0; i < config.namespaces().size(); i++) {
      NamespaceConfig ns = config.namespaces().get(i);
      Optional<Schema> schema = Optional.empty();
      if (ns.schemaDir().isPresent()) {
        schema = Optional.of(loadSchema(loader, ns, "namespaces[" + i + "].schemaDir"));
        options.schema(schema.get());
      }
      schemas.put(ns.name(), schema);
    }
    Replica replica = Replica.open(config.dataDir().resolve(REPLICA_FILE), options.build());
    try {
      EdgeMetrics metrics = new EdgeMetrics();
      metrics.bindReplica(replica.metrics());
      Map<String, EdgeNamespace> namespaces = new LinkedHashMap<>();
      schemas.forEach((name, schema) -> {
        namespaces.put(name, EdgeNamespace.of(replica.namespace(name), schema));
        metrics.registerNamespace(name);
      });
      return new EdgeNode(vertx, config, replica, namespaces, Authenticator.of(config, signer), metrics);
    } catch (RuntimeException e) {
      replica.close();
      throw e;
    }
  }

  private static Schema loadSchema(SchemaLoader loader, NamespaceConfig ns, String key) throws EdgeConfigException {
    Path dir = ns.schemaDir().orElseThrow();
    Schema schema;
    try {
      schema = loader.loadDirectory(dir);
    } catch (SchemaException e) {
      throw new EdgeConfigException(EdgeConfigException.Reason.SCHEMA, dir.toString(), key, e.getMessage(), e);
    }
    if (!schema.namespace().equals(ns.name())) {
      throw new EdgeConfigException(EdgeConfigException.Reason.SCHEMA, dir.toString(), key,
          "the schema files are for namespace '" + schema.namespace() + "', not '" + ns.name() + "'");
    }
    return schema;
  }

  public Vertx vertx() {
    return vertx;
  }

  public EdgeConfig config() {
    return config;
  }

  public Replica replica() {
    return replica;
  }

  /** The served namespaces, in configuration order. */
  public Map<String, EdgeNamespace> namespaces() {
    return namespaces;
  }

  public Optional<EdgeNamespace> namespace(String name) {
    return Optional.ofNullable(namespaces.get(name));
  }

  public Authenticator authenticator() {
    return authenticator;
  }

  /** Signs user tokens with the node's secret (the one {@link #authenticator()} verifies with). */
  public TokenSigner tokenSigner() {
    return authenticator.signer();
  }

  public EdgeMetrics metrics() {
    return metrics;
  }

  /** The port the server listens on (the actual one when configured with 0). */
  public int port() {
    EdgeServer s = server;
    return s == null ? -1 : s.port();
  }

  /** The paths of the WebSocket endpoints the server routes upgrades to. */
  public java.util.Set<String> endpointPaths() {
    return endpointPaths;
  }

  /** True from the moment the server listens until {@link #close} begins. */
  public boolean ready() {
    return ready;
  }

  /**
   * Registers work to do when the node closes, before the server is undeployed and the replica
   * closed (an endpoint stopping its peer links, say). Hooks run one after another.
   */
  public void addCloseHook(Supplier<Future<Void>> hook) {
    closeHooks.add(Objects.requireNonNull(hook, "hook"));
  }

  /** Stops the node; see the class comment. Calling it again returns the same future. */
  public synchronized Future<Void> close() {
    if (closed != null) {
      return closed;
    }
    ready = false;
    if (compactionTimer >= 0) {
      vertx.cancelTimer(compactionTimer);
    }
    Future<Void> chain = Future.succeededFuture();
    for (Supplier<Future<Void>> hook : new ArrayList<>(closeHooks)) {
      chain = chain.transform(ignored -> hook.get());
    }
    String id = deploymentId;
    Future<Void> undeployed = chain.transform(ignored -> id == null ? Future.succeededFuture() : vertx.undeploy(id));
    closed = undeployed
        .transform(ar -> compacting.transform(ignored -> Future.succeededFuture()))
        .transform(ignored -> vertx.<Void>executeBlocking(() -> {
          replica.close();
          return null;
        }, false))
        .transform(ar -> {
          metrics.registry().close();
          return undeployed.failed() ? undeployed : ar.failed() ? Future.<Void>failedFuture(ar.cause()) : Future.<Void>succeededFuture();
        });
    return closed;
  }

  private void scheduleCompaction() {
    RetentionPolicy policy = config.compaction().retentionPolicy();
    compactionTimer = vertx.setPeriodic(config.compaction().interval().toMillis(), t -> {
      if (!ready || !compacting.isComplete()) {
        return;
      }
      compacting = vertx.executeBlocking(() -> {
        for (EdgeNamespace ns : namespaces.values()) {
          try {
            ns.namespace().compactLog(policy);
          } catch (ReplicaException e) {
            if (e.reason() != ReplicaException.Reason.CLOSED) {
              LOG.log(Level.WARNING, "compacting the delta log of namespace '" + ns.name() + "' failed", e);
            }
          }
        }
        return null;
      }, false);
    });
  }
}
