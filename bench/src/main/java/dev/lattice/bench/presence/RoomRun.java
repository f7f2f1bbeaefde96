package dev.lattice.bench.presence;

import dev.lattice.edge.EdgeNode;
import dev.lattice.edge.config.EdgeConfig;
import dev.lattice.edge.config.Limits;
import dev.lattice.edge.http.SocketEndpoint;
import dev.lattice.edge.presence.PresenceEndpoint;
import dev.lattice.presence.PresenceConfig;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One measurement: a fresh edge on loopback with the presence endpoint, {@code members} clients in
 * one room, each sending {@code rate} updates a second; after a warm-up, a measurement window in
 * which every client counts the frames and bytes it receives and the latency of every entry that
 * reaches it (see {@link BenchMember}), with CPU clocks read at both ends.
 *
 * <p>The edge runs on its own {@link Vertx} (default event-loop count) and the clients on another
 * ({@code clientLoops} event loops), so the edge's CPU is told apart by its threads. Both share
 * the machine: the clients' cost is part of what limits the room size here.
 */
public final class RoomRun {

  /** The measurement window, in {@link System#nanoTime()} and in {@link BenchMember#nowMicros()}. */
  static final class Window {
    private volatile long startNanos = Long.MAX_VALUE;
    private volatile long endNanos = Long.MAX_VALUE;
    private volatile long startMicros = Long.MAX_VALUE;

    boolean contains(long nanos) {
      return nanos >= startNanos && nanos < endNanos;
    }

    /** Whether an update sent at {@code micros} was sent inside the window. */
    boolean containsMicros(long micros) {
      return micros >= startMicros;
    }

    void open() {
      startMicros = BenchMember.nowMicros();
      startNanos = System.nanoTime();
    }

    void close() {
      endNanos = System.nanoTime();
    }

    double seconds() {
      return (endNanos - startNanos) / 1e9;
    }
  }

  /** What one run measured. */
  public record Result(int members, int rate, long tickMillis, double seconds, long samples, double p50, double p90,
      double p99, double p999, double meanLatency, double framesPerClient, double framesPerClientMax,
      double bytesPerClient, double entriesPerClient, double updatesPerSecond, double processCores,
      double edgeCores, double hostBusy, double otherCores, long errors, long closed, double tickMeanMillis,
      double tickMaxMillis, String firstError) {

    /**
     * Whether the run met the goals: p99 within {@code p99GoalMillis}, nobody disconnected, and the
     * busiest client within {@code framesGoal} frames a second. A window of {@code s} seconds can
     * hold {@code s × 1000 / tick + 1} ticks, so one frame beyond the rate is the window's edge, not
     * a breach.
     */
    public boolean holds(double p99GoalMillis, double framesGoal) {
      return closed == 0 && samples > 0 && p99 <= p99GoalMillis
          && framesPerClientMax * seconds <= framesGoal * seconds + 1;
    }
  }

  private RoomRun() {}

