package dev.lattice.edge.http;

import dev.lattice.edge.EdgeNode;
import io.vertx.core.http.ServerWebSocket;

/**
 * A WebSocket endpoint of the edge server, registered by path before the node starts (see
 * {@link EdgeNode#start(io.vertx.core.Vertx, dev.lattice.edge.config.EdgeConfig, java.util.Map)}).
 *
 * <p>The server calls {@link #accept} only after the upgrade passed the {@code Origin} check and
 * the connection cap, and after it has installed a {@link SocketGuard} on the socket (size limits,
 * connection accounting). The endpoint gets that guard with
 * {@link SocketGuard#install(io.vertx.core.http.WebSocketBase, dev.lattice.edge.config.Limits,
 * dev.lattice.edge.EdgeMetrics)}, which returns the one already installed, and must register
 * close and error callbacks through it ({@link SocketGuard#onClose}, {@link SocketGuard#onError})
 * rather than on the socket, whose single handler slots the guard occupies.
 */
@FunctionalInterface
public interface SocketEndpoint {

  /**
   * Takes over an accepted socket. Called on the socket's event loop; must not block. An
   * exception thrown here closes the socket with 1011.
   */
  void accept(ServerWebSocket socket, EdgeNode node);
}
