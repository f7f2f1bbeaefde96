package dev.lattice.edge;

import dev.lattice.edge.config.EdgeConfig;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;

/** Helpers for tests that talk to a running node over HTTP. */
public final class EdgeNodeTestSupport {
  private EdgeNodeTestSupport() {}

  /** A status, headers and body. */
  public record Response(int status, MultiMap headers, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    public String header(String name) {
      return headers.get(name);
    }
  }

  /** GET {@code path} on localhost:{@code port}, with a bearer credential if not null. */
  public static Future<Response> get(HttpClient client, int port, String path, String bearer) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("localhost").setPort(port)
        .setURI(path);
    if (bearer != null) {
      options.putHeader("Authorization", "Bearer " + bearer);
    }
    return client.request(options)
        .compose(req -> req.send())
        .compose((HttpClientResponse resp) -> resp.body().map(b -> new Response(resp.statusCode(), resp.headers(),
            b.toString())));
  }

  /** Blocks the (non-event-loop) test thread until {@code future} completes; fails after 20 s. */
  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError("future failed: " + e.getCause(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** The API key of the embedded defaults' {@code dev} namespace. */
  public static String devKey(EdgeConfig config) {
    return config.namespace(EdgeConfig.DEV_NAMESPACE).orElseThrow().apiKeys().get(0);
  }

  /** Starts a node and waits for it. */
  public static EdgeNode startNode(Vertx vertx, EdgeConfig config,
      java.util.Map<String, dev.lattice.edge.http.SocketEndpoint> endpoints) {
    return await(EdgeNode.start(vertx, config, endpoints));
  }
}
