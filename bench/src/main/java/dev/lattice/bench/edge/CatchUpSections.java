package dev.lattice.bench.edge;

import dev.lattice.bench.ResultSink;
import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.type.LwwRegister;
import dev.lattice.crdt.value.Value;
import dev.lattice.replica.Durability;
import dev.lattice.replica.Namespace;
import dev.lattice.replica.Replica;
import dev.lattice.replica.ReplicaOptions;
import dev.lattice.replica.Role;
import dev.lattice.replica.client.SyncClient;
import dev.lattice.replica.log.Delta;
import dev.lattice.replica.sync.SyncCodec;
import dev.lattice.replica.sync.SyncLimits;
import dev.lattice.replica.sync.SyncMessage;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sections {@code initial}, {@code reconnect} and {@code repair}, on one edge loaded with
 * {@code --docs} documents (one ~100-byte JSON-ish LWW field each, written by {@code --origins}
 * writers and applied at the edge as their pushes would be). Every client connects through a
 * {@link CountingProxy}, which counts the bytes each way (HTTP upgrade and WebSocket framing
 * included) and traces the messages.
 *
 * <p>Clients: {@link SnapshotClient} (no replica: decodes everything, stores nothing) for
 * snapshots with and without {@code compress}; the real {@link SyncClient} (JDK HttpClient
 * WebSocket, {@code compress} always on, as shipped) over a client-role MVStore replica file
 * ({@code Durability.ASYNC}, flushed before each reconnect) for the end-to-end initial sync and
 * every reconnect.
 */
final class CatchUpSections {
  private final Path dir;
  private final ResultSink out;
  private final Set<String> only;
  private final int docs;
  private final int origins;
  private final long[] dValues;
  private final int reps;
  private final int valueBytes;
  private final SplittableRandom random = new SplittableRandom(42);
  private final SyncCodec codec = new SyncCodec(SyncLimits.defaults());
  private long otherSeq;
  private Replica synced;
  private Path syncedFile;

  CatchUpSections(Path dir, ResultSink out, Set<String> only, int docs, int origins, long[] dValues, int reps,
      int valueBytes) {
    this.dir = dir;
    this.out = out;
    this.only = only;
    this.docs = docs;
    this.origins = origins;
    this.dValues = dValues;
    this.reps = reps;
    this.valueBytes = valueBytes;
  }

