package dev.lattice.edge.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lattice.edge.config.EdgeConfig;
import dev.lattice.replica.Replica;
import dev.lattice.replica.ReplicaOptions;
import dev.lattice.replica.Role;
import dev.lattice.replica.WriteReceipt;
import dev.lattice.replica.client.SyncClient;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clients syncing through a real edge over loopback WebSockets. */
class EdgeSyncTest {
  @TempDir
  Path dir;

  private Vertx vertx;
  private SyncService sync;
  private String key;

  @BeforeEach
  void startEdge() throws Exception {
    vertx = Vertx.vertx();
    EdgeConfig config = EdgeConfig.embeddedDefaults(dir.resolve("edge"), 0);
    sync = SyncService.start(vertx, config).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    key = Files.readString(dir.resolve("edge").resolve(EdgeConfig.DEV_KEY_FILE)).trim();
  }

  @AfterEach
  void stopEdge() throws Exception {
    sync.node().close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private Replica client(String name) {
    return Replica.open(dir.resolve(name + ".mv.db"), ReplicaOptions.builder().role(Role.CLIENT).build());
  }

  private SyncClient connect(Replica replica, boolean json) {
    return SyncClient.builder(replica, URI.create("ws://localhost:" + sync.node().port() + "/v1/sync"))
        .namespace("dev").credential(key).json(json).backoff(Duration.ofMillis(20), Duration.ofMillis(200)).build().start();
  }

  @Test
  void twoClientsThroughOneEdgeConverge() throws Exception {
    try (Replica a = client("a"); Replica b = client("b");
         SyncClient ca = connect(a, false); SyncClient cb = connect(b, true)) {
      WriteReceipt wa = a.namespace("dev").collection("tasks").update("t1", d -> d.set("title", "from a").increment("votes", 1));
      b.namespace("dev").collection("tasks").update("t2", d -> d.set("title", "from b").increment("votes", 2));
      ca.confirmation(wa).get(20, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(20)).until(() -> b.namespace("dev").collection("tasks").get("t1").isPresent()
          && a.namespace("dev").collection("tasks").get("t2").isPresent());
      ca.awaitSynced().get(20, TimeUnit.SECONDS);
      cb.awaitSynced().get(20, TimeUnit.SECONDS);
      assertThat(a.namespace("dev").collection("tasks").scan("", 100))
          .isEqualTo(b.namespace("dev").collection("tasks").scan("", 100));
      assertThat(sync.node().replica().namespace("dev").collection("tasks").scan("", 100))
          .isEqualTo(a.namespace("dev").collection("tasks").scan("", 100));
    }
  }
}
