package dev.lattice.edge.http;

import dev.lattice.edge.EdgeMetrics;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketBase;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes messages to one WebSocket and refuses to buffer more than a fixed number of bytes for it.
 *
 * <p>Vert.x queues every write that the network cannot take yet, without limit. This class counts
 * the bytes of each write from the moment it is issued until its future completes (the bytes were
 * handed to the operating system, or the connection failed), so {@link #queuedBytes()} is exactly
 * what this connection holds in memory. A write that would take that count beyond
 * {@code maxQueuedBytes} is not made: the connection is closed with 1008 "slow consumer" and the
 * disconnect counted, and every later send returns false. One message is always accepted into an
 * empty queue, whatever its size (the message limit bounds it), so a large catch-up page cannot
 * wedge a connection that keeps up.
 *
 * <p>The close frame queues behind what is already buffered: a client that resumes reading gets
 * the data, then the 1008; one that never reads is dropped by the idle timeout. Either way memory
 * stays bounded by {@code maxQueuedBytes} plus one message.
 *
 * <p>Thread-safe: broadcasts may send from any thread (Vert.x hands writes to the socket's event
 * loop).
 */
public final class BoundedSender {
  public static final short SLOW_CONSUMER_STATUS = 1008;
  public static final String SLOW_CONSUMER_REASON = "slow consumer";

  private final WebSocketBase socket;
  private final long maxQueuedBytes;
  private final EdgeMetrics metrics;
  private final AtomicLong queued = new AtomicLong();
  private final AtomicBoolean overflowed = new AtomicBoolean();

  /**
   * @throws IllegalArgumentException if {@code maxQueuedBytes} is not positive
   */
  public BoundedSender(WebSocketBase socket, long maxQueuedBytes, EdgeMetrics metrics) {
    if (maxQueuedBytes <= 0) {
      throw new IllegalArgumentException("maxQueuedBytes must be positive: " + maxQueuedBytes);
    }
    this.socket = Objects.requireNonNull(socket, "socket");
    this.maxQueuedBytes = maxQueuedBytes;
    this.metrics = Objects.requireNonNull(metrics, "metrics");
  }

  /**
   * Sends a text message.
   *
   * @return false if it was not sent: the connection is closed or was just closed as too slow
   */
  public boolean sendText(String text) {
    long bytes = utf8Length(text);
    return send(bytes, () -> socket.writeTextMessage(text));
  }

  /**
   * Sends a binary message.
   *
   * @return false if it was not sent: the connection is closed or was just closed as too slow
   */
  public boolean sendBinary(Buffer data) {
    return send(data.length(), () -> socket.writeBinaryMessage(data));
  }

  /** Bytes written and not yet handed to the network. */
  public long queuedBytes() {
    return queued.get();
  }

  /** True once the connection was closed for being too slow. */
  public boolean overflowed() {
    return overflowed.get();
  }

  private boolean send(long bytes, java.util.function.Supplier<Future<Void>> write) {
    if (overflowed.get() || socket.isClosed()) {
      return false;
    }
    long before = queued.getAndAdd(bytes);
    if (before > 0 && before + bytes > maxQueuedBytes) {
      queued.addAndGet(-bytes);
      if (overflowed.compareAndSet(false, true)) {
        metrics.slowConsumerDisconnected();
        socket.close(SLOW_CONSUMER_STATUS, SLOW_CONSUMER_REASON);
      }
      return false;
    }
    metrics.outboundQueued(bytes);
    Future<Void> written;
    try {
      written = write.get();
    } catch (IllegalStateException closedMeanwhile) {
      release(bytes);
      return false;
    }
    written.onComplete(ar -> {
      release(bytes);
      if (ar.succeeded()) {
        metrics.bytesOut(bytes);
      }
    });
    return true;
  }

  private void release(long bytes) {
    queued.addAndGet(-bytes);
    metrics.outboundQueued(-bytes);
  }

  /**
   * UTF-8 length without encoding. An unpaired surrogate counts 1 byte: both the JDK and Netty
   * (which encodes text frames) write it as {@code '?'}.
   */
  static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        n += 1;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
