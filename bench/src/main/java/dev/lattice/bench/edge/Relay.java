package dev.lattice.bench.edge;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The baseline: a bare Vert.x WebSocket relay. Every socket joins one room; each binary message
 * received is written, as is, to every other socket of the room. Nothing is decoded, stored,
 * acknowledged or bounded. It runs on its own {@link Vertx} with default options and one HTTP
 * server, like the edge ({@code EdgeServer} is deployed as one verticle instance: one event loop
 * serves all its sockets), with the same frame limits and deflate off.
 */
final class Relay implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final Set<ServerWebSocket> room = ConcurrentHashMap.newKeySet();
  private HttpServer server;

  int start() throws Exception {
    server = vertx.createHttpServer(new HttpServerOptions()
        .setHost("127.0.0.1")
        .setPort(0)
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false)
        .setMaxWebSocketFrameSize(EdgeHandle.LIMITS.maxFrameBytes())
        .setMaxWebSocketMessageSize(EdgeHandle.LIMITS.maxMessageBytes()));
    server.webSocketHandler(ws -> {
      room.add(ws);
      ws.binaryMessageHandler(buf -> {
        for (ServerWebSocket other : room) {
          if (other != ws) {
            other.writeBinaryMessage(buf);
          }
        }
      });
      ws.closeHandler(v -> room.remove(ws));
    });
    return EdgeHandle.await(server.listen()).actualPort();
  }

  int sockets() {
    return room.size();
  }

  @Override
  public void close() throws Exception {
    try {
      EdgeHandle.await(server.close());
    } finally {
      EdgeHandle.await(vertx.close());
    }
  }
}
