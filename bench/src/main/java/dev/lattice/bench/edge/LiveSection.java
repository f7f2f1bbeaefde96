package dev.lattice.bench.edge;

import dev.lattice.bench.ResultSink;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.type.LwwRegister;
import dev.lattice.replica.Durability;
import dev.lattice.replica.Replica;
import dev.lattice.replica.ReplicaOptions;
import dev.lattice.replica.Role;
import dev.lattice.replica.log.Delta;
import dev.lattice.replica.log.DeltaCodec;
import dev.lattice.replica.log.DeltaPage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Section {@code live}: N clients in one namespace, every client both a writer and a receiver.
 * Writes are issued open-loop at a fixed total rate, round-robin over the writers, from one
 * scheduler thread; each is a one-field LWW update of the writer's own document. The latency of a
 * delivery is from just before the writer's frame is handed to its socket to the moment the
 * receiver's event loop has the whole frame (one JVM, one {@code System.nanoTime}).
 *
 * <p>Each (system, N) is a ramp: the offered rate, counted in deliveries a second
 * ({@code writes/s × (N - 1)}), starts at {@code --start-rate} and doubles while a step passes
 * (p99 ≤ 50 ms, every delivery and ack arrived by the end of the drain, no error and no close; a
 * step that failed on latency alone is run a second time at the same rate and the better attempt
 * counts, since on a shared machine one stall of another process can push a p99 over the line),
 * or halves (up to 5 times, never below one write a second) while the first steps fail; then it
 * is bisected (geometric mean) twice between the last pass and the first failure. A step:
 * {@code --warmup} seconds of writes not counted, then a window of writes measured
 * ({@code --step-seconds}, longer if that would hold fewer than {@link #MIN_WRITES} writes, at
 * most 3 × as long), then up to {@code max(3 s, 2 × window)} for the stragglers. The capacity is
 * the highest delivered rate of a passing step. The systems ({@code edge}: replica file on the
 * disk, as shipped; {@code edge-tmpfs}: the same edge with its file on {@code /dev/shm}, where
 * fsync costs nothing; {@code relay}) run one after the other for each N, with the same clients,
 * writers, payloads and ramp, each on a fresh server.
 */
final class LiveSection {
  static final double P99_GOAL_MS = 50;
  /** A step measures at least this many writes (each fans out to N - 1 deliveries). */
  static final int MIN_WRITES = 10;
  /** The lowest rate a ramp tries, in writes a second. */
  static final double MIN_WRITES_PER_SECOND = 1.0;

  private final Path dir;
  private final ResultSink out;
  private final long[] clientCounts;
  private final int writersOpt;
  private final double stepSeconds;
  private final double warmupSeconds;
  private final double startRate;
  private final int maxSteps;
  private final int valueBytes;
  private final String key;
  private final List<String> systems;
  private EdgeHandle edge;
  /** Where {@code edge-tmpfs} keeps its replica file: fsync costs nothing there. */
  static final String TMPFS = "/dev/shm";

  LiveSection(Path dir, ResultSink out, long[] clientCounts, int writersOpt, double stepSeconds, double warmupSeconds,
      double startRate, int maxSteps, int valueBytes, String key, List<String> systems) {
    this.systems = systems;
    this.dir = dir;
    this.out = out;
    this.clientCounts = clientCounts;
    this.writersOpt = writersOpt;
    this.stepSeconds = stepSeconds;
    this.warmupSeconds = warmupSeconds;
    this.startRate = startRate;
    this.maxSteps = maxSteps;
    this.valueBytes = valueBytes;
    this.key = key;
  }

  void run() throws Exception {
    checkHandBuiltDeltas();
    fsyncProbe();
    Vertx clientVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    try {
      int group = 1;
      for (long nLong : clientCounts) {
        int n = (int) nLong;
        Map<String, Double> capacity = new LinkedHashMap<>();
        for (String system : systems) {
          double cap;
          if (system.equals("relay")) {
            try (Relay relay = new Relay()) {
              int port = relay.start();
              cap = runSystem(system, clientVertx, port, "/relay", n, group++, relay, null);
            }
          } else {
            Path edgeDir = system.equals("edge-tmpfs")
                ? Files.createTempDirectory(Path.of(TMPFS), "lattice-bench-edge-live-") : dir.resolve("live-edge-" + n);
            try (EdgeHandle edge = EdgeHandle.start(edgeDir, key, List.of())) {
              cap = runSystem(system, clientVertx, edge.port(), "/v1/sync", n, group++, null, edge);
            } finally {
              if (system.equals("edge-tmpfs")) {
                EdgeSections.deleteRecursively(edgeDir);
              }
            }
          }
          capacity.put(system, cap);
        }
        Double relayCap = capacity.get("relay");
        for (Map.Entry<String, Double> e : capacity.entrySet()) {
          if (!e.getKey().equals("relay") && relayCap != null) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("system", e.getKey());
            p.put("clients", n);
            p.put("writers", writers(n));
            out.emit("edge.live.ratio", p, "capacity.vs_relay", relayCap > 0 ? e.getValue() / relayCap : Double.NaN, "x");
          }
        }
      }
    } finally {
      EdgeHandle.await(clientVertx.close());
    }
  }

  private int writers(int n) {
    return writersOpt <= 0 ? n : Math.min(n, writersOpt);
  }

  /** Runs the ramp for one system; returns its capacity (deliveries/s at p99 ≤ 50 ms), 0 if none passed. */
  private double runSystem(String system, Vertx clientVertx, int port, String path, int n, int group, Relay relay,
      EdgeHandle edge) throws Exception {
    this.edge = edge;
    LiveRun run = new LiveRun(system, n, group, key, valueBytes);
    WebSocketClient wsClient = clientVertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxConnections(n + 16)
        .setConnectTimeout(30_000)
        .setMaxFrameSize(EdgeHandle.LIMITS.maxFrameBytes())
        .setMaxMessageSize(EdgeHandle.LIMITS.maxMessageBytes())
        .setTryUsePerMessageCompression(false)
        .setTryUsePerFrameCompression(false));
    List<LiveClient> clients = new ArrayList<>(n);
    Map<String, Object> base = new LinkedHashMap<>();
    base.put("system", system);
    base.put("clients", n);
    base.put("writers", writers(n));
    try {
      long t0 = System.nanoTime();
      int connected = connectAll(run, wsClient, port, path, n, clients, !system.equals("relay"));
      double connectMs = (System.nanoTime() - t0) / 1e6;
      if (relay != null) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (relay.sockets() < connected && System.nanoTime() < until) {
          Thread.sleep(5);
        }
      }
      System.err.printf("live %s n=%d: %d connected in %.0f ms%n", system, n, connected, connectMs);
      out.emit("edge.live.connect", base, "connected", connected, "clients");
      out.emit("edge.live.connect", base, "time", connectMs, "ms");
      if (connected < n) {
        System.err.printf("live %s n=%d: only %d of %d clients connected; not measured%n", system, n, connected, n);
        return 0;
      }
      return ramp(run, clients, base);
    } finally {
      run.closing = true;
      List<Future<Void>> closing = new ArrayList<>();
      for (LiveClient c : clients) {
        closing.add(c.close());
      }
      try {
        EdgeHandle.await(Future.join(closing));
      } catch (Exception e) {
        System.err.println("  closing clients: " + e);
      }
      EdgeHandle.await(wsClient.close());
    }
  }

  private static int connectAll(LiveRun run, WebSocketClient wsClient, int port, String path, int n,
      List<LiveClient> clients, boolean edge) throws Exception {
    int batch = 100;
    int connected = 0;
    for (int from = 0; from < n; from += batch) {
      List<CompletableFuture<Void>> ready = new ArrayList<>();
      for (int i = from; i < Math.min(n, from + batch); i++) {
        LiveClient c = new LiveClient(run, i);
        clients.add(c);
        c.connect(wsClient, port, path, edge);
        ready.add(c.ready);
      }
      for (CompletableFuture<Void> f : ready) {
        try {
          f.get(60, TimeUnit.SECONDS);
          connected++;
        } catch (Exception e) {
          run.error("connect failed: " + e);
        }
      }
    }
    return connected;
  }

  private double ramp(LiveRun run, List<LiveClient> clients, Map<String, Object> base) throws Exception {
    int n = clients.size();
    int w = writers(n);
    // Below one write a second a step says little (each write is one fan-out burst): never go lower.
    double floor = (n - 1) * MIN_WRITES_PER_SECOND;
    double rate = Math.max(startRate, floor);
    double lastPass = -1;
    double firstFail = -1;
    double capacity = 0;
    int bisections = 0;
    int downs = 0;
    for (int stepNo = 0; stepNo < maxSteps; stepNo++) {
      StepResult r = step(run, clients.subList(0, w), rate, n);
      emit(base, r, 1);
      if (!r.pass && !r.broken && r.delivered >= r.expected && r.errors == 0) {
        // Failed on latency alone: on a shared machine one stall of another process can do that,
        // so the same rate gets a second attempt, and the better of the two counts.
        StepResult again = step(run, clients.subList(0, w), rate, n);
        emit(base, again, 2);
        if (again.pass || again.p99 < r.p99) {
          r = again;
        }
      }
      if (r.pass) {
        lastPass = rate;
        capacity = Math.max(capacity, r.deliveredPerSecond);
      } else {
        firstFail = firstFail < 0 ? rate : Math.min(firstFail, rate);
      }
      if (r.broken) {
        System.err.println("  stopping the ramp: clients were disconnected");
        break;
      }
      if (firstFail < 0) {
        rate *= 2;
      } else if (lastPass < 0) {
        if (++downs > 5 || rate / 2 < floor) {
          break;
        }
        rate /= 2;
      } else {
        if (bisections++ >= 2) {
          break;
        }
        rate = Math.sqrt(lastPass * firstFail);
      }
    }
    Map<String, Object> p = new LinkedHashMap<>(base);
    p.put("p99_goal_ms", P99_GOAL_MS);
    out.emit("edge.live.capacity", p, "deliveries_per_s", capacity, "deliveries/s");
    return capacity;
  }

  private static final class StepResult {
    double offeredDeliveries;
    double writesPerSecond;
    long issuedWindow;
    long expected;
    long delivered;
    long deliveredWindow;
    double deliveredPerSecond;
    double p50;
    double p90;
    double p99;
    double p999;
    double max;
    double ackP50;
    double ackP99;
    long acks;
    long issued;
    double frameBytes;
    long multiDeltaFrames;
    double cpuPerDeliveryUs;
    double drainMs;
    double windowSeconds;
    double commitsPerSecond;
    double machineBusy = Double.NaN;
    double processShare = Double.NaN;
    double syncsPerSecond;
    long errors;
    long closes;
    boolean pass;
    boolean broken;
  }

  private StepResult step(LiveRun run, List<LiveClient> writers, double deliveriesPerSecond, int n) throws Exception {
    double writesPerSecond = deliveriesPerSecond / (n - 1);
    long interval = (long) (1e9 / writesPerSecond);
    long errors0 = run.errors.get();
    long closes0 = run.unexpectedCloses.get();
    run.clearSent();
    long start = System.nanoTime() + 1_000_000;
    long warm = (long) (warmupSeconds * 1e9);
    // At least MIN_WRITES measured writes (large N means few writes a second), at most 3 steps long.
    long window = (long) (Math.min(3 * stepSeconds, Math.max(stepSeconds, MIN_WRITES / writesPerSecond)) * 1e9);
    LiveRun.Step s = new LiveRun.Step(start, start + warm, start + warm + window);
    run.step = s;
    long cpu0 = 0;
    MachineLoad load0 = null;
    long commits0 = 0;
    long syncs0 = 0;
    long k = 0;
    long issuedWindow = 0;
    boolean cpuMarked = false;
    while (true) {
      long due = start + k * interval;
      if (due >= s.windowEnd) {
        break;
      }
      long now = System.nanoTime();
      if (due > now) {
        LockSupport.parkNanos(Math.min(due - now, 1_000_000));
        continue;
      }
      if (!cpuMarked && due >= s.windowStart) {
        cpu0 = processCpuNanos();
        load0 = MachineLoad.now();
        commits0 = edge == null ? 0 : edge.sync.node().replica().metrics().commits();
        syncs0 = edge == null ? 0 : edge.sync.node().replica().metrics().syncs();
        cpuMarked = true;
      }
      LiveClient c = writers.get((int) (k % writers.size()));
      if (!c.closed) {
        c.write();
        if (due >= s.windowStart) {
          issuedWindow++;
        }
      }
      k++;
      s.issued = k;
    }
    long cpu1 = processCpuNanos();
    MachineLoad load1 = MachineLoad.now();
    long commits1 = edge == null ? 0 : edge.sync.node().replica().metrics().commits();
    long syncs1 = edge == null ? 0 : edge.sync.node().replica().metrics().syncs();
    s.issuedWindow = issuedWindow;
    long expected = s.issued * (n - 1);
    boolean acks = !run.system.equals("relay");
    long drainStart = System.nanoTime();
    long drainUntil = drainStart + Math.max(3_000_000_000L, 2 * window);
    while (System.nanoTime() < drainUntil
        && (s.deliveredAll.sum() < expected || (acks && s.acks.sum() < s.issued))) {
      Thread.sleep(2);
    }
    StepResult r = new StepResult();
    r.drainMs = (System.nanoTime() - drainStart) / 1e6;
    r.windowSeconds = window / 1e9;
    r.offeredDeliveries = deliveriesPerSecond;
    r.writesPerSecond = writesPerSecond;
    r.issued = s.issued;
    r.issuedWindow = issuedWindow;
    r.expected = expected;
    r.delivered = s.deliveredAll.sum();
    r.deliveredWindow = s.deliveredWindow.sum();
    // Delivered rate: deliveries of the window's writes over the window's length, or over the
    // time until the last of them arrived if that is longer (a backlog stretches the window).
    long span = Math.max(window, s.lastDeliveryNanos.get() - s.windowStart);
    r.deliveredPerSecond = r.deliveredWindow / (span / 1e9);
    r.p50 = s.latency.percentileMs(50);
    r.p90 = s.latency.percentileMs(90);
    r.p99 = s.latency.percentileMs(99);
    r.p999 = s.latency.percentileMs(99.9);
    r.max = s.latency.maxMs();
    r.acks = s.acks.sum();
    r.ackP50 = s.ackLatency.percentileMs(50);
    r.ackP99 = s.ackLatency.percentileMs(99);
    long frames = s.frames.sum();
    r.frameBytes = frames == 0 ? Double.NaN : (double) s.frameBytes.sum() / frames;
    r.multiDeltaFrames = s.multiDeltaFrames.sum();
    r.cpuPerDeliveryUs = r.deliveredWindow == 0 ? Double.NaN : (cpu1 - cpu0) / 1e3 / r.deliveredWindow;
    r.commitsPerSecond = (commits1 - commits0) / (window / 1e9);
    r.syncsPerSecond = (syncs1 - syncs0) / (window / 1e9);
    if (load0 != null) {
      r.machineBusy = load1.machineBusySince(load0);
      r.processShare = load1.processShareSince(load0);
    }
    r.errors = run.errors.get() - errors0;
    r.closes = run.unexpectedCloses.get() - closes0;
    r.broken = r.closes > 0;
    r.pass = r.p99 <= P99_GOAL_MS && r.delivered >= expected && (!acks || r.acks >= r.issued) && r.errors == 0
        && r.closes == 0 && r.deliveredWindow > 0;
    System.err.printf("live %s n=%d offered %,.0f deliveries/s (%,.1f writes/s): delivered %,.0f/s, p50 %.2f p99 %.2f "
            + "max %.1f ms, ack p50 %.2f p99 %.2f ms, lost %d, frame %.0f B, cpu %.1f us/delivery, commits %.0f/s, "
            + "machine busy %.0f%% (this JVM %.0f%%), %s%n",
        run.system, n, deliveriesPerSecond, writesPerSecond, r.deliveredPerSecond, r.p50, r.p99, r.max, r.ackP50,
        r.ackP99, expected - r.delivered, r.frameBytes, r.cpuPerDeliveryUs, r.commitsPerSecond,
        100 * r.machineBusy, 100 * r.processShare, r.pass ? "pass" : "FAIL");
    run.step = null;
    return r;
  }

  private void emit(Map<String, Object> base, StepResult r, int attempt) {
    Map<String, Object> p = new LinkedHashMap<>(base);
    p.put("offered", Math.round(r.offeredDeliveries));
    p.put("attempt", attempt);
    p.put("seconds", r.windowSeconds);
    String name = "edge.live.step";
    out.emit(name, p, "writes_per_s", r.writesPerSecond, "writes/s");
    out.emit(name, p, "writes.window", r.issuedWindow, "count");
    out.emit(name, p, "delivered_per_s", r.deliveredPerSecond, "deliveries/s");
    out.emit(name, p, "lost", r.expected - r.delivered, "count");
    out.emit(name, p, "latency.p50", r.p50, "ms");
    out.emit(name, p, "latency.p90", r.p90, "ms");
    out.emit(name, p, "latency.p99", r.p99, "ms");
    out.emit(name, p, "latency.p99.9", r.p999, "ms");
    out.emit(name, p, "latency.max", r.max, "ms");
    if (!base.get("system").equals("relay")) {
      out.emit(name, p, "ack.p50", r.ackP50, "ms");
      out.emit(name, p, "ack.p99", r.ackP99, "ms");
      out.emit(name, p, "edge.commits_per_s", r.commitsPerSecond, "commits/s");
      out.emit(name, p, "edge.syncs_per_s", r.syncsPerSecond, "syncs/s");
    }
    out.emit(name, p, "frame.bytes", r.frameBytes, "bytes");
    out.emit(name, p, "frame.wire_bytes", r.frameBytes + wsHeader(r.frameBytes), "bytes");
    out.emit(name, p, "frames.multi_delta", r.multiDeltaFrames, "count");
    out.emit(name, p, "cpu.per_delivery", r.cpuPerDeliveryUs, "us");
    out.emit(name, p, "cpu.machine_busy", r.machineBusy, "fraction");
    out.emit(name, p, "cpu.this_process", r.processShare, "fraction");
    out.emit(name, p, "errors", r.errors + r.closes, "count");
    out.emit(name, p, "pass", r.pass ? 1 : 0, "bool");
  }

  /**
   * How long an fsync takes in {@code --dir} right now (50 × append 32 KiB + {@code force(true)},
   * as MVStore syncs a chunk): what every acked push of the on-disk edge waits for at least once.
   */
  private void fsyncProbe() throws java.io.IOException {
    Path file = dir.resolve("fsync-probe");
    double[] ms = new double[50];
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(32 << 10);
      for (int i = 0; i < ms.length; i++) {
        buf.clear();
        ch.write(buf, (long) i * (32 << 10));
        long t0 = System.nanoTime();
        ch.force(true);
        ms[i] = (System.nanoTime() - t0) / 1e6;
      }
    } finally {
      Files.deleteIfExists(file);
    }
    double[] sorted = ms.clone();
    Arrays.sort(sorted);
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("dir", dir.getParent().toString());
    p.put("writes", ms.length);
    out.emit("edge.live.fsync", p, "p50", sorted[ms.length / 2], "ms");
    out.emit("edge.live.fsync", p, "p90", sorted[(int) (ms.length * 0.9)], "ms");
    out.emit("edge.live.fsync", p, "max", sorted[ms.length - 1], "ms");
    System.err.printf("fsync in %s: p50 %.2f ms, p90 %.2f ms, max %.2f ms%n", dir.getParent(), sorted[ms.length / 2],
        sorted[(int) (ms.length * 0.9)], sorted[ms.length - 1]);
  }

  /** The WebSocket header of an unmasked (server to client) frame with this payload. */
  static int wsHeader(double payload) {
    return payload < 126 ? 2 : payload < 65_536 ? 4 : 10;
  }

  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /**
   * The writers build deltas by hand; this checks, once per run, that they are byte for byte what
   * a real client replica sends for the same two consecutive writes (dot and timestamp taken from
   * the replica's).
   */
  static void checkHandBuiltDeltas() {
    try (Replica r = Replica.inMemory(ReplicaOptions.builder().role(Role.CLIENT).durability(Durability.ASYNC).build())) {
      String v1 = Workload.jsonValue(new java.util.SplittableRandom(1), Workload.VALUE_BYTES);
      String v2 = Workload.jsonValue(new java.util.SplittableRandom(2), Workload.VALUE_BYTES);
      r.namespace("n").collection(Workload.COLLECTION).update("live-0", d -> d.set(Workload.FIELD, v1));
      r.namespace("n").collection(Workload.COLLECTION).update("live-0", d -> d.set(Workload.FIELD, v2));
      r.flush();
      DeltaPage page = r.namespace("n").deltasSince(VersionVector.EMPTY, Integer.MAX_VALUE);
      List<Delta> real = ((DeltaPage.Deltas) page).deltas();
      Delta h1 = Workload.set(real.get(0).dot(), real.get(0).hlc(), Workload.COLLECTION, "live-0", LwwRegister.EMPTY, v1);
      Delta h2 = Workload.set(real.get(1).dot(), real.get(1).hlc(), Workload.COLLECTION, "live-0",
          Workload.registerOf(h1), v2);
      if (!Arrays.equals(DeltaCodec.encode(h1), DeltaCodec.encode(real.get(0)))
          || !Arrays.equals(DeltaCodec.encode(h2), DeltaCodec.encode(real.get(1)))) {
        throw new IllegalStateException("hand-built deltas differ from a replica's: " + h2 + " vs " + real.get(1));
      }
    }
  }
}
