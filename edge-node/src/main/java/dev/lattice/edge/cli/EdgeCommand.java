package dev.lattice.edge.cli;

import dev.lattice.edge.EdgeNamespace;
import dev.lattice.edge.EdgeNode;
import dev.lattice.edge.config.EdgeConfig;
import dev.lattice.edge.config.EdgeConfigException;
import dev.lattice.edge.config.EdgeConfigLoader;
import dev.lattice.edge.config.NamespaceConfig;
import dev.lattice.edge.config.PeerConfig;
import dev.lattice.edge.http.SocketEndpoint;
import dev.lattice.edge.presence.PresenceEndpoint;
import dev.lattice.edge.sync.SyncService;
import dev.lattice.presence.PresenceConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lattice edge}: starts an edge node and runs until SIGTERM or Ctrl-C, then closes it
 * cleanly (shutdown hook: the server stops, the replica file is synced and closed).
 *
 * <p>Without {@code --config} the node runs on {@link EdgeConfig#embeddedDefaults}: one schemaless
 * namespace {@code dev}, and the banner prints its development API key and a sample user token
 * (user {@code dev}, 30 days), so a newcomer can connect at once. With {@code --config} no secret
 * is printed; {@code --data}, {@code --port}, {@code --host} override the file and {@code --peer}s
 * are added to its peers.
 *
 * <p>Tests drive {@link #resolveConfig()} and {@link #start(Vertx, PrintWriter)} directly.
 */
@Command(name = "edge", mixinStandardHelpOptions = true,
    description = "Starts an edge node (embedded defaults without --config: namespace 'dev', data under ./data).")
public final class EdgeCommand implements Callable<Integer> {
  /** How long the sample user token of the banner is valid. */
  static final Duration DEV_TOKEN_TTL = Duration.ofDays(30);
  static final String DEV_USER = "dev";

  @Option(names = "--data", paramLabel = "DIR", description = "Data directory (default: ./data).")
  Path data;

  @Option(names = "--port", paramLabel = "PORT", description = "Port to listen on (default: 8080; 0 picks a free one).")
  Integer port;

  @Option(names = "--host", paramLabel = "ADDRESS", description = "Address to listen on (default: 0.0.0.0).")
  String host;

  @Option(names = "--peer", paramLabel = "URL", description = "Another edge to sync with, ws://host:port (repeatable).")
  List<URI> peers = new ArrayList<>();

  @Option(names = "--peer-key", paramLabel = "KEY",
      description = "API key for the peers: one for all, or one per --peer in the same order.")
  List<String> peerKeys = new ArrayList<>();

  @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file.")
  Path config;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /**
   * Starts the node the command runs, with the WebSocket endpoints it serves: the one place to
   * register endpoints (sync, presence) for {@code lattice edge}.
   */
  static Future<EdgeNode> startNode(Vertx vertx, EdgeConfig config) {
    return SyncService.start(vertx, config,
        Map.<String, SocketEndpoint>of(PresenceEndpoint.PATH, new PresenceEndpoint(PresenceConfig.DEFAULT)))
        .map(SyncService::node);
  }

  /**
   * The configuration the options describe.
   *
   * @throws EdgeConfigException if the file (or the development key file) is unreadable or invalid
   * @throws CommandLine.ParameterException if the peer options do not fit together
   */
  public EdgeConfig resolveConfig() throws EdgeConfigException {
    EdgeConfig base = config != null ? new EdgeConfigLoader().load(config)
        : EdgeConfig.embeddedDefaults(data != null ? data : EdgeConfig.DEFAULT_DATA_DIR,
            port != null ? port : EdgeConfig.DEFAULT_PORT);
    EdgeConfig.Builder b = base.toBuilder();
    if (data != null) {
      b.dataDir(data);
    }
    if (port != null) {
      b.port(port);
    }
    if (host != null) {
      b.host(host);
    }
    if (!peers.isEmpty()) {
      if (peerKeys.isEmpty() || (peerKeys.size() != 1 && peerKeys.size() != peers.size())) {
        throw new CommandLine.ParameterException(commandLine(), "give one --peer-key for all peers, or one per --peer ("
            + peers.size() + " peers, " + peerKeys.size() + " keys)");
      }
      for (int i = 0; i < peers.size(); i++) {
        String key = peerKeys.get(peerKeys.size() == 1 ? 0 : i);
        try {
          b.peer(new PeerConfig(peers.get(i), key));
        } catch (IllegalArgumentException e) {
          throw new CommandLine.ParameterException(commandLine(), "--peer " + peers.get(i) + ": " + e.getMessage());
        }
      }
    } else if (!peerKeys.isEmpty()) {
      throw new CommandLine.ParameterException(commandLine(), "--peer-key needs at least one --peer");
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(commandLine(), e.getMessage());
    }
  }

  /** True when running on embedded defaults, where the banner shows development credentials. */
  public boolean embedded() {
    return config == null;
  }

  /** Resolves the configuration, starts the node and prints the banner to {@code out}. */
  public Future<EdgeNode> start(Vertx vertx, PrintWriter out) {
    EdgeConfig cfg;
    try {
      cfg = resolveConfig();
    } catch (EdgeConfigException e) {
      return Future.failedFuture(e);
    }
    return startNode(vertx, cfg).onSuccess(node -> {
      banner(node, out, embedded());
      out.flush();
    });
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Vertx vertx = Vertx.vertx();
    EdgeNode node;
    try {
      node = start(vertx, out).toCompletionStage().toCompletableFuture().get();
    } catch (ExecutionException e) {
      err.println("lattice edge: " + e.getCause().getMessage());
      err.flush();
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      out.println("stopping...");
      out.flush();
      try {
        node.close().transform(ar -> vertx.close()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        out.println("stopped");
      } catch (Exception e) {
        err.println("lattice edge: closing failed: " + e);
      } finally {
        out.flush();
        err.flush();
        stopped.countDown();
      }
    }, "lattice-shutdown"));
    stopped.await();
    return 0;
  }

  private static void banner(EdgeNode node, PrintWriter out, boolean embedded) {
    EdgeConfig cfg = node.config();
    String host = cfg.host().equals("0.0.0.0") || cfg.host().equals("::") ? "localhost" : cfg.host();
    String base = "http://" + host + ":" + node.port();
    out.println("Lattice edge node listening on " + cfg.host() + ":" + node.port());
    out.println("  data        " + cfg.dataDir().toAbsolutePath().normalize());
    out.println("  namespaces  " + node.namespaces().values().stream().map(EdgeCommand::describe)
        .collect(Collectors.joining(", ")));
    out.println("  websocket   " + (node.endpointPaths().isEmpty() ? "(no endpoints)"
        : node.endpointPaths().stream().sorted().map(p -> "ws://" + host + ":" + node.port() + p)
            .collect(Collectors.joining(", "))));
    out.println("  rest        " + base + "/health  /ready  /metrics  /v1/namespaces");
    if (!cfg.peers().isEmpty()) {
      out.println("  peers       " + cfg.peers().stream().map(p -> p.url().toString()).collect(Collectors.joining(", ")));
    }
    NamespaceConfig dev = cfg.namespace(EdgeConfig.DEV_NAMESPACE).orElse(null);
    if (embedded && dev != null && !dev.apiKeys().isEmpty()) {
      String key = dev.apiKeys().get(0);
      String token = node.tokenSigner().issue(EdgeConfig.DEV_NAMESPACE, DEV_USER, List.of(), DEV_TOKEN_TTL);
      out.println();
      out.println("Development credentials for namespace 'dev' (the key is kept in "
          + cfg.dataDir().resolve(EdgeConfig.DEV_KEY_FILE) + "; not for production):");
      out.println("  API key     " + key);
      out.println("  user token  " + token);
      out.println("              (user '" + DEV_USER + "', expires " + Instant.now().plus(DEV_TOKEN_TTL).toString()
          .substring(0, 10) + ")");
      out.println();
      out.println("Try:  curl -H 'Authorization: Bearer " + key + "' " + base + "/v1/namespaces");
    }
  }

  private static String describe(EdgeNamespace ns) {
    return ns.name() + ns.schema().map(s -> " (schema v" + s.currentVersion() + ")").orElse(" (schemaless)");
  }

  private CommandLine commandLine() {
    return spec != null ? spec.commandLine() : new CommandLine(this);
  }
}
