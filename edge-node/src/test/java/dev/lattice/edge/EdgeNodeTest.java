package dev.lattice.edge;

import static dev.lattice.edge.EdgeNodeTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.edge.config.EdgeConfig;
import dev.lattice.edge.config.EdgeConfigException;
import dev.lattice.edge.config.NamespaceConfig;
import dev.lattice.replica.ReplicaException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Start, restart and failure paths of the node's life cycle. */
@ExtendWith(VertxExtension.class)
class EdgeNodeTest {

  private static Throwable failure(Future<?> f) {
    return await(f.transform(ar -> Future.succeededFuture(ar.cause())));
  }

  @Test
  void dataTheTokenSecretAndTheKeySurviveARestart(Vertx vertx, @TempDir Path dir) throws Exception {
    EdgeConfig config = EdgeConfig.embeddedDefaults(dir, 0);
    EdgeNode first = await(EdgeNode.start(vertx, config));
    assertThat(first.ready()).isTrue();
    assertThat(first.replica().options().role()).isEqualTo(dev.lattice.replica.Role.EDGE);
    assertThat(first.replica().options().durability()).isEqualTo(dev.lattice.replica.Durability.SYNC);
    first.namespace("dev").orElseThrow().namespace().collection("c").update("d", w -> w.set("f", "v"));
    String token = first.tokenSigner().issue("dev", "u", List.of(), java.time.Duration.ofHours(1));
    await(first.close());
    assertThat(first.ready()).isFalse();

    EdgeNode second = await(EdgeNode.start(vertx, EdgeConfig.embeddedDefaults(dir, 0)));
    try {
      assertThat(second.namespace("dev").orElseThrow().namespace().collection("c").get("d")).isPresent();
      assertThat(second.authenticator().authenticate("dev", token).userId()).isEqualTo("u");
      assertThat(second.authenticator().authenticate("dev", EdgeNodeTestSupport.devKey(config)).server()).isTrue();
      assertThat(Files.exists(dir.resolve(EdgeConfig.TOKEN_SECRET_FILE))).isTrue();
    } finally {
      await(second.close());
    }
  }

  @Test
  void aConfiguredTokenSecretIsUsedAndNothingIsGenerated(Vertx vertx, @TempDir Path dir) throws Exception {
    EdgeConfig config = EdgeConfig.embeddedDefaults(dir, 0).toBuilder()
        .tokenSecret("a-configured-secret-of-32-bytes!!").build();
    EdgeNode node = await(EdgeNode.start(vertx, config));
    try {
      assertThat(Files.exists(dir.resolve(EdgeConfig.TOKEN_SECRET_FILE))).isFalse();
    } finally {
      await(node.close());
    }
  }

  @Test
  void aSecondNodeOnTheSameDataDirectoryFailsAndTheFirstStaysHealthy(Vertx vertx, @TempDir Path dir) throws Exception {
    EdgeConfig config = EdgeConfig.embeddedDefaults(dir, 0);
    EdgeNode first = await(EdgeNode.start(vertx, config));
    try {
      Throwable e = failure(EdgeNode.start(vertx, config));
      assertThat(e).isInstanceOfSatisfying(ReplicaException.class,
          r -> assertThat(r.reason()).isEqualTo(ReplicaException.Reason.LOCKED));
      assertThat(first.ready()).isTrue();
    } finally {
      await(first.close());
    }
  }

  @Test
  void aBadSchemaDirectoryFailsTheStartNamingTheKey(Vertx vertx, @TempDir Path dir) throws Exception {
    Path schemas = dir.resolve("schemas");
    Files.createDirectories(schemas);
    Files.writeString(schemas.resolve("x.v1.yaml"), "namespace: other\nversion: 1\ncollections: {}\n");
    EdgeConfig wrongNamespace = EdgeConfig.builder().port(0).dataDir(dir.resolve("data"))
        .namespace(new NamespaceConfig("mine", Optional.of(schemas), List.of())).build();
    assertThat(failure(EdgeNode.start(vertx, wrongNamespace)))
        .isInstanceOfSatisfying(EdgeConfigException.class, e -> {
          assertThat(e.reason()).isEqualTo(EdgeConfigException.Reason.SCHEMA);
          assertThat(e.key()).isEqualTo("namespaces[0].schemaDir");
        })
        .hasMessageContaining("'other', not 'mine'");
    EdgeConfig missing = EdgeConfig.builder().port(0).dataDir(dir.resolve("data"))
        .namespace(new NamespaceConfig("mine", Optional.of(dir.resolve("absent")), List.of())).build();
    assertThat(failure(EdgeNode.start(vertx, missing))).isInstanceOf(EdgeConfigException.class)
        .hasMessageContaining("namespaces[0].schemaDir");
    // Nothing was left open: the data directory can be used at once.
    EdgeNode ok = await(EdgeNode.start(vertx, EdgeConfig.embeddedDefaults(dir.resolve("data"), 0)));
    await(ok.close());
  }