  /**
   * @param dir a fresh directory for the edge's data (nothing is written there by presence)
   */
  public static Result run(Path dir, int members, int rate, Duration tick, Duration warmup, Duration measure,
      int clientLoops, long seed) throws Exception {
    Vertx edgeVertx = Vertx.vertx();
    Vertx clientVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(clientLoops));
    EdgeNode node = null;
    List<BenchMember> all = new ArrayList<>();
    try {
      Set<Long> edgeThreads = threadsOf(edgeVertx, 2 * VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE);
      PresenceConfig presence = PresenceConfig.builder().tick(tick).maxMembersPerRoom(100_000).build();
      Files.createDirectories(dir);
      EdgeConfig config = EdgeConfig.embeddedDefaults(dir, 0).toBuilder().host("127.0.0.1")
          .limits(Limits.builder().maxConnections(100_000).build()).build();
      node = await(EdgeNode.start(edgeVertx, config,
          Map.<String, SocketEndpoint>of(PresenceEndpoint.PATH, new PresenceEndpoint(presence))));

      LatencyHistogram latencies = new LatencyHistogram();
      Window window = new Window();
      SplittableRandom seeds = new SplittableRandom(seed);
      List<Group> clientGroups = new ArrayList<>();
      for (int g = 0; g < clientLoops; g++) {
        Group group = new Group();
        await(clientVertx.deployVerticle(group)); // undeployed when clientVertx closes
        clientGroups.add(group);
      }
      String room = "bench-" + members;
      List<Future<Void>> joined = new ArrayList<>();
      int port = node.port();
      for (int i = 0; i < members; i++) {
        String token = node.tokenSigner().issue(EdgeConfig.DEV_NAMESPACE, "user" + i, List.of(), Duration.ofHours(2));
        BenchMember m = new BenchMember(token, room, rate, seeds.nextLong(), window, latencies);
        Group group = clientGroups.get(i % clientLoops);
        all.add(m);
        joined.add(m.joined.future());
        group.loop.runOnContext(v -> m.connect(group.loop, group.client, port, PresenceEndpoint.PATH));
      }
      await(Future.all(joined));
      long period = Math.max(1, Math.round(1000.0 / rate));
      for (BenchMember m : all) {
        long phase = seeds.nextLong(period);
        m.context().runOnContext(v -> m.startUpdates(phase));
      }

      TimeUnit.MILLISECONDS.sleep(warmup.toMillis());
      Timer ticks = node.metrics().registry().find("lattice.presence.tick").timer();
      long ticksBefore = ticks == null ? 0 : ticks.count();
      double tickNanosBefore = ticks == null ? 0 : ticks.totalTime(TimeUnit.NANOSECONDS);
      CpuClock cpuStart = CpuClock.now(edgeThreads);
      window.open();
      TimeUnit.MILLISECONDS.sleep(measure.toMillis());
      window.close();
      CpuClock cpuEnd = CpuClock.now(edgeThreads);
      long tickCount = ticks == null ? 0 : ticks.count() - ticksBefore;
      double tickMean = tickCount == 0 ? Double.NaN
          : (ticks.totalTime(TimeUnit.NANOSECONDS) - tickNanosBefore) / tickCount / 1e6;
      double tickMax = ticks == null ? Double.NaN : ticks.max(TimeUnit.MILLISECONDS);

      // Stop on each member's own loop, then read its counters there.
      List<Future<Void>> stopped = new ArrayList<>();
      for (BenchMember m : all) {
        Promise<Void> p = Promise.promise();
        m.context().runOnContext(v -> {
          m.stop();
          p.complete();
        });
        stopped.add(p.future());
      }
      await(Future.all(stopped));
      double seconds = window.seconds();
      long frames = 0;
      long maxFrames = 0;
      long bytes = 0;
      long entries = 0;
      long sent = 0;
      long errors = 0;
      long closed = 0;
      String firstError = null;
      for (BenchMember m : all) {
        frames += m.frames;
        maxFrames = Math.max(maxFrames, m.frames);
        bytes += m.bytes;
        entries += m.entries;
        sent += m.sent;
        errors += m.errors;
        closed += m.closedByEdge ? 1 : 0;
        if (firstError == null) {
          firstError = m.firstError;
        }
      }
      double hostBusy = cpuEnd.hostBusySince(cpuStart);
      double processCores = cpuEnd.processCoresSince(cpuStart);
      int cpus = Runtime.getRuntime().availableProcessors();
      return new Result(members, rate, tick.toMillis(), seconds, latencies.count(), latencies.percentileMillis(0.50),
          latencies.percentileMillis(0.90), latencies.percentileMillis(0.99), latencies.percentileMillis(0.999),
          latencies.meanMillis(), frames / seconds / members, maxFrames / seconds, bytes / seconds / members,
          entries / seconds / members, sent / seconds,
          processCores, cpuEnd.serverCoresSince(cpuStart), hostBusy,
          Double.isNaN(hostBusy) ? Double.NaN : Math.max(0, hostBusy * cpus - processCores), errors, closed,
          tickMean, tickMax, firstError);
    } finally {
      clientVertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      if (node != null) {
        await(node.close());
      }
      edgeVertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      deleteTree(dir);
    }
  }

  /** The clients of one client event loop. */
  private static final class Group extends VerticleBase {
    volatile Context loop;
    volatile WebSocketClient client;

    @Override
    public Future<?> start() {
      client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(64 << 20)
          .setMaxMessageSize(64 << 20).setTryUsePerMessageCompression(false).setTryUsePerFrameCompression(false)
          .setMaxConnections(100_000));
      loop = context;
      return Future.succeededFuture();
    }
  }

  /** The ids of the event-loop threads of {@code vertx}: one probe verticle instance per loop, twice over. */
  private static Set<Long> threadsOf(Vertx vertx, int instances) throws Exception {
    Set<Long> ids = ConcurrentHashMap.newKeySet();
    String probe = await(vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        ids.add(Thread.currentThread().getId());
        return Future.succeededFuture();
      }
    }, new DeploymentOptions().setInstances(instances)));
    await(vertx.undeploy(probe));
    return ids;
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (Exception e) {
      // a temporary directory; leave it
    }
  }
}
