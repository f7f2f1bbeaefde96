package dev.lattice.bench.edge;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.type.LwwRegister;
import dev.lattice.replica.log.Delta;
import dev.lattice.replica.sync.SyncMessage;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A lightweight protocol client of the live section: one Vert.x WebSocket, no replica. Against
 * the edge it opens with {@code hello} (CBOR, client role, its own replica id, an empty vector, no
 * compression) and waits for {@code caught-up}; against the relay it just connects. As a writer it
 * sends {@code push} frames of one hand-built one-field LWW delta (a unique dot of its replica id,
 * a fresh HLC timestamp, its own document, the register context a real replica would send); the
 * relay forwards the very same bytes. As a receiver it reads each frame's type and dots
 * ({@link FramePeek}) and looks up when that dot was sent.
 */
final class LiveClient {
  private final LiveRun run;
  final int index;
  final ReplicaId id;
  private final String docId;
  private WebSocket ws;
  private long seq;
  private LwwRegister register = LwwRegister.EMPTY;
  final CompletableFuture<Void> ready = new CompletableFuture<>();
  volatile boolean closed;

  LiveClient(LiveRun run, int index) {
    this.run = run;
    this.index = index;
    this.id = Workload.writerId(run.group, index);
    this.docId = "live-" + index;
  }

  Future<WebSocket> connect(WebSocketClient client, int port, String path, boolean edge) {
    return client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(path))
        .onSuccess(socket -> {
          ws = socket;
          socket.binaryMessageHandler(this::onFrame);
          socket.textMessageHandler(t -> run.error("text frame: " + t));
          socket.closeHandler(v -> {
            closed = true;
            if (!run.closing) {
              run.unexpectedClose(this, socket.closeStatusCode(), socket.closeReason());
            }
          });
          if (edge) {
            SyncMessage.Hello hello = new SyncMessage.Hello(SyncMessage.PROTOCOL, EdgeHandle.NAMESPACE, run.key, 0, id,
                VersionVector.EMPTY, EdgeHandle.CLOCK.now(), SyncMessage.Role.CLIENT, false);
            socket.writeBinaryMessage(Buffer.buffer(run.codec.encodeBinary(hello)));
          } else {
            ready.complete(null);
          }
        })
        .onFailure(ready::completeExceptionally);
  }

  /** One write: called by the scheduler thread only. */
  void write() {
    long s = ++seq;
    long hlc = EdgeHandle.CLOCK.now();
    Delta d = Workload.set(new Dot(id, s), hlc, Workload.COLLECTION, docId, register, run.value(s));
    register = Workload.registerOf(d);
    byte[] frame = run.codec.encodeBinary(new SyncMessage.Push(s, List.of(d)));
    Buffer buf = Buffer.buffer(frame);
    run.sent(index, s, System.nanoTime());
    ws.writeBinaryMessage(buf);
  }

  private void onFrame(Buffer buf) {
    long now = System.nanoTime();
    byte[] bytes = buf.getBytes();
    FramePeek.Frame f = FramePeek.peek(bytes);
    if (f.type == null) {
      run.error("frame without a type");
      return;
    }
    switch (f.type) {
      case "deltas":
      case "push":
        run.delivered(f, bytes, now);
        break;
      case "ack":
        run.acked(index, f.id, now);
        break;
      case "caught-up":
        ready.complete(null);
        break;
      case "welcome":
        break;
      case "error":
        run.error("edge error " + f.code + " to client " + index);
        break;
      default:
        run.error("unexpected " + f.type);
    }
  }

  Future<Void> close() {
    return ws == null || closed ? Future.succeededFuture() : ws.close();
  }
}