  void run() throws Exception {
    Vertx proxyVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    Vertx clientVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    WebSocketClient ws = clientVertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(16 << 20).setMaxMessageSize(64 << 20)
        .setTryUsePerMessageCompression(false).setTryUsePerFrameCompression(false));
    EdgeHandle a = EdgeHandle.start(dir.resolve("edge-a"), EdgeSections.KEY, List.of());
    CountingProxy proxy = new CountingProxy(proxyVertx, a.port());
    try {
      proxy.start();
      load(a);
      if (only.contains("initial")) {
        initial(a, proxy, ws);
      }
      if (only.contains("reconnect")) {
        reconnect(a, proxy, ws);
      }
      if (synced != null) {
        synced.close();
        synced = null;
      }
      if (only.contains("repair")) {
        new PeerRepair(dir, out, proxyVertx, dValues, random, valueBytes).run(a);
      }
    } finally {
      if (synced != null) {
        synced.close();
      }
      proxy.close();
      a.close();
      EdgeHandle.await(ws.close());
      EdgeHandle.await(clientVertx.close());
      EdgeHandle.await(proxyVertx.close());
    }
  }

  private Map<String, Object> params(Object... kv) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("docs", docs);
    for (int i = 0; i < kv.length; i += 2) {
      p.put((String) kv[i], kv[i + 1]);
    }
    return p;
  }

  private void load(EdgeHandle a) {
    List<Delta> deltas = new ArrayList<>(docs);
    long[] seqs = new long[origins];
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < docs; i++) {
      int o = i % origins;
      ReplicaId id = Workload.writerId(2, o);
      deltas.add(Workload.set(new Dot(id, ++seqs[o]), EdgeHandle.CLOCK.now(), Workload.COLLECTION, Workload.docId(i),
          LwwRegister.EMPTY, Workload.jsonValue(r, valueBytes)));
    }
    long payload = 0;
    for (Delta d : deltas) {
      payload += Workload.payloadBytes(d);
    }
    long t0 = System.nanoTime();
    a.apply(deltas, 1000);
    double ms = (System.nanoTime() - t0) / 1e6;
    System.err.printf("catch-up: loaded %,d documents (%,d bytes of ids and values) into the edge in %.0f ms%n", docs,
        payload, ms);
    Map<String, Object> p = params("origins", origins);
    out.emit("edge.setup.load", p, "time", ms, "ms");
    out.emit("edge.setup.load", p, "payload", payload, "bytes");
  }

  // ---- initial sync ----

  private void initial(EdgeHandle a, CountingProxy proxy, WebSocketClient ws) throws Exception {
    SnapshotClient sc = new SnapshotClient(ws);
    // Warm-up: one of each, not recorded (JIT).
    sc.run(proxy.port(), EdgeSections.KEY, VersionVector.EMPTY, true, false);
    sc.run(proxy.port(), EdgeSections.KEY, VersionVector.EMPTY, false, false);
    boolean[] modes = {true, false};
    double[][] ms = new double[2][reps];
    long[][] down = new long[2][reps];
    long[][] up = new long[2][reps];
    SnapshotClient.Result[] last = new SnapshotClient.Result[2];
    for (int rep = 0; rep < reps; rep++) {
      for (int m = 0; m < 2; m++) {
        proxy.reset();
        SnapshotClient.Result r = sc.run(proxy.port(), EdgeSections.KEY, VersionVector.EMPTY, modes[m], rep == 0);
        ms[m][rep] = r.nanos / 1e6;
        down[m][rep] = proxy.bytesDown();
        up[m][rep] = proxy.bytesUp();
        if (rep == 0) {
          last[m] = r;
        }
        System.err.printf("initial: snapshot client, compress=%s: %,d deltas in %,d messages, %,d bytes down, %,d up, "
            + "%.0f ms%n", modes[m], r.deltas, r.messages, proxy.bytesDown(), proxy.bytesUp(), r.nanos / 1e6);
      }
    }
    for (int m = 0; m < 2; m++) {
      Map<String, Object> p = params("client", "snapshot", "compress", String.valueOf(modes[m]), "reps", reps);
      SnapshotClient.Result r = last[m];
      out.emit("edge.initial", p, "time.median", Stats.median(ms[m]), "ms");
      out.emit("edge.initial", p, "time.min", Stats.min(ms[m]), "ms");
      out.emit("edge.initial", p, "time.max", Stats.max(ms[m]), "ms");
      out.emit("edge.initial", p, "bytes.down", down[m][0], "bytes");
      out.emit("edge.initial", p, "bytes.up", up[m][0], "bytes");
      out.emit("edge.initial", p, "messages", r.messages, "count");
      out.emit("edge.initial", p, "deltas", r.deltas, "count");
      out.emit("edge.initial", p, "delta.bytes", r.deltaBytes, "bytes");
      out.emit("edge.initial", p, "payload.bytes", r.payloadBytes, "bytes");
      if (modes[m]) {
        out.emit("edge.initial", p, "packed.messages", r.packedMessages, "count");
        out.emit("edge.initial", p, "inflated.bytes", r.inflatedBytes, "bytes");
        out.emit("edge.initial", p, "inflated.largest_message", r.largestInflated, "bytes");
        out.emit("edge.initial", p, "inflated.limit", SyncLimits.defaults().maxInflatedBytes(), "bytes");
      }
      out.emit("edge.initial", p, "bytes.per_doc", (double) down[m][0] / docs, "bytes");
    }
    // End to end: the real SyncClient into a client replica file.
    syncedFile = dir.resolve("client-synced.mv.db");
    synced = Replica.open(syncedFile, clientOptions());
    Measure m = reconnectOnce(a, proxy, synced);
    Map<String, Object> p = params("client", "SyncClient+replica", "compress", "true", "reps", 1);
    out.emit("edge.initial", p, "time", m.ms, "ms");
    out.emit("edge.initial", p, "bytes.down", m.down, "bytes");
    out.emit("edge.initial", p, "bytes.up", m.up, "bytes");
    System.err.printf("initial: SyncClient into a replica file: %,d bytes down, %.0f ms;%s%n", m.down, m.ms,
        Traces.describe(m.trace));
    long have = synced.namespace(EdgeHandle.NAMESPACE).collection(Workload.COLLECTION).scan("", docs + 1).size();
    if (have != docs) {
      throw new IllegalStateException("the synced client holds " + have + " documents, not " + docs);
    }
  }

  private static ReplicaOptions clientOptions() {
    return ReplicaOptions.builder().role(Role.CLIENT).durability(Durability.ASYNC).build();
  }

  // ---- reconnect ----

  private void reconnect(EdgeHandle a, CountingProxy proxy, WebSocketClient ws) throws Exception {
    if (synced == null) {
      syncedFile = dir.resolve("client-synced.mv.db");
      synced = Replica.open(syncedFile, clientOptions());
      Measure m = reconnectOnce(a, proxy, synced);
      System.err.printf("reconnect: initial sync of the client: %,d bytes down, %.0f ms%n", m.down, m.ms);
    }
    SnapshotClient sc = new SnapshotClient(ws);
    ReplicaId other = Workload.writerId(3, 0);
    for (long dl : dValues) {
      int d = (int) dl;
      // (a) changes made elsewhere while this client was offline
      double[] ms = new double[reps];
      double[] protocolMs = new double[reps];
      long[] down = new long[reps];
      long[] up = new long[reps];
      for (int rep = 0; rep < reps; rep++) {
        List<Delta> changes = edgeChanges(a, other, pickDocs(d, Set.of()));
        a.apply(changes, 1000);
        Measure m = reconnectOnce(a, proxy, synced);
        ms[rep] = m.ms;
        protocolMs[rep] = spanMs(m.trace, Traces.last(m.trace, false, "caught-up"));
        down[rep] = m.down;
        up[rep] = m.up;
        checkHolds(synced.namespace(EdgeHandle.NAMESPACE), changes);
        System.err.printf("reconnect d=%d (edge changes): %,d bytes down, %,d up, %.1f ms; %s%n", d, m.down, m.up, m.ms,
            Traces.timeline(m.trace, 12));
      }
      proxy.reset();
      SnapshotClient.Result snap = sc.run(proxy.port(), EdgeSections.KEY, VersionVector.EMPTY, true, false);
      long snapBytes = proxy.bytesDown() + proxy.bytesUp();
      double reconBytes = Stats.median(toDouble(down)) + Stats.median(toDouble(up));
      Map<String, Object> p = params("d", d, "changes", "edge", "client", "SyncClient+replica", "reps", reps);
      out.emit("edge.reconnect", p, "time.median", Stats.median(ms), "ms");
      out.emit("edge.reconnect", p, "time.min", Stats.min(ms), "ms");
      out.emit("edge.reconnect", p, "time.hello_to_done.median", Stats.median(protocolMs), "ms");
      out.emit("edge.reconnect", p, "bytes.down.median", Stats.median(toDouble(down)), "bytes");
      out.emit("edge.reconnect", p, "bytes.up.median", Stats.median(toDouble(up)), "bytes");
      out.emit("edge.reconnect", p, "snapshot.bytes", snapBytes, "bytes");
      out.emit("edge.reconnect", p, "snapshot.time", snap.nanos / 1e6, "ms");
      out.emit("edge.reconnect", p, "bytes.vs_snapshot", reconBytes / snapBytes, "ratio");
      out.emit("edge.reconnect", p, "bytes.saved", 1 - reconBytes / snapBytes, "fraction");

      // (b) offline edits on both sides: d by this client, d elsewhere
      double[] msB = new double[reps];
      double[] protocolB = new double[reps];
      long[] downB = new long[reps];
      long[] upB = new long[reps];
      double[] rts = new double[reps];
      double[] pushOverhead = new double[reps];
      double[] deltasOverhead = new double[reps];
      double[] unpackedOverhead = new double[reps];
      for (int rep = 0; rep < reps; rep++) {
        List<String> edgeDocs = pickDocs(d, Set.of());
        List<String> clientDocs = pickDocs(d, new HashSet<>(edgeDocs));
        List<Delta> changes = edgeChanges(a, other, edgeDocs);
        a.apply(changes, 1000);
        Namespace cns = synced.namespace(EdgeHandle.NAMESPACE);
        for (String id : clientDocs) {
          String v = Workload.jsonValue(random, valueBytes);
          cns.collection(Workload.COLLECTION).update(id, w -> w.set(Workload.FIELD, v));
        }
        synced.flush();
        List<Delta> mine = cns.outbox().pending(d + 10);
        if (mine.size() != d) {
          throw new IllegalStateException("outbox holds " + mine.size() + " writes, expected " + d);
        }
        Measure m = reconnectOnce(a, proxy, synced);
        msB[rep] = m.ms;
        downB[rep] = m.down;
        upB[rep] = m.up;
        int end = Math.max(Traces.last(m.trace, false, "caught-up"), Traces.last(m.trace, false, "ack"));
        rts[rep] = Traces.clientFlights(m.trace, end);
        protocolB[rep] = spanMs(m.trace, end);
        long pushPayload = 0;
        long deltasPayload = 0;
        for (CountingProxy.Msg msg : m.trace) {
          if (msg.up() && msg.type().equals("push")) {
            pushPayload += msg.payload();
          } else if (!msg.up() && msg.type().equals("deltas")) {
            deltasPayload += msg.payload();
          }
        }
        pushOverhead[rep] = (double) (pushPayload - payload(mine)) / d;
        deltasOverhead[rep] = (double) (deltasPayload - payload(changes)) / d;
        unpackedOverhead[rep] = (double) (codec.encodeBinary(new SyncMessage.Deltas(changes), false).length
            - payload(changes)) / d;
        checkHolds(synced.namespace(EdgeHandle.NAMESPACE), changes);
        checkHolds(a.namespace(), mine);
        if (rep == 0) {
          breakdown(d, mine, pushPayload);
        }
        System.err.printf("reconnect d=%d (both sides): %,d bytes down, %,d up, %.1f ms, %d round trips; %s%n", d, m.down,
            m.up, m.ms, (int) rts[rep], Traces.timeline(m.trace, 14));
      }
      p = params("d", d, "changes", "both", "client", "SyncClient+replica", "reps", reps);
      out.emit("edge.reconnect", p, "time.median", Stats.median(msB), "ms");
      out.emit("edge.reconnect", p, "time.min", Stats.min(msB), "ms");
      out.emit("edge.reconnect", p, "time.hello_to_done.median", Stats.median(protocolB), "ms");
      out.emit("edge.reconnect", p, "bytes.down.median", Stats.median(toDouble(downB)), "bytes");
      out.emit("edge.reconnect", p, "bytes.up.median", Stats.median(toDouble(upB)), "bytes");
      out.emit("edge.reconnect", p, "round_trips.max", Stats.max(rts), "count");
      out.emit("edge.reconnect", p, "overhead.push.per_doc", Stats.median(pushOverhead), "bytes");
      out.emit("edge.reconnect", p, "overhead.deltas.per_doc", Stats.median(deltasOverhead), "bytes");
      out.emit("edge.reconnect", p, "overhead.deltas_unpacked.per_doc", Stats.median(unpackedOverhead), "bytes");
    }
  }

  /**
   * Where a pushed batch's bytes go, per document: the delta blob ({@code DeltaCodec}: fixed
   * header, collection, id, then the change as a {@code CrdtCodec} document blob), and the CBOR
   * message around the blobs. Deterministic: sizes, no timing.
   */
  private void breakdown(int d, List<Delta> batch, long pushPayload) {
    long blobs = 0;
    long changes = 0;
    long names = 0;
    long fieldAndValue = 0;
    for (Delta delta : batch) {
      blobs += dev.lattice.replica.log.DeltaCodec.encode(delta).length;
      changes += dev.lattice.crdt.codec.CrdtCodec.encode(delta.change()).length;
      names += Workload.utf8(delta.collection()) + Workload.utf8(delta.documentId());
      fieldAndValue += Workload.payloadBytes(delta) - Workload.utf8(delta.collection())
          - Workload.utf8(delta.documentId());
    }
    Map<String, Object> p = params("d", d, "batch", "push");
    out.emit("edge.reconnect.overhead", p, "payload.per_doc", (double) (names + fieldAndValue) / d, "bytes");
    out.emit("edge.reconnect.overhead", p, "delta_header.per_doc", (double) (blobs - changes - names) / d, "bytes");
    out.emit("edge.reconnect.overhead", p, "change_blob_overhead.per_doc", (double) (changes - fieldAndValue) / d, "bytes");
    out.emit("edge.reconnect.overhead", p, "cbor_message.per_doc", (double) (pushPayload - blobs) / d, "bytes");
  }

  /** Milliseconds from the first traced message (the client's hello) to message {@code end}. */
  private static double spanMs(List<CountingProxy.Msg> trace, int end) {
    return end < 0 || trace.isEmpty() ? Double.NaN : (trace.get(end).nanos() - trace.get(0).nanos()) / 1e6;
  }

  private static double[] toDouble(long[] v) {
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }

  private static long payload(List<Delta> deltas) {
    long n = 0;
    for (Delta d : deltas) {
      n += Workload.payloadBytes(d);
    }
    return n;
  }

  private List<String> pickDocs(int d, Set<String> avoid) {
    Set<String> picked = new java.util.LinkedHashSet<>();
    while (picked.size() < d) {
      String id = Workload.docId(random.nextInt(docs));
      if (!avoid.contains(id)) {
        picked.add(id);
      }
    }
    return new ArrayList<>(picked);
  }

  /** One-field changes of {@code ids} by writer {@code other}, each over the edge's current state of that field. */
  private List<Delta> edgeChanges(EdgeHandle a, ReplicaId other, List<String> ids) {
    List<Delta> out = new ArrayList<>(ids.size());
    for (String id : ids) {
      Optional<Document> cur = a.namespace().collection(Workload.COLLECTION).get(id);
      LwwRegister reg = cur.map(doc -> doc.fields().lww(Workload.FIELD)).orElse(LwwRegister.EMPTY);
      out.add(Workload.set(new Dot(other, ++otherSeq), EdgeHandle.CLOCK.now(), Workload.COLLECTION, id, reg,
          Workload.jsonValue(random, valueBytes)));
    }
    return out;
  }

  static void checkHolds(Namespace ns, List<Delta> changes) {
    for (Delta d : changes) {
      Value want = d.change().fields().lww(Workload.FIELD).value().orElseThrow();
      Optional<Value> have = ns.collection(d.collection()).get(d.documentId())
          .flatMap(doc -> doc.fields().lww(Workload.FIELD).value());
      if (have.isEmpty() || !have.get().equals(want)) {
        throw new IllegalStateException("after the catch-up, " + d.documentId() + " does not hold write " + d.dot());
      }
    }
  }

  /** What one {@link SyncClient} session took from start to synced. */
  static final class Measure {
    double ms;
    long down;
    long up;
    List<CountingProxy.Msg> trace;
  }

  /**
   * Connects a new {@link SyncClient} for {@code replica} through the proxy and times it from
   * {@code start()} until {@code awaitSynced()} completes (online, {@code caught-up}, nothing left
   * unacknowledged), then closes it and waits until the edge has dropped the session.
   */
  static Measure reconnectOnce(EdgeHandle a, CountingProxy proxy, Replica replica) throws Exception {
    waitNoSessions(a);
    proxy.reset();
    SyncClient client = SyncClient.builder(replica, URI.create("ws://127.0.0.1:" + proxy.port() + "/v1/sync"))
        .namespace(EdgeHandle.NAMESPACE).credential(EdgeSections.KEY)
        .backoff(Duration.ofMillis(20), Duration.ofMillis(200)).build();
    Measure m = new Measure();
    try {
      CompletableFuture<Void> synced = client.awaitSynced();
      long t0 = System.nanoTime();
      client.start();
      synced.get(300, TimeUnit.SECONDS);
      m.ms = (System.nanoTime() - t0) / 1e6;
      Thread.sleep(20);
      m.down = proxy.bytesDown();
      m.up = proxy.bytesUp();
      m.trace = proxy.trace();
      if (proxy.connections() != 1) {
        System.err.println("  note: the client needed " + proxy.connections() + " connections");
      }
    } finally {
      client.close();
    }
    waitNoSessions(a);
    return m;
  }

  static void waitNoSessions(EdgeHandle a) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (a.sync.hub().sessions(EdgeHandle.NAMESPACE) > 0 && System.nanoTime() < until) {
      Thread.sleep(2);
    }
  }
}
