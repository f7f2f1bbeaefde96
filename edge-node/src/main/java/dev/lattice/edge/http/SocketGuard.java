package dev.lattice.edge.http;

import dev.lattice.edge.EdgeMetrics;
import dev.lattice.edge.config.Limits;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketBase;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * The limits every WebSocket endpoint shares, installed on a socket once.
 *
 * <h2>Oversized input</h2>
 *
 * Vert.x reports an over-limit frame or message as an exception on the socket and leaves the
 * connection open; this guard closes it with 1009 and counts it. In Vert.x 5.0.7:
 * <ul>
 *   <li>a <b>frame</b> over {@code maxWebSocketFrameSize} is Netty's
 *       {@link CorruptedWebSocketFrameException} with status {@link WebSocketCloseStatus#MESSAGE_TOO_BIG}
 *       (Vert.x configures the decoder with {@code closeOnProtocolViolation(false)}; the decoder
 *       discards everything after it, so the connection is useless anyway). Other corrupt frames
 *       close with the status Netty chose (1002);
 *   <li>a reassembled <b>message</b> over {@code maxWebSocketMessageSize} is a plain
 *       {@link IllegalStateException} whose message says it would "overflow max message size".
 *       There is no dedicated type, so the text is matched; {@code SocketGuardTest} sends a real
 *       oversized message to pin this down on every upgrade of Vert.x. Messages are reassembled
 *       (and so checked) only for {@link #textMessageHandler}/{@link #binaryMessageHandler}
 *       (or the socket's own text/binary message handlers), not for raw frame handlers.
 * </ul>
 *
 * <h2>Rate and backpressure</h2>
 *
 * {@link #admit()} charges one message to the connection's {@link RateLimiter};
 * {@link #sender()} is the connection's {@link BoundedSender}. The message handlers of this class
 * do both for the caller.
 *
 * <h2>Ownership of the socket's handler slots</h2>
 *
 * A Vert.x socket has one exception handler and one close handler; the guard takes both and fans
 * out to {@link #onError} and {@link #onClose} callbacks. {@link #install} is idempotent: the edge
 * server installs a guard on every socket before its endpoint sees it (so limits and the
 * connection count hold even for an endpoint that forgets), and the endpoint's own call returns
 * that guard. The registry that makes this possible holds a socket only until it closes.
 */
public final class SocketGuard {
  public static final short MESSAGE_TOO_BIG = 1009;
  public static final short POLICY_VIOLATION = 1008;
  static final String RATE_LIMIT_REASON = "rate limit exceeded";
  /** Vert.x 5.0.7's wording for a reassembled message over the limit (WebSocketImplBase.FrameAggregator). */
  static final String MESSAGE_OVERFLOW_TEXT = "overflow max message size";

  private static final Map<WebSocketBase, SocketGuard> INSTALLED = new ConcurrentHashMap<>();

  private final WebSocketBase socket;
  private final Limits limits;
  private final EdgeMetrics metrics;
  private final RateLimiter rateLimiter;
  private final BoundedSender sender;
  private final List<Handler<Void>> closeHandlers = new CopyOnWriteArrayList<>();
  private final List<Handler<Throwable>> errorHandlers = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Handler<RateLimiter.Verdict> rateLimitedHandler = v -> { };

  private SocketGuard(WebSocketBase socket, Limits limits, EdgeMetrics metrics, LongSupplier nanoClock) {
    this.socket = socket;
    this.limits = limits;
    this.metrics = metrics;
    this.rateLimiter = RateLimiter.of(limits, nanoClock);
    this.sender = new BoundedSender(socket, limits.outboundBufferBytes(), metrics);
  }

  /** {@link #install(WebSocketBase, Limits, EdgeMetrics, LongSupplier)} with {@link System#nanoTime}. */
  public static SocketGuard install(WebSocketBase socket, Limits limits, EdgeMetrics metrics) {
    return install(socket, limits, metrics, System::nanoTime);
  }

  /**
   * Installs a guard on {@code socket}, or returns the one already installed (whose limits,
   * metrics and clock then apply). Call on the socket's event loop.
   */
  public static SocketGuard install(WebSocketBase socket, Limits limits, EdgeMetrics metrics, LongSupplier nanoClock) {
    Objects.requireNonNull(socket, "socket");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(nanoClock, "nanoClock");
    SocketGuard existing = INSTALLED.get(socket);
    if (existing != null) {
      return existing;
    }
    SocketGuard guard = new SocketGuard(socket, limits, metrics, nanoClock);
    SocketGuard raced = INSTALLED.putIfAbsent(socket, guard);
    if (raced != null) {
      return raced;
    }
    try {
      socket.exceptionHandler(guard::handleException);
      socket.closeHandler(v -> guard.handleClosed());
    } catch (IllegalStateException alreadyClosed) {
      guard.handleClosed();
    }
    return guard;
  }

  /** The guard installed on {@code socket}, if any and it is still open. */
  public static Optional<SocketGuard> of(WebSocketBase socket) {
    return Optional.ofNullable(INSTALLED.get(socket));
  }

  public WebSocketBase socket() {
    return socket;
  }

  public Limits limits() {
    return limits;
  }

  public RateLimiter rateLimiter() {
    return rateLimiter;
  }

  /** The connection's bounded writer; send everything through it. */
  public BoundedSender sender() {
    return sender;
  }

  /** Runs {@code handler} once the socket is closed (at once if it already is). */
  public SocketGuard onClose(Handler<Void> handler) {
    closeHandlers.add(handler);
    if (closed.get() && closeHandlers.remove(handler)) {
      handler.handle(null);
    }
    return this;
  }

  /** Receives the socket's exceptions other than the size violations the guard handles itself. */
  public SocketGuard onError(Handler<Throwable> handler) {
    errorHandlers.add(handler);
    return this;
  }

  /**
   * Called with {@link RateLimiter.Verdict#REJECT} for a message refused by the rate limit (send
   * the client an error), and with {@link RateLimiter.Verdict#DISCONNECT} just before the guard
   * closes the connection with 1008 for sustained excess.
   */
  public SocketGuard onRateLimited(Handler<RateLimiter.Verdict> handler) {
    this.rateLimitedHandler = Objects.requireNonNull(handler, "handler");
    return this;
  }

  /**
   * Charges one inbound message to the rate limit and counts it. On
   * {@link RateLimiter.Verdict#DISCONNECT} the guard has closed the connection with 1008.
   */
  public RateLimiter.Verdict admit() {
    RateLimiter.Verdict v = rateLimiter.acquire();
    if (v != RateLimiter.Verdict.ALLOW) {
      metrics.rateLimited();
      rateLimitedHandler.handle(v);
    }
    if (v == RateLimiter.Verdict.DISCONNECT && closing.compareAndSet(false, true)) {
      metrics.rateLimitDisconnected();
      socket.close(POLICY_VIOLATION, RATE_LIMIT_REASON);
    }
    return v;
  }

  /**
   * Delivers whole text messages that pass the rate limit to {@code handler}, counting their bytes.
   * Rejected ones go to the {@link #onRateLimited} callback instead.
   */
  public SocketGuard textMessageHandler(Handler<String> handler) {
    socket.textMessageHandler(text -> {
      metrics.bytesIn(BoundedSender.utf8Length(text));
      if (!closing.get() && admit() == RateLimiter.Verdict.ALLOW) {
        handler.handle(text);
      }
    });
    return this;
  }

  /** Like {@link #textMessageHandler}, for binary messages. */
  public SocketGuard binaryMessageHandler(Handler<Buffer> handler) {
    socket.binaryMessageHandler(data -> {
      metrics.bytesIn(data.length());
      if (!closing.get() && admit() == RateLimiter.Verdict.ALLOW) {
        handler.handle(data);
      }
    });
    return this;
  }

  /** True once the guard (or {@link #close}) started closing the connection. */
  public boolean closing() {
    return closing.get();
  }

  /** Closes with a status and reason, once; later calls return the socket's close as well. */
  public Future<Void> close(short status, String reason) {
    closing.set(true);
    return socket.close(status, reason);
  }

  private void handleException(Throwable t) {
    if (t instanceof CorruptedWebSocketFrameException corrupt) {
      boolean tooBig = corrupt.closeStatus() != null
          && corrupt.closeStatus().code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code();
      if (tooBig) {
        refuseOversized("frame", "frame larger than " + limits.maxFrameBytes() + " bytes");
      } else if (closing.compareAndSet(false, true)) {
        WebSocketCloseStatus status = corrupt.closeStatus() == null ? WebSocketCloseStatus.PROTOCOL_ERROR
            : corrupt.closeStatus();
        socket.close((short) status.code(), truncate("bad frame: " + corrupt.getMessage()));
      }
      return;
    }
    if (t instanceof IllegalStateException && t.getMessage() != null && t.getMessage().contains(MESSAGE_OVERFLOW_TEXT)) {
      refuseOversized("message", "message larger than " + limits.maxMessageBytes() + " bytes");
      return;
    }
    for (Handler<Throwable> h : errorHandlers) {
      h.handle(t);
    }
  }

  private void refuseOversized(String kind, String reason) {
    if (closing.compareAndSet(false, true)) {
      metrics.oversized(kind);
      socket.close(MESSAGE_TOO_BIG, reason);
    }
  }

  private void handleClosed() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closing.set(true);
    INSTALLED.remove(socket, this);
    for (Handler<Void> h : closeHandlers) {
      if (closeHandlers.remove(h)) {
        h.handle(null);
      }
    }
  }

  /** A close reason must fit in a control frame: 123 bytes of UTF-8. */
  private static String truncate(String reason) {
    return reason.length() <= 60 ? reason : reason.substring(0, 60);
  }
}
