package dev.lattice.edge.http;

import dev.lattice.edge.EdgeMetrics;
import dev.lattice.edge.EdgeNode;
import dev.lattice.edge.auth.AuthException;
import dev.lattice.edge.config.Limits;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The node's one HTTP server: REST through a vertx-web {@link Router}, and WebSocket upgrades
 * routed by exact path to the registered {@link SocketEndpoint}s.
 *
 * <h2>WebSocket upgrades</h2>
 *
 * Upgrades go to the server's handshake handler (not the router), which checks, in order:
 * the path (404 if no endpoint), the {@code Origin} ({@link OriginPolicy}; 403), readiness (503
 * while starting or closing) and the connection cap ({@code limits.maxConnections}; 503). Only then
 * is the handshake accepted, a {@link SocketGuard} installed, and the endpoint called.
 *
 * <h2>Server options</h2>
 *
 * Per-message and per-frame deflate are off: Vert.x would inflate without a bound (a zip bomb
 * beats any message limit) and the protocol's payloads are small and mostly unique. Frame and
 * message limits and the idle timeout come from {@link Limits}; HTTP responses may be compressed.
 *
 * <h2>REST</h2>
 *
 * {@code GET /health}, {@code /ready}, {@code /metrics}, and under {@code /v1} (bearer credential
 * required) the namespace list, document listing and lookup, and the delta history; see
 * {@link RestApi}. Errors are JSON {@code {"error": code, "message": text}}. Handlers decode the
 * request, run the {@link RestApi} call on a worker thread (it reads the store) and encode.
 */
