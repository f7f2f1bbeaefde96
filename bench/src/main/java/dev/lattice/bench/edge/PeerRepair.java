package dev.lattice.bench.edge;

import dev.lattice.bench.ResultSink;
import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.type.LwwRegister;
import dev.lattice.edge.config.PeerConfig;
import dev.lattice.replica.RetentionPolicy;
import dev.lattice.replica.log.Delta;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Section {@code repair}: two edges peered through a {@link CountingProxy}. Edge A is the loaded
 * edge of the other sections; edge B starts empty with A as its configured peer, so B's
 * {@code PeerConnector} opens the link (and would run the periodic anti-entropy, set to 1 h here)
 * and first catches up from A's log (recorded as the initial peer sync). Then, per {@code d}: the
 * proxy cuts the link and holds B's reconnection attempt; {@code d} documents change on each side
 * (applied as a client's pushes would be, one writer per side, on different documents so that
 * each write must survive); both logs are compacted to nothing
 * ({@code compactLog(keep 0, 1 ms)}), so neither side can serve the other from its log; the proxy
 * heals. Measured from the heal until both committed vectors cover the other side's writes: wall
 * time, bytes each way through the proxy, and the messages by type. The documents are checked
 * equal on both edges afterwards (Merkle roots and the changed values). Each {@code d} runs twice:
 * changes on A only (one side needs a repair), then on both sides (both need one).
 */
final class PeerRepair {
  private final Path dir;
  private final ResultSink out;
  private final Vertx proxyVertx;
  private final long[] dValues;
  private final SplittableRandom random;
  private final int valueBytes;
  /** How long a both-sides round may take before it is reported as not converging. */
  static final int BOTH_SIDES_TIMEOUT_S = 15;

  private final ReplicaId writerA = Workload.writerId(4, 0);
  private final ReplicaId writerB = Workload.writerId(5, 0);
  private long seqA;
  private long seqB;

  PeerRepair(Path dir, ResultSink out, Vertx proxyVertx, long[] dValues, SplittableRandom random, int valueBytes) {
    this.dir = dir;
    this.out = out;
    this.proxyVertx = proxyVertx;
    this.dValues = dValues;
    this.random = random;
    this.valueBytes = valueBytes;
  }

  void run(EdgeHandle a) throws Exception {
    int docs = a.namespace().collection(Workload.COLLECTION).scan("", Integer.MAX_VALUE).size();
    CountingProxy proxy = new CountingProxy(proxyVertx, a.port());
    int proxyPort = proxy.start();
    proxy.reset();
    long t0 = System.nanoTime();
    EdgeHandle b = EdgeHandle.start(dir.resolve("edge-b"), EdgeSections.KEY,
        List.of(new PeerConfig(URI.create("ws://127.0.0.1:" + proxyPort), EdgeSections.KEY)));
    try {
      VersionVector target = a.namespace().committedVector();
      waitUntil(() -> target.isCoveredBy(b.namespace().committedVector()), 600);
      double ms = (System.nanoTime() - t0) / 1e6;
      waitQuiet(proxy, 200);
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("docs", docs);
      out.emit("edge.repair.initial_peer_sync", p, "time", ms, "ms");
      out.emit("edge.repair.initial_peer_sync", p, "bytes.a_to_b", proxy.bytesDown(), "bytes");
      out.emit("edge.repair.initial_peer_sync", p, "bytes.b_to_a", proxy.bytesUp(), "bytes");
      System.err.printf("repair: B caught up from A over the peer link in %.0f ms (B start included): %,d bytes A->B;%s%n",
          ms, proxy.bytesDown(), Traces.describe(proxy.trace()));
      checkSame(a, b);

      for (long dl : dValues) {
        round(a, b, proxy, docs, (int) dl, 1);
        round(a, b, proxy, docs, (int) dl, 2);
      }
      antiEntropy(a, b, proxy, docs);
    } finally {
      b.close();
      proxy.close();
    }
  }

