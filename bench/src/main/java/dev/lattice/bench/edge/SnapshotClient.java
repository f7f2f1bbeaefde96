package dev.lattice.bench.edge;

import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.replica.log.Delta;
import dev.lattice.replica.log.DeltaCodec;
import dev.lattice.replica.sync.SyncCodec;
import dev.lattice.replica.sync.SyncLimits;
import dev.lattice.replica.sync.SyncMessage;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A client without a replica that takes a full catch-up: {@code hello} with a given vector
 * (empty: a full snapshot of the namespace) and {@code compress} as asked, then every frame
 * decoded in full with {@code SyncCodec} (inflating packed pages, decoding every delta and its CRDT
 * change) until {@code caught-up}. What it does not do is apply the deltas to a store, so its time
 * is the edge's serving time plus decoding. Runs on one Vert.x event loop.
 */
final class SnapshotClient {
  /** What one catch-up took. */
  static final class Result {
    long nanos;
    long deltas;
    long messages;
    long payloadBytes;
    long inflatedBytes;
    long largestInflated;
    long packedMessages;
    long deltaBytes;
  }

  private final SyncCodec codec = new SyncCodec(SyncLimits.defaults());
  private final WebSocketClient client;

  SnapshotClient(WebSocketClient client) {
    this.client = client;
  }

  Result run(int port, String key, VersionVector vector, boolean compress, boolean keepDeltaBytes) throws Exception {
    Result r = new Result();
    CompletableFuture<Void> done = new CompletableFuture<>();
    long t0 = System.nanoTime();
    WebSocket ws = EdgeHandle.await(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/v1/sync")));
    ws.binaryMessageHandler(buf -> {
      try {
        onFrame(buf, r, done, keepDeltaBytes);
      } catch (RuntimeException e) {
        done.completeExceptionally(e);
      }
    });
    ws.closeHandler(v -> done.completeExceptionally(new IllegalStateException("closed: " + ws.closeStatusCode() + " "
        + ws.closeReason())));
    SyncMessage.Hello hello = new SyncMessage.Hello(SyncMessage.PROTOCOL, EdgeHandle.NAMESPACE, key, 0,
        new ReplicaId(0x5EED_7000_0000_0000L | System.nanoTime() & 0xFFFF_FFFFL), vector, EdgeHandle.CLOCK.now(),
        SyncMessage.Role.CLIENT, compress);
    ws.writeBinaryMessage(Buffer.buffer(codec.encodeBinary(hello)));
    try {
      done.get(300, TimeUnit.SECONDS);
      r.nanos = System.nanoTime() - t0;
    } finally {
      ws.closeHandler(null);
      EdgeHandle.await(ws.close());
    }
    return r;
  }

  private void onFrame(Buffer buf, Result r, CompletableFuture<Void> done, boolean keepDeltaBytes) {
    byte[] bytes = buf.getBytes();
    r.messages++;
    r.payloadBytes += bytes.length;
    FramePeek.Frame peek = FramePeek.peek(bytes);
    SyncMessage m = codec.decodeBinary(bytes);
    if (m instanceof SyncMessage.Deltas d) {
      r.deltas += d.deltas().size();
      if (peek.size >= 0) {
        r.packedMessages++;
        r.inflatedBytes += peek.size;
        r.largestInflated = Math.max(r.largestInflated, peek.size);
      }
      if (keepDeltaBytes) {
        for (Delta delta : d.deltas()) {
          r.deltaBytes += DeltaCodec.encode(delta).length;
        }
      }
    } else if (m instanceof SyncMessage.CaughtUp) {
      done.complete(null);
    } else if (m instanceof SyncMessage.Error e) {
      done.completeExceptionally(new IllegalStateException("edge error " + e.code() + ": " + e.message()));
    }
  }
}
