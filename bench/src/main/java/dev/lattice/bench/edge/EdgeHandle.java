package dev.lattice.bench.edge;

import dev.lattice.crdt.clock.Hlc;
import dev.lattice.edge.config.EdgeConfig;
import dev.lattice.edge.config.Limits;
import dev.lattice.edge.config.NamespaceConfig;
import dev.lattice.edge.config.PeerConfig;
import dev.lattice.edge.sync.SyncService;
import dev.lattice.replica.ApplyResult;
import dev.lattice.replica.Namespace;
import dev.lattice.replica.log.Delta;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One edge node started in-process on loopback, port 0, with its own {@link Vertx} (default
 * options), through {@code SyncService.start}: the real {@code /v1/sync} endpoint, durability SYNC,
 * one schemaless namespace. The only change from the embedded defaults is the per-connection rate
 * limit, raised so that the open-loop writers are never throttled (see {@link #LIMITS}).
 */
final class EdgeHandle implements AutoCloseable {
  static final String NAMESPACE = "bench";
  /** The defaults, except 1,000,000 messages a second (burst as many) per connection instead of 200 (400). */
  static final Limits LIMITS = Limits.builder().messagesPerSecond(1_000_000).burst(1_000_000).build();
  /** Timestamps of hand-built deltas; the edges check them against their own clocks (60 s skew bound). */
  static final Hlc CLOCK = Hlc.system();

  final Vertx vertx;
  final SyncService sync;
  final String key;
  final Path dir;

  private EdgeHandle(Vertx vertx, SyncService sync, String key, Path dir) {
    this.vertx = vertx;
    this.sync = sync;
    this.key = key;
    this.dir = dir;
  }

  static EdgeHandle start(Path dir, String key, List<PeerConfig> peers) throws Exception {
    Vertx vertx = Vertx.vertx();
    EdgeConfig config = EdgeConfig.builder()
        .host("127.0.0.1")
        .port(0)
        .dataDir(dir)
        .namespace(NamespaceConfig.schemaless(NAMESPACE, List.of(key)))
        .peers(peers)
        .limits(LIMITS)
        .antiEntropyInterval(Duration.ofHours(1))
        .build();
    SyncService sync = await(SyncService.start(vertx, config));
    return new EdgeHandle(vertx, sync, key, dir);
  }

  int port() {
    return sync.node().port();
  }

  Namespace namespace() {
    return sync.node().replica().namespace(NAMESPACE);
  }

  /** Applies deltas as pushes would, in batches, and waits until all are durable. */
  void apply(List<Delta> deltas, int batch) {
    List<CompletableFuture<Void>> durable = new ArrayList<>();
    Namespace ns = namespace();
    for (int from = 0; from < deltas.size(); from += batch) {
      ApplyResult r = ns.applyRemote(deltas.subList(from, Math.min(deltas.size(), from + batch)));
      durable.add(r.durable());
    }
    CompletableFuture.allOf(durable.toArray(new CompletableFuture<?>[0])).join();
  }

  @Override
  public void close() throws Exception {
    try {
      await(sync.node().close());
    } finally {
      await(vertx.close());
    }
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }
}