  /**
   * One partition and heal. {@code sides} 1: the {@code d} changes are made on A only, so only A
   * needs a repair to bring B up to date. {@code sides} 2: {@code d} on each side, as the issue
   * asks. A round that has not converged after {@link #BOTH_SIDES_TIMEOUT_S} (2 sides) or 120 s is
   * reported as such, then the two edges are made equal by applying each side's changes on the
   * other directly (outside the measurement) so that the next round starts converged.
   */
  private void round(EdgeHandle a, EdgeHandle b, CountingProxy proxy, int docs, int d, int sides) throws Exception {
    proxy.partition();
    waitUntil(() -> !b.sync.peers().get(0).connected(), 30);
    Set<String> taken = new java.util.HashSet<>();
    List<Delta> onA = changes(a, writerA, d, docs, true, taken);
    List<Delta> onB = sides == 2 ? changes(b, writerB, d, docs, false, taken) : List.of();
    a.apply(onA, 1000);
    if (!onB.isEmpty()) {
      b.apply(onB, 1000);
    }
    Thread.sleep(5);
    RetentionPolicy none = new RetentionPolicy(0, Duration.ofMillis(1));
    int trimmedA = a.namespace().compactLog(none);
    int trimmedB = b.namespace().compactLog(none);
    a.sync.node().replica().flush();
    b.sync.node().replica().flush();
    waitUntil(() -> proxy.heldConnections() > 0, 30);
    proxy.reset();
    long t0 = System.nanoTime();
    proxy.heal();
    long wantA = seqA;
    long wantB = seqB;
    boolean converged = waitUntil(() -> b.namespace().committedVector().contiguous(writerA) >= wantA
        && a.namespace().committedVector().contiguous(writerB) >= wantB, sides == 2 ? BOTH_SIDES_TIMEOUT_S : 120);
    double ms = (System.nanoTime() - t0) / 1e6;
    if (converged) {
      waitQuiet(proxy, 300);
    }
    List<CountingProxy.Msg> trace = proxy.trace();
    long down = proxy.bytesDown();
    long up = proxy.bytesUp();
    long connections = proxy.connections();
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("docs", docs);
    p.put("d", d);
    p.put("sides", sides);
    out.emit("edge.repair", p, "converged", converged ? 1 : 0, "bool");
    out.emit("edge.repair", p, "time", ms, "ms");
    out.emit("edge.repair", p, "connections", connections, "count");
    out.emit("edge.repair", p, "bytes.a_to_b", down, "bytes");
    out.emit("edge.repair", p, "bytes.b_to_a", up, "bytes");
    out.emit("edge.repair", p, "bytes.total", down + up, "bytes");
    out.emit("edge.repair", p, "bytes.per_changed_doc", (double) (down + up) / (d * sides), "bytes");
    out.emit("edge.repair", p, "log.trimmed", trimmedA + trimmedB, "count");
    if (converged) {
      Traces.byType(trace).forEach((k, t) -> {
        Map<String, Object> q = new LinkedHashMap<>(p);
        q.put("message", k);
        out.emit("edge.repair.messages", q, "count", t.count, "count");
        out.emit("edge.repair.messages", q, "bytes", t.wire, "bytes");
      });
    }
    String firstError = trace.stream().filter(m -> m.detail() != null).map(m -> (m.up() ? "B->A " : "A->B ") + m.detail())
        .findFirst().orElse("none");
    System.err.printf("repair d=%d, changes on %s: %s in %.0f ms over %d connection(s), %,d bytes A->B, %,d B->A;%s%n"
            + "  first error: %s%n  timeline: %s%n", d, sides == 2 ? "both sides" : "A only",
        converged ? "converged" : "NOT converged", ms, connections, down, up,
        converged ? Traces.describe(trace) : "", firstError, Traces.timeline(trace, 24));
    if (!converged) {
      // Bring the edges together by hand so that the next round starts from equal states.
      a.apply(onB, 1000);
      b.apply(onA, 1000);
      boolean fixed = waitUntil(() -> b.namespace().committedVector().contiguous(writerA) >= wantA
          && a.namespace().committedVector().contiguous(writerB) >= wantB, 60);
      waitUntil(() -> b.sync.peers().get(0).connected(), 60);
      waitQuiet(proxy, 500);
      System.err.println("  edges made equal by applying each side's changes on the other: " + fixed);
    }
    CatchUpSections.checkHolds(b.namespace(), onA);
    CatchUpSections.checkHolds(a.namespace(), onB);
    checkSame(a, b);
  }