  @Test
  void aPortInUseFailsTheStartAndReleasesTheReplica(Vertx vertx, @TempDir Path dir) throws Exception {
    EdgeNode first = await(EdgeNode.start(vertx, EdgeConfig.embeddedDefaults(dir.resolve("a"), 0)));
    try {
      EdgeConfig clash = EdgeConfig.embeddedDefaults(dir.resolve("b"), first.port()).toBuilder().host("localhost").build();
      assertThat(failure(EdgeNode.start(vertx, clash))).isNotNull();
      EdgeNode again = await(EdgeNode.start(vertx, EdgeConfig.embeddedDefaults(dir.resolve("b"), 0)));
      await(again.close());
    } finally {
      await(first.close());
    }
  }

  @Test
  void endpointPathsMustBeAbsolute(Vertx vertx, @TempDir Path dir) throws Exception {
    EdgeConfig config = EdgeConfig.embeddedDefaults(dir, 0);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> EdgeNode.start(vertx, config, Map.of("sync", (s, n) -> { })))
        .hasMessageContaining("must start with '/'");
  }

  @Test
  void closeHooksRunBeforeTheReplicaCloses(Vertx vertx, @TempDir Path dir) throws Exception {
    EdgeNode node = await(EdgeNode.start(vertx, EdgeConfig.embeddedDefaults(dir, 0)));
    List<String> seen = new java.util.ArrayList<>();
    node.addCloseHook(() -> {
      seen.add("hook saw replica open: " + node.namespace("dev").orElseThrow().namespace().collection("c").get("x")
          .isEmpty());
      return Future.succeededFuture();
    });
    await(node.close());
    assertThat(seen).containsExactly("hook saw replica open: true");
  }

  @Test
  void whileClosingReadyAndTheApiAnswer503(Vertx vertx, @TempDir Path dir) throws Exception {
    EdgeConfig config = EdgeConfig.embeddedDefaults(dir, 0);
    EdgeNode node = await(EdgeNode.start(vertx, config));
    io.vertx.core.http.HttpClient http = vertx.createHttpClient();
    List<String> seen = new java.util.ArrayList<>();
    // A close hook runs after the node stopped being ready and before the server goes away.
    node.addCloseHook(() -> EdgeNodeTestSupport.get(http, node.port(), "/ready", null)
        .compose(ready -> {
          seen.add(ready.status() + " " + ready.json().getString("status"));
          return EdgeNodeTestSupport.get(http, node.port(), "/v1/namespaces", EdgeNodeTestSupport.devKey(config));
        })
        .map(api -> {
          seen.add(api.status() + " " + api.json().getString("error"));
          return null;
        }));
    await(node.close());
    assertThat(seen).containsExactly("503 not-ready", "503 not-ready");
  }

  @Test
  void theDeltaLogIsCompactedOnTheConfiguredInterval(Vertx vertx, @TempDir Path dir) throws Exception {
    EdgeConfig config = EdgeConfig.embeddedDefaults(dir, 0).toBuilder()
        .compaction(new dev.lattice.edge.config.Compaction(0, java.time.Duration.ofDays(1),
            java.time.Duration.ofMillis(20)))
        .build();
    EdgeNode node = await(EdgeNode.start(vertx, config));
    try {
      node.namespace("dev").orElseThrow().namespace().collection("c").update("d", w -> w.set("f", "v"));
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
          .until(() -> node.replica().metrics().logTrimmed() == 1);
      assertThat(node.metrics().scrape()).contains("lattice_replica_log_trimmed_total 1.0");
    } finally {
      await(node.close());
    }
  }
}
