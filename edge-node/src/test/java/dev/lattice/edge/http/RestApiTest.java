package dev.lattice.edge.http;

import static dev.lattice.edge.EdgeNodeTestSupport.await;
import static dev.lattice.edge.EdgeNodeTestSupport.devKey;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.codec.CrdtCodec;
import dev.lattice.edge.EdgeMetrics;
import dev.lattice.edge.EdgeNode;
import dev.lattice.edge.EdgeNodeTestSupport;
import dev.lattice.edge.EdgeNodeTestSupport.Response;
import dev.lattice.edge.config.EdgeConfig;
import dev.lattice.replica.Collection;
import dev.lattice.replica.RetentionPolicy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The REST API of a node on embedded defaults (schemaless namespace {@code dev}), over real HTTP. */
@ExtendWith(VertxExtension.class)
class RestApiTest {
  private EdgeNode node;
  private HttpClient http;
  private String key;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) throws Exception {
    EdgeConfig config = EdgeConfig.embeddedDefaults(dir.resolve("data"), 0);
    key = devKey(config);
    http = vertx.createHttpClient();
    EdgeNode.start(vertx, config).onComplete(ctx.succeeding(n -> {
      node = n;
      ctx.completeNow();
    }));
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    node.close().onComplete(ctx.succeedingThenComplete());
  }

  private Future<Response> get(String path, String bearer) {
    return EdgeNodeTestSupport.get(http, node.port(), path, bearer);
  }

  private Collection tasks() {
    return node.namespace("dev").orElseThrow().namespace().collection("tasks");
  }

  @Test
  void healthAndReadyAnswerWhileRunning(VertxTestContext ctx) {
    assertThat(node.port()).isPositive();
    get("/health", null).compose(health -> {
      ctx.verify(() -> {
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json()).isEqualTo(new JsonObject().put("status", "up"));
      });
      return get("/ready", null);
    }).onComplete(ctx.succeeding(ready -> ctx.verify(() -> {
      assertThat(ready.status()).isEqualTo(200);
      assertThat(ready.json().getString("status")).isEqualTo("ready");
      ctx.completeNow();
    })));
  }

  @Test
  void metricsArePrometheusTextWithTheNamedMeters(VertxTestContext ctx) {
    tasks().update("t1", w -> w.set("title", "write one"));
    node.metrics().writeRejected("forbidden");
    node.metrics().repair("repaired");
    node.metrics().ackLatency(Duration.ofMillis(3));
    get("/metrics", null).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("Content-Type")).startsWith("text/plain");
      assertThat(r.body()).contains(
          "lattice_sessions{namespace=\"dev\"} 0",
          "lattice_websocket_connections 0",
          "lattice_deltas_in_total{namespace=\"dev\"} 0",
          "lattice_deltas_out_total{namespace=\"dev\"} 0",
          "lattice_ws_received_bytes_total",
          "lattice_ws_sent_bytes_total",
          "lattice_ack_latency_seconds_count 1",
          "lattice_ack_latency_seconds{quantile=\"0.99\"}",
          "lattice_outbound_queued_bytes 0",
          "lattice_repairs_total{outcome=\"repaired\"} 1",
          "lattice_skew_rejections_total 0",
          "lattice_lww_overwrites_total 0",
          "lattice_writes_rejected_total{code=\"forbidden\"} 1",
          "lattice_slow_consumer_disconnects_total 0",
          "lattice_rate_limited_messages_total 0",
          "lattice_rate_limit_disconnects_total 0",
          "lattice_oversized_total{kind=\"frame\"} 0",
          "lattice_oversized_total{kind=\"message\"} 0",
          "lattice_replica_local_writes_total 1",
          "lattice_replica_commits_total",
          "lattice_replica_log_trimmed_total 0");
      ctx.completeNow();
    })));
  }

  @Test
  void documentsAreListedAndLookedUp(VertxTestContext ctx) {
    tasks().update("t1", w -> w.set("title", "Buy milk").increment("votes", 2));
    tasks().update("t2", w -> w.set("title", "Walk").enable("done"));
    tasks().update("u/1", w -> w.set("title", "Nested id"));
    get("/v1/namespaces/dev/collections/tasks/documents", key).compose(all -> {
      ctx.verify(() -> {
        assertThat(all.status()).isEqualTo(200);
        assertThat(all.json().getJsonArray("documents")).isEqualTo(new JsonArray()
            .add(new JsonObject().put("id", "t1").put("fields", new JsonObject().put("title", "Buy milk").put("votes", 2)))
            .add(new JsonObject().put("id", "t2").put("fields", new JsonObject().put("done", true).put("title", "Walk")))
            .add(new JsonObject().put("id", "u/1").put("fields", new JsonObject().put("title", "Nested id"))));
        assertThat(all.json().getBoolean("more")).isFalse();
      });
      return get("/v1/namespaces/dev/collections/tasks/documents?prefix=t&limit=1", key);
    }).compose(page -> {
      ctx.verify(() -> {
        assertThat(page.json().getJsonArray("documents")).hasSize(1);
        assertThat(page.json().getJsonArray("documents").getJsonObject(0).getString("id")).isEqualTo("t1");
        assertThat(page.json().getBoolean("more")).isTrue();
      });
      return get("/v1/namespaces/dev/collections/tasks/documents/u/1", key);
    }).compose(nested -> {
      ctx.verify(() -> assertThat(nested.json()).isEqualTo(new JsonObject().put("id", "u/1")
          .put("fields", new JsonObject().put("title", "Nested id"))));
      return get("/v1/namespaces/dev/collections/tasks/documents/t2", node.tokenSigner()
          .issue("dev", "someone", List.of(), Duration.ofMinutes(5)));
    }).compose(asUser -> {
      ctx.verify(() -> {
        assertThat(asUser.status()).as("schemaless: every authenticated caller reads all").isEqualTo(200);
        assertThat(asUser.json().getJsonObject("fields").getString("title")).isEqualTo("Walk");
      });
      return get("/v1/namespaces/dev/collections/tasks/documents/absent", key);
    }).onComplete(ctx.succeeding(absent -> ctx.verify(() -> {
      assertThat(absent.status()).isEqualTo(404);
      assertThat(absent.json().getString("error")).isEqualTo("not-found");
      assertThat(absent.json().getString("message")).contains("absent");
      ctx.completeNow();
    })));
  }

  @Test
  void namespacesAreListedForTheCredential(VertxTestContext ctx) {
    String token = node.tokenSigner().issue("dev", "u", List.of(), Duration.ofMinutes(5));
    get("/v1/namespaces", key).compose(byKey -> {
      ctx.verify(() -> assertThat(byKey.json()).isEqualTo(new JsonObject().put("namespaces", new JsonArray().add(
          new JsonObject().put("name", "dev").put("schemaless", true).putNull("schemaVersion")
              .put("collections", new JsonArray())))));
      return get("/v1/namespaces", token);
    }).onComplete(ctx.succeeding(byToken -> ctx.verify(() -> {
      assertThat(byToken.json().getJsonArray("namespaces").getJsonObject(0).getString("name")).isEqualTo("dev");
      ctx.completeNow();
    })));
  }

  @Test
  void badCredentialsAre401WithTheDocumentedCode(VertxTestContext ctx) {
    String expired = node.tokenSigner().issue("dev", "u", List.of(), Duration.ofSeconds(-1));
    String docs = "/v1/namespaces/dev/collections/tasks/documents";
    Map<String, String> cases = new java.util.LinkedHashMap<>();
    List<String> credentials = java.util.Arrays.asList(null, "not-the-key-0000000", "a.b", expired);
    List<String> codes = List.of("unauthenticated", "bad-token", "bad-token", "token-expired");
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < credentials.size(); i++) {
      String credential = credentials.get(i);
      String code = codes.get(i);
      chain = chain.compose(v -> get(docs, credential)).map(r -> {
        ctx.verify(() -> {
          assertThat(r.status()).as(code).isEqualTo(401);
          assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer");
          assertThat(r.json().getString("error")).isEqualTo(code);
          assertThat(r.json().getString("message")).isNotBlank();
        });
        return null;
      });
    }
    chain.compose(v -> get("/v1/namespaces", "wrong-key-0000000000")).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.json().getString("error")).isEqualTo("bad-token");
      assertThat(cases).isEmpty();
      ctx.completeNow();
    })));
  }

  @Test
  void unknownNamespacesAndRoutesAre404AndBadParameters400(VertxTestContext ctx) {
    get("/v1/namespaces/nope/collections/tasks/documents", key).compose(unknown -> {
      ctx.verify(() -> {
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().getString("error")).isEqualTo("unknown-namespace");
      });
      return get("/v1/nothing-here", key);
    }).compose(route -> {
      ctx.verify(() -> {
        assertThat(route.status()).isEqualTo(404);
        assertThat(route.json().getString("error")).isEqualTo("not-found");
      });
      return get("/v1/namespaces/dev/collections/tasks/documents?limit=zero", key);
    }).compose(limit -> {
      ctx.verify(() -> {
        assertThat(limit.status()).isEqualTo(400);
        assertThat(limit.json().getString("error")).isEqualTo("bad-request");
      });
      return get("/v1/namespaces/dev/collections/bad%20name/documents", key);
    }).compose(name -> {
      ctx.verify(() -> {
        assertThat(name.status()).isEqualTo(400);
        assertThat(name.json().getString("error")).isEqualTo("invalid-name");
      });
      return get("/v1/namespaces/dev/deltas?since=!!", key);
    }).onComplete(ctx.succeeding(cursor -> ctx.verify(() -> {
      assertThat(cursor.status()).isEqualTo(400);
      assertThat(cursor.json().getString("error")).isEqualTo("bad-cursor");
      ctx.completeNow();
    })));
  }

  @Test
  void theDeltaHistoryPagesWithACursor(VertxTestContext ctx) {
    tasks().update("t1", w -> w.set("title", "a").set("owner", "x"));
    tasks().update("t2", w -> w.set("title", "b"));
    tasks().update("t1", w -> w.increment("votes", 1));
    String replica = node.replica().id().toString();
    get("/v1/namespaces/dev/deltas?limit=2", key).compose(first -> {
      JsonObject body = first.json();
      ctx.verify(() -> {
        assertThat(first.status()).isEqualTo(200);
        JsonArray deltas = body.getJsonArray("deltas");
        assertThat(deltas).hasSize(2);
        JsonObject d0 = deltas.getJsonObject(0);
        assertThat(d0.getJsonObject("dot")).isEqualTo(new JsonObject().put("replica", replica).put("seq", 1));
        assertThat(d0.getString("collection")).isEqualTo("tasks");
        assertThat(d0.getString("id")).isEqualTo("t1");
        assertThat(d0.getJsonArray("fields")).isEqualTo(new JsonArray().add("owner").add("title"));
        assertThat(d0.getLong("hlc")).isPositive();
        assertThat(d0.getString("time")).endsWith("Z");
        assertThat(body.getBoolean("more")).isTrue();
      });
      return get("/v1/namespaces/dev/deltas?since=" + body.getString("next"), key);
    }).compose(second -> {
      JsonObject body = second.json();
      ctx.verify(() -> {
        assertThat(body.getJsonArray("deltas")).hasSize(1);
        assertThat(body.getJsonArray("deltas").getJsonObject(0).getJsonArray("fields"))
            .isEqualTo(new JsonArray().add("votes"));
        assertThat(body.getBoolean("more")).isFalse();
        assertThat(CrdtCodec.decodeVector(Base64.getUrlDecoder().decode(body.getString("next"))))
            .isEqualTo(node.namespace("dev").orElseThrow().namespace().committedVector());
      });
      return get("/v1/namespaces/dev/deltas?since=" + body.getString("next"), key);
    }).onComplete(ctx.succeeding(third -> ctx.verify(() -> {
      assertThat(third.json().getJsonArray("deltas")).isEmpty();
      assertThat(third.json().getBoolean("more")).isFalse();
      ctx.completeNow();
    })));
  }

  @Test
  void aCursorBelowTheTrimmedLogNeedsRepair(VertxTestContext ctx) {
    tasks().update("t1", w -> w.set("title", "a"));
    tasks().update("t2", w -> w.set("title", "b"));
    node.namespace("dev").orElseThrow().namespace().compactLog(new RetentionPolicy(0, Duration.ofDays(1)));
    String current = Base64.getUrlEncoder().withoutPadding().encodeToString(CrdtCodec.encodeVector(
        node.namespace("dev").orElseThrow().namespace().committedVector()));
    get("/v1/namespaces/dev/deltas", key).compose(r -> {
      ctx.verify(() -> {
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.json().getString("error")).isEqualTo("needs-repair");
      });
      return get("/v1/namespaces/dev/deltas?since=" + current, key);
    }).onComplete(ctx.succeeding(upToDate -> ctx.verify(() -> {
      assertThat(upToDate.status()).as("a peer that has everything needs nothing").isEqualTo(200);
      assertThat(upToDate.json().getJsonArray("deltas")).isEmpty();
      assertThat(VersionVector.EMPTY.isEmpty()).isTrue();
      ctx.completeNow();
    })));
  }

  @Test
  void closingMakesTheNodeNotReady(Vertx vertx, @TempDir Path other) throws Exception {
    EdgeNode second = await(EdgeNode.start(vertx, EdgeConfig.embeddedDefaults(other, 0)));
    assertThat(second.ready()).isTrue();
    Future<Void> closing = second.close();
    assertThat(second.ready()).isFalse();
    await(closing);
    assertThat(second.close()).as("idempotent").isSameAs(closing);
    assertThat(node.metrics().scrape()).contains(EdgeMetrics.SESSIONS.replace('.', '_'));
  }
}