  /** One periodic anti-entropy round on two converged edges: what it costs when nothing differs. */
  private void antiEntropy(EdgeHandle a, EdgeHandle b, CountingProxy proxy, int docs) throws Exception {
    waitUntil(() -> b.sync.peers().get(0).connected(), 30);
    waitQuiet(proxy, 300);
    proxy.reset();
    long t0 = System.nanoTime();
    boolean started = EdgeHandle.await(b.sync.repairPeersNow().map(v -> true));
    boolean done = waitUntil(() -> statesSeen(proxy.trace()) >= 2, 60);
    double ms = (System.nanoTime() - t0) / 1e6;
    waitQuiet(proxy, 200);
    List<CountingProxy.Msg> trace = proxy.trace();
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("docs", docs);
    p.put("d", 0);
    out.emit("edge.repair.anti_entropy", p, "completed", done && started ? 1 : 0, "bool");
    out.emit("edge.repair.anti_entropy", p, "time", ms, "ms");
    out.emit("edge.repair.anti_entropy", p, "bytes.total", proxy.bytesDown() + proxy.bytesUp(), "bytes");
    out.emit("edge.repair.anti_entropy", p, "messages", trace.size(), "count");
    System.err.printf("repair: anti-entropy round on converged edges: %.0f ms, %,d bytes;%s%n", ms,
        proxy.bytesDown() + proxy.bytesUp(), Traces.describe(trace));
  }

  private static long statesSeen(List<CountingProxy.Msg> trace) {
    return trace.stream().filter(m -> m.type().equals("states")).count();
  }

  /** {@code d} one-field changes of distinct documents not in {@code taken} (which takes them). */
  private List<Delta> changes(EdgeHandle e, ReplicaId writer, int d, int docs, boolean sideA, Set<String> taken) {
    Set<String> ids = new LinkedHashSet<>();
    while (ids.size() < d) {
      String id = Workload.docId(random.nextInt(docs));
      if (taken.add(id)) {
        ids.add(id);
      }
    }
    List<Delta> out = new ArrayList<>(d);
    for (String id : ids) {
      Optional<Document> cur = e.namespace().collection(Workload.COLLECTION).get(id);
      LwwRegister reg = cur.map(doc -> doc.fields().lww(Workload.FIELD)).orElse(LwwRegister.EMPTY);
      long seq = sideA ? ++seqA : ++seqB;
      out.add(Workload.set(new Dot(writer, seq), EdgeHandle.CLOCK.now(), Workload.COLLECTION, id, reg,
          Workload.jsonValue(random, valueBytes)));
    }
    return out;
  }

  private static void checkSame(EdgeHandle a, EdgeHandle b) {
    byte[] ra = a.namespace().merkleRoot(Workload.COLLECTION);
    byte[] rb = b.namespace().merkleRoot(Workload.COLLECTION);
    if (!Arrays.equals(ra, rb)) {
      throw new IllegalStateException("the two edges' Merkle roots differ after the repair");
    }
  }

  private static void waitQuiet(CountingProxy proxy, long quietMs) throws InterruptedException {
    long last = -1;
    long lastChange = System.nanoTime();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < until) {
      long now = proxy.bytesDown() + proxy.bytesUp();
      if (now != last) {
        last = now;
        lastChange = System.nanoTime();
      } else if (System.nanoTime() - lastChange > quietMs * 1_000_000L) {
        return;
      }
      Thread.sleep(5);
    }
  }

  private static boolean waitUntil(java.util.function.BooleanSupplier condition, long seconds)
      throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > until) {
        return false;
      }
      Thread.sleep(1);
    }
    return true;
  }
}
