package dev.lattice.edge.sync;

import dev.lattice.edge.EdgeMetrics;
import dev.lattice.edge.http.SocketGuard;
import dev.lattice.replica.sync.ErrorCode;
import dev.lattice.replica.sync.SessionOutput;
import dev.lattice.replica.sync.SyncCodec;
import dev.lattice.replica.sync.SyncMessage;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * Moves one session's messages over a Vert.x WebSocket: encodes in the framing the peer opened
 * with (CBOR binary or JSON text), through the connection's bounded sender, and runs tasks on the
 * socket's event loop. A paused catch-up is resumed by polling the sender's queue, since the
 * socket's drain slot belongs to the sender.
 */
final class SocketTransport implements SessionOutput {
  /** Deltas messages at least this long go deflated to a peer that asked for it. */
  private static final int PACK_FROM = 8;
  private static final long RESUME_POLL_MS = 5;

  private final Vertx vertx;
  private final Context context;
  private final SocketGuard guard;
  private final SyncCodec codec;
  private final EdgeMetrics metrics;
  private boolean binary = true;
  private boolean pack;
  private Runnable resume = () -> { };
  private boolean resumeScheduled;

  SocketTransport(Vertx vertx, Context context, SocketGuard guard, SyncCodec codec, EdgeMetrics metrics) {
    this.vertx = vertx;
    this.context = context;
    this.guard = guard;
    this.codec = codec;
    this.metrics = metrics;
  }

  /** Answers in the framing the peer used for its hello; packs catch-up pages if it asked. */
  void framing(boolean binary, boolean pack) {
    this.binary = binary;
    this.pack = pack;
  }

  void onResume(Runnable resume) {
    this.resume = resume;
  }

  @Override
  public void send(SyncMessage message) {
    boolean packThis = pack && message instanceof SyncMessage.Deltas d && d.deltas().size() >= PACK_FROM;
    if (binary) {
      guard.sender().sendBinary(Buffer.buffer(codec.encodeBinary(message, packThis)));
    } else {
      guard.sender().sendText(codec.encodeText(message, packThis));
    }
  }

  @Override
  public boolean writable() {
    boolean writable = guard.sender().queuedBytes() < guard.limits().outboundBufferBytes() / 2;
    if (!writable && !resumeScheduled && !guard.closing()) {
      resumeScheduled = true;
      vertx.setTimer(RESUME_POLL_MS, id -> {
        resumeScheduled = false;
        if (!guard.closing()) {
          resume.run();
        }
      });
    }
    return writable;
  }

  @Override
  public void execute(Runnable task) {
    context.runOnContext(v -> task.run());
  }

  @Override
  public void close(ErrorCode code, String reason) {
    guard.close(SocketGuard.POLICY_VIOLATION, code.wire());
  }

  boolean closing() {
    return guard.closing();
  }

  EdgeMetrics metrics() {
    return metrics;
  }
}
