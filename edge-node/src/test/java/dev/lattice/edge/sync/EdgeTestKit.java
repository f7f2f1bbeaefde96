package dev.lattice.edge.sync;

import dev.lattice.crdt.type.Document;
import dev.lattice.edge.config.EdgeConfig;
import dev.lattice.replica.Replica;
import dev.lattice.replica.ReplicaOptions;
import dev.lattice.replica.Role;
import dev.lattice.replica.client.SyncClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What the end-to-end sync tests share: starting and stopping real edge nodes, opening client
 * replicas and {@link SyncClient}s against them, plain HTTP requests, and the visible documents a
 * replica holds (the form convergence is judged in).
 */
final class EdgeTestKit {
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  /** Short reconnect delays: the tests restart edges and must not wait for a long backoff. */
  static final Duration MIN_BACKOFF = Duration.ofMillis(20);
  static final Duration MAX_BACKOFF = Duration.ofMillis(200);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private EdgeTestKit() {}

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  static <T> T await(CompletableFuture<T> future) throws Exception {
    return future.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  static SyncService startEdge(Vertx vertx, EdgeConfig config) throws Exception {
    return await(SyncService.start(vertx, config));
  }

  /**
   * A port nothing listens on right now, for an edge that must come back on the same address
   * (a {@link SyncClient} or a peer keeps a fixed URI).
   */
  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static URI syncUri(int port) {
    return URI.create("ws://localhost:" + port + SyncEndpoint.PATH);
  }

  static Replica clientReplica(Path file) {
    return Replica.open(file, ReplicaOptions.builder().role(Role.CLIENT).build());
  }

  static SyncClient.Builder client(Replica replica, int port, String namespace, String credential) {
    return SyncClient.builder(replica, syncUri(port)).namespace(namespace).credential(credential)
        .backoff(MIN_BACKOFF, MAX_BACKOFF);
  }

  static HttpResponse<String> get(int port, String path) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
        .timeout(Duration.ofSeconds(10)).GET().build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** The documents of a collection as a reader sees them (contexts dropped), by id. */
  static Map<String, Document> visible(Replica replica, String namespace, String collection) {
    Map<String, Document> out = new LinkedHashMap<>();
    for (Map.Entry<String, Document> e : replica.namespace(namespace).collection(collection).scan("", 100_000)) {
      out.put(e.getKey(), e.getValue().visible());
    }
    return out;
  }
}
