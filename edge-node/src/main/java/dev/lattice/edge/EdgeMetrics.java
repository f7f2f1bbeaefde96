package dev.lattice.edge;

import dev.lattice.replica.ReplicaMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The node's meters, in one Micrometer {@link PrometheusMeterRegistry} scraped at {@code /metrics}.
 * Every way data can be refused or silently lost has a meter (rejected writes, last-writer-wins
 * overwrites, skew rejections, disconnects for being slow, fast or oversized), so that loss is
 * never silent. Names below are Micrometer's; Prometheus shows them with {@code _} for {@code .},
 * the base unit appended and {@code _total} after counters (e.g. {@code lattice_deltas_in_total}).
 *
 * <p>Meters tagged by namespace are created for every configured namespace when it is
 * {@linkplain #registerNamespace registered}, so a scrape shows them at zero before any traffic.
 * Thread-safe: Micrometer meters are.
 */
public final class EdgeMetrics {
  public static final String SESSIONS = "lattice.sessions";
  public static final String CONNECTIONS = "lattice.websocket.connections";
  public static final String UPGRADES_REFUSED = "lattice.websocket.refused";
  public static final String DELTAS_IN = "lattice.deltas.in";
  public static final String DELTAS_OUT = "lattice.deltas.out";
  public static final String BYTES_IN = "lattice.ws.received";
  public static final String BYTES_OUT = "lattice.ws.sent";
  public static final String ACK_LATENCY = "lattice.ack.latency";
  public static final String OUTBOUND_QUEUED = "lattice.outbound.queued";
  public static final String OUTBOUND_QUEUE_DEPTH = "lattice.outbound.queue.depth";
  public static final String REPAIRS = "lattice.repairs";
  public static final String SKEW_REJECTIONS = "lattice.skew.rejections";
  public static final String LWW_OVERWRITES = "lattice.lww.overwrites";
  public static final String REJECTED_WRITES = "lattice.writes.rejected";
  public static final String SLOW_CONSUMERS = "lattice.slow.consumer.disconnects";
  public static final String RATE_LIMITED = "lattice.rate.limited.messages";
  public static final String RATE_LIMIT_DISCONNECTS = "lattice.rate.limit.disconnects";
  public static final String OVERSIZED = "lattice.oversized";
  public static final String REPLICA_PREFIX = "lattice.replica.";

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, AtomicInteger> sessions = new ConcurrentHashMap<>();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicLong outboundQueued = new AtomicLong();
  private final Counter bytesIn;
  private final Counter bytesOut;
  private final Timer ackLatency;
  private final Counter skewRejections;
  private final Counter slowConsumers;
  private final Counter rateLimited;
  private final Counter rateLimitDisconnects;

  public EdgeMetrics() {
    Gauge.builder(CONNECTIONS, connections, AtomicInteger::get)
        .description("Open WebSocket connections, all endpoints").register(registry);
    bytesIn = Counter.builder(BYTES_IN).baseUnit("bytes").description("WebSocket payload bytes received")
        .register(registry);
    bytesOut = Counter.builder(BYTES_OUT).baseUnit("bytes").description("WebSocket payload bytes sent")
        .register(registry);
    ackLatency = Timer.builder(ACK_LATENCY)
        .description("From receiving a client's delta to acknowledging it as durable")
        // Client-side percentiles (a Prometheus summary): Micrometer's Prometheus registry cannot
        // publish them beside a percentile histogram in one family, and the issue asks for p50/p99.
        .publishPercentiles(0.5, 0.9, 0.99)
        .register(registry);
    Gauge.builder(OUTBOUND_QUEUED, outboundQueued, AtomicLong::get).baseUnit("bytes")
        .description("Bytes written to WebSockets and not yet handed to the network, all connections")
        .register(registry);
    skewRejections = Counter.builder(SKEW_REJECTIONS)
        .description("Deltas refused because their timestamp was too far ahead of this node's clock")
        .register(registry);
    slowConsumers = Counter.builder(SLOW_CONSUMERS)
        .description("Connections closed (1008) because they did not read fast enough").register(registry);
    rateLimited = Counter.builder(RATE_LIMITED)
        .description("Inbound messages refused by the per-connection rate limit").register(registry);
    rateLimitDisconnects = Counter.builder(RATE_LIMIT_DISCONNECTS)
        .description("Connections closed (1008) for exceeding the rate limit persistently").register(registry);
    for (String kind : new String[] {"frame", "message"}) {
      oversizedCounter(kind);
    }
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  /** Creates the namespace's meters at zero, so they show before the first session. */
  public void registerNamespace(String namespace) {
    sessionGauge(namespace);
    deltasCounter(DELTAS_IN, namespace);
    deltasCounter(DELTAS_OUT, namespace);
  }

  // ---- sessions and connections ----

  public void sessionOpened(String namespace) {
    sessionGauge(namespace).incrementAndGet();
  }

  public void sessionClosed(String namespace) {
    sessionGauge(namespace).decrementAndGet();
  }

  /** Open sync sessions on {@code namespace}. */
  public int sessions(String namespace) {
    AtomicInteger n = sessions.get(namespace);
    return n == null ? 0 : n.get();
  }

  public void connectionOpened() {
    connections.incrementAndGet();
  }

  public void connectionClosed() {
    connections.decrementAndGet();
  }

  public int connections() {
    return connections.get();
  }

  /** A WebSocket upgrade refused before it was accepted: origin, capacity, path or not-ready. */
  public void upgradeRefused(String reason) {
    registry.counter(UPGRADES_REFUSED, "reason", reason).increment();
  }

  // ---- traffic ----

  public void deltasIn(String namespace, int count) {
    deltasCounter(DELTAS_IN, namespace).increment(count);
  }

  public void deltasOut(String namespace, int count) {
    deltasCounter(DELTAS_OUT, namespace).increment(count);
  }

  public void bytesIn(long bytes) {
    bytesIn.increment(bytes);
  }

  public void bytesOut(long bytes) {
    bytesOut.increment(bytes);
  }

  public void ackLatency(Duration latency) {
    ackLatency.record(latency);
  }

  public Timer ackLatencyTimer() {
    return ackLatency;
  }

  /** Bytes entering ({@code > 0}) or leaving ({@code < 0}) WebSocket write queues. */
  public void outboundQueued(long deltaBytes) {
    outboundQueued.addAndGet(deltaBytes);
  }

  public long outboundQueuedBytes() {
    return outboundQueued.get();
  }

  /**
   * Publishes the depth of a queue the node does not own (a peer link's outbound queue, say) as
   * {@value #OUTBOUND_QUEUE_DEPTH}{@code {queue=...}}, read from {@code depth} at each scrape.
   */
  public void bindOutboundQueueDepth(String queue, Supplier<Number> depth) {
    Gauge.builder(OUTBOUND_QUEUE_DEPTH, depth, d -> {
      Number n = d.get();
      return n == null ? Double.NaN : n.doubleValue();
    }).tag("queue", queue).description("Entries waiting in an outbound queue").strongReference(true).register(registry);
  }

  // ---- outcomes ----

  /** A Merkle repair finished, with an outcome such as {@code repaired}, {@code in-sync} or {@code failed}. */
  public void repair(String outcome) {
    registry.counter(REPAIRS, "outcome", outcome).increment();
  }

  public void skewRejected() {
    skewRejections.increment();
  }

  /** A write refused with the wire error {@code code} (e.g. {@code forbidden}, {@code wrong-type}). */
  public void writeRejected(String code) {
    registry.counter(REJECTED_WRITES, "code", code).increment();
  }

  public void slowConsumerDisconnected() {
    slowConsumers.increment();
  }

  public void rateLimited() {
    rateLimited.increment();
  }

  public void rateLimitDisconnected() {
    rateLimitDisconnects.increment();
  }

  /** A frame ({@code kind = "frame"}) or reassembled message ({@code "message"}) over its limit. */
  public void oversized(String kind) {
    oversizedCounter(kind).increment();
  }

  /**
   * Publishes the replica's own counters: {@value #LWW_OVERWRITES} and
   * {@value #REPLICA_PREFIX}{@code *} (local writes, remote applied and duplicates, rejected
   * writes, commits, syncs, housekeeping, trimmed log entries).
   */
  public void bindReplica(ReplicaMetrics replica) {
    FunctionCounter.builder(LWW_OVERWRITES, replica, ReplicaMetrics::lwwOverwrites)
        .description("Concurrent writes that lost a last-writer-wins race; the losing value is no longer read")
        .register(registry);
    replicaCounter("local.writes", replica, ReplicaMetrics::localWrites, "Writes made on this node");
    replicaCounter("remote.applied", replica, ReplicaMetrics::remoteApplied, "Remote deltas applied");
    replicaCounter("remote.duplicates", replica, ReplicaMetrics::remoteDuplicates,
        "Remote deltas already applied (retries), ignored");
    replicaCounter("rejected.writes", replica, ReplicaMetrics::rejectedWrites,
        "Queued local writes an upstream rejected for good");
    replicaCounter("commits", replica, ReplicaMetrics::commits, "Store commits");
    replicaCounter("syncs", replica, ReplicaMetrics::syncs, "Store syncs to the device");
    replicaCounter("housekeeping", replica, ReplicaMetrics::housekeeping, "Rounds of file compaction");
    replicaCounter("log.trimmed", replica, ReplicaMetrics::logTrimmed, "Delta log entries trimmed by retention");
  }

  private void replicaCounter(String name, ReplicaMetrics replica, ToDoubleFunction<ReplicaMetrics> f, String help) {
    FunctionCounter.builder(REPLICA_PREFIX + name, replica, f).description(help).register(registry);
  }

  private AtomicInteger sessionGauge(String namespace) {
    return sessions.computeIfAbsent(namespace, ns -> {
      AtomicInteger n = new AtomicInteger();
      Gauge.builder(SESSIONS, n, AtomicInteger::get).tags(Tags.of("namespace", ns))
          .description("Open sync sessions").register(registry);
      return n;
    });
  }

  /** Looked up once per name and namespace: registering again on every delivery costs ~2 % of a busy edge. */
  private Counter deltasCounter(String name, String namespace) {
    return deltaCounters.computeIfAbsent(name + '\0' + namespace, k -> Counter.builder(name).tag("namespace", namespace)
        .description(name.equals(DELTAS_IN) ? "Deltas received from clients and peers" : "Deltas sent to clients and peers")
        .register(registry));
  }

  private final java.util.Map<String, Counter> deltaCounters = new java.util.concurrent.ConcurrentHashMap<>();

  private Counter oversizedCounter(String kind) {
    return Counter.builder(OVERSIZED).tag("kind", kind)
        .description("Frames or messages over the size limit; the connection is closed with 1009").register(registry);
  }
}