public final class EdgeServer extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(EdgeServer.class.getName());
  private static final String JSON = "application/json; charset=utf-8";
  private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";
  /** Document ids may contain '/', so the id is the whole rest of the path. */
  private static final String DOCUMENT_PATH = "/v1/namespaces/(?<ns>[^/]+)/collections/(?<c>[^/]+)/documents/(?<id>.+)";

  private final EdgeNode node;
  private final Map<String, SocketEndpoint> endpoints;
  private final Limits limits;
  private final EdgeMetrics metrics;
  private final OriginPolicy origins;
  private final RestApi api;
  private final AtomicInteger open = new AtomicInteger();
  private HttpServer server;

  public EdgeServer(EdgeNode node, Map<String, SocketEndpoint> endpoints) {
    this.node = Objects.requireNonNull(node, "node");
    this.endpoints = Map.copyOf(endpoints);
    this.limits = node.config().limits();
    this.metrics = node.metrics();
    this.origins = new OriginPolicy(node.config().allowedOrigins());
    this.api = new RestApi(node);
  }

  @Override
  public Future<?> start() {
    HttpServerOptions options = new HttpServerOptions()
        .setHost(node.config().host())
        .setPort(node.config().port())
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false)
        .setMaxWebSocketFrameSize(limits.maxFrameBytes())
        .setMaxWebSocketMessageSize(limits.maxMessageBytes())
        .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, limits.idleTimeout().toMillis()))
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        .setCompressionSupported(true);
    server = vertx.createHttpServer(options)
        .requestHandler(router())
        .webSocketHandshakeHandler(this::handshake);
    return server.listen();
  }

  /** The actual port, once listening. */
  public int port() {
    HttpServer s = server;
    return s == null ? -1 : s.actualPort();
  }

  /** Open WebSocket connections. */
  public int openConnections() {
    return open.get();
  }

  // ---- WebSocket ----

  private void handshake(ServerWebSocketHandshake hs) {
    SocketEndpoint endpoint = endpoints.get(hs.path());
    if (endpoint == null) {
      refuse(hs, 404, "path");
      return;
    }
    HostAndPort authority = hs.authority();
    if (!origins.allows(hs.headers().get(HttpHeaders.ORIGIN), authority == null ? null : authority.host(),
        authority == null ? -1 : authority.port(), hs.isSsl())) {
      refuse(hs, 403, "origin");
      return;
    }
    if (!node.ready()) {
      refuse(hs, 503, "not-ready");
      return;
    }
    if (open.incrementAndGet() > limits.maxConnections()) {
      open.decrementAndGet();
      refuse(hs, 503, "capacity");
      return;
    }
    hs.accept().onComplete(ar -> {
      if (ar.failed()) {
        open.decrementAndGet();
        return;
      }
      ServerWebSocket socket = ar.result();
      metrics.connectionOpened();
      SocketGuard guard = SocketGuard.install(socket, limits, metrics);
      guard.onClose(v -> {
        open.decrementAndGet();
        metrics.connectionClosed();
      });
      try {
        endpoint.accept(socket, node);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "endpoint " + hs.path() + " failed to accept a connection", e);
        guard.close((short) 1011, "internal error");
      }
    });
  }

  private void refuse(ServerWebSocketHandshake hs, int status, String reason) {
    metrics.upgradeRefused(reason);
    hs.reject(status);
  }

  // ---- REST ----

  private Router router() {
    Router router = Router.router(vertx);
    router.get("/health").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "up")));
    router.get("/ready").handler(ctx -> {
      boolean ready = node.ready();
      json(ctx, ready ? 200 : 503, new JsonObject().put("status", ready ? "ready" : "not-ready"));
    });
    router.get("/metrics").handler(ctx -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, PROMETHEUS)
        .end(metrics.scrape()));
    router.get("/v1/namespaces").handler(ctx -> respond(ctx, () -> api.namespaces(credential(ctx))));
    router.get("/v1/namespaces/:ns/collections/:c/documents").handler(ctx -> respond(ctx, () -> api.documents(
        ctx.pathParam("ns"), credential(ctx), ctx.pathParam("c"), ctx.request().getParam("prefix"),
        ctx.request().getParam("limit"))));
    router.getWithRegex(DOCUMENT_PATH).handler(ctx -> respond(ctx, () -> api.document(
        ctx.pathParam("ns"), credential(ctx), ctx.pathParam("c"), ctx.pathParam("id"))));
    router.get("/v1/namespaces/:ns/deltas").handler(ctx -> respond(ctx, () -> api.deltas(
        ctx.pathParam("ns"), credential(ctx), ctx.request().getParam("since"), ctx.request().getParam("limit"))));
    router.errorHandler(404, ctx -> error(ctx, 404, "not-found", "no such resource: " + ctx.request().path()));
    router.errorHandler(405, ctx -> error(ctx, 405, "method-not-allowed", ctx.request().method() + " is not allowed on "
        + ctx.request().path()));
    router.errorHandler(500, ctx -> {
      LOG.log(Level.WARNING, "REST request " + ctx.request().path() + " failed", ctx.failure());
      error(ctx, 500, "internal", "internal error");
    });
    return router;
  }

  /** The bearer credential, or null if the request has none. */
  private static String credential(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return header.substring(7).strip();
  }

  /** Runs an API call on a worker thread and answers with its body or its error. */
  private void respond(RoutingContext ctx, Callable<JsonObject> call) {
    if (!node.ready()) {
      error(ctx, 503, ApiException.Reason.NOT_READY.code(), "the node is starting or closing");
      return;
    }
    vertx.executeBlocking(call, false).onComplete(ar -> {
      if (ar.succeeded()) {
        json(ctx, 200, ar.result());
        return;
      }
      Throwable t = ar.cause();
      if (t instanceof AuthException auth) {
        boolean unknown = auth.reason() == AuthException.Reason.UNKNOWN_NAMESPACE;
        if (!unknown) {
          ctx.response().putHeader("WWW-Authenticate", "Bearer");
        }
        error(ctx, unknown ? 404 : 401, auth.code(), auth.getMessage());
      } else if (t instanceof ApiException api) {
        error(ctx, api.reason().status(), api.reason().code(), api.getMessage());
      } else {
        ctx.fail(500, t);
      }
    });
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body.encode());
  }

  private static void error(RoutingContext ctx, int status, String code, String message) {
    if (ctx.response().ended()) {
      return;
    }
    json(ctx, status, new JsonObject().put("error", code).put("message", message));
  }
}
