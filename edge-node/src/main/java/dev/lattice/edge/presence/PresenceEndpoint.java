package dev.lattice.edge.presence;

import dev.lattice.edge.EdgeNode;
import dev.lattice.edge.http.SocketEndpoint;
import dev.lattice.edge.http.SocketGuard;
import dev.lattice.presence.PresenceConfig;
import io.vertx.core.http.ServerWebSocket;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code /v1/presence}: the ephemeral presence channel (cursors, selections, typing), separate from
 * sync. It never touches the replica, the store or the delta log: rooms and member states live in
 * one {@link dev.lattice.presence.PresenceHub} per node, in memory, and vanish with it.
 *
 * <pre>{@code
 * EdgeNode.start(vertx, config, Map.of(PresenceEndpoint.PATH, new PresenceEndpoint(PresenceConfig.DEFAULT)));
 * }</pre>
 *
 * <h2>A connection</h2>
 * The first message must be {@code p-hello} with a namespace and a credential; the node's
 * {@link dev.lattice.edge.auth.Authenticator} turns it into claims exactly as for sync. The member
 * identity comes from there and from the edge alone: the user id is the token's subject (or
 * {@value #SERVER_USER} for an API key), the member id is a connection id the edge assigns, and both
 * are announced in {@code p-welcome}. A refused hello gets a {@code p-error} (unauthenticated,
 * bad-token, token-expired, unknown-namespace, protocol-violation, malformed) and a close with 1008.
 * After the welcome, {@code p-join}, {@code p-set}, {@code p-leave} and {@code p-touch} go to the
 * hub; a refused one is answered with a {@code p-error} and the connection stays open. The protocol
 * is in {@code docs/PROTOCOL.md}, section 16.
 *
 * <h2>Threads</h2>
 * The hub is not thread-safe, so it is confined to one Vert.x context of its own (a small verticle
 * deployed on the node's first presence connection): every socket handler hops to it with
 * {@code runOnContext}, and a periodic timer on it runs the hub's tick every
 * {@link PresenceConfig#tick()} and hands each frame to its connection's
 * {@link dev.lattice.edge.http.BoundedSender}. Socket I/O stays on the sockets' event loop, so
 * building and encoding frames runs beside it rather than in its way.
 *
 * <h2>Limits</h2>
 * The hub's per-member rate limit and state limits ({@link PresenceConfig}), plus the
 * {@link SocketGuard} every endpoint shares: per-connection message rate, message size (1009),
 * bounded outbound buffer (a consumer too slow for it is closed with 1008), idle timeout.
 *
 * <p>Metrics (on the node's registry, see {@link PresenceMetrics}): connections, members, frames and
 * bytes sent, messages received, refusals by code, rate limiting, tick duration.
 *
 * <p>One instance may serve several nodes (each gets its own hub), and a node may be restarted with
 * the same instance.
 */
public final class PresenceEndpoint implements SocketEndpoint {
  public static final String PATH = "/v1/presence";
  /** The user id of a member that authenticated with an API key (server claims carry no user). */
  public static final String SERVER_USER = "server";

  private final PresenceConfig config;
  private final Map<EdgeNode, PresenceService> services = new ConcurrentHashMap<>();

  /** @param config the hub's limits and timing; {@link PresenceConfig#DEFAULT} for 50 ms ticks and 30 s TTL */
  public PresenceEndpoint(PresenceConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  public PresenceConfig config() {
    return config;
  }

  @Override
  public void accept(ServerWebSocket socket, EdgeNode node) {
    SocketGuard guard = SocketGuard.install(socket, node.config().limits(), node.metrics());
    service(node).accept(guard);
  }

  /** The node's presence service, started on its first connection. */
  PresenceService service(EdgeNode node) {
    return services.computeIfAbsent(node, n -> {
      PresenceService s = new PresenceService(n, config);
      n.addCloseHook(() -> {
        services.remove(n, s);
        return s.stop();
      });
      s.start();
      return s;
    });
  }
}
