package dev.lattice.replica.client;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.replica.Namespace;
import dev.lattice.replica.Replica;
import dev.lattice.replica.Subscription;
import dev.lattice.replica.WriteReceipt;
import dev.lattice.replica.sync.ClientSession;
import dev.lattice.replica.sync.ErrorCode;
import dev.lattice.replica.sync.SessionOutput;
import dev.lattice.replica.sync.SyncCodec;
import dev.lattice.replica.sync.SyncException;
import dev.lattice.replica.sync.SyncLimits;
import dev.lattice.replica.sync.SyncMessage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * Keeps one namespace of a client {@link Replica} in sync with an edge over WebSocket, by itself:
 * connects with a credential, reconnects after any failure with jittered exponential backoff,
 * pushes the outbound queue (which survives restarts, being in the replica) and applies what the
 * edge sends. Writes go to the replica as usual ({@code collection.update(...)}); this class only
 * moves them.
 *
 * <p>All protocol work runs on one thread owned by the client (a {@link ClientSession} is not
 * thread-safe); the JDK WebSocket hands frames over to it. Frames are CBOR binary by default
 * ({@link Builder#json} switches to JSON text).
 *
 * <h2>States</h2> {@code CONNECTING} → {@code ONLINE} (welcomed) → {@code OFFLINE} on any
 * failure or close, then {@code CONNECTING} again after the backoff, until {@link #close()}.
 */
public final class SyncClient implements AutoCloseable {

  /**
   * {@code FAILED}: the edge refused the session for a reason no retry cures (a bad or expired
   * token, an unknown namespace, a schema version it cannot serve); see {@link #lastError()}.
   */
  public enum State { CONNECTING, ONLINE, OFFLINE, FAILED, CLOSED }

  /** A write the edge refused for good; the local replica keeps it, no one else sees it. */
  public static final class RejectedWriteException extends RuntimeException {
    private final Dot dot;
    private final String code;

    RejectedWriteException(Dot dot, String code, String message) {
      super("write " + dot + " rejected (" + code + "): " + message);
      this.dot = dot;
      this.code = code;
    }

    public Dot dot() {
      return dot;
    }

    public String code() {
      return code;
    }
  }

  private static final Duration PING_EVERY = Duration.ofSeconds(15);
  /** After the edge refused a push for clock skew: time enough for the clocks to move apart less. */
  private static final Duration SKEW_RETRY = Duration.ofSeconds(1);
  /** Errors no retry can cure: the client stops ({@link State#FAILED}) until its owner fixes them. */
  private static final java.util.Set<String> PERMANENT = java.util.Set.of(ErrorCode.UPGRADE_REQUIRED.wire(),
      ErrorCode.UNKNOWN_VERSION.wire(), ErrorCode.BAD_TOKEN.wire(), ErrorCode.TOKEN_EXPIRED.wire(),
      ErrorCode.UNAUTHENTICATED.wire(), ErrorCode.UNKNOWN_NAMESPACE.wire(), ErrorCode.UNSUPPORTED_PROTOCOL.wire(),
      ErrorCode.FORBIDDEN.wire());

  private final Replica replica;
  private final Namespace namespace;
  private final URI uri;
  private final String credential;
  private final int schemaVersion;
  private final boolean json;
  private final Duration minBackoff;
  private final Duration maxBackoff;
  private final RandomGenerator random;
  private final SyncCodec codec;
  private final HttpClient http;
  private final ScheduledExecutorService thread;
  private final Map<Dot, CompletableFuture<Void>> confirmations = new HashMap<>();
  private final List<CompletableFuture<Void>> syncWaiters = new CopyOnWriteArrayList<>();
  private final List<Consumer<State>> stateListeners = new CopyOnWriteArrayList<>();
  private final AtomicLong queuedBytes = new AtomicLong();

  private volatile State state = State.OFFLINE;
  private volatile SyncMessage.Error lastError;
  private Connection connection;
  private int attempt;
  private boolean closed;
  private long pushesResumeAt = System.nanoTime();

  private SyncClient(Builder b) {
    this.replica = b.replica;
    this.namespace = b.replica.namespace(b.namespace);
    this.uri = b.uri;
    this.credential = b.credential;
    this.schemaVersion = b.schemaVersion;
    this.json = b.json;
    this.minBackoff = b.minBackoff;
    this.maxBackoff = b.maxBackoff;
    this.random = b.random;
    this.codec = new SyncCodec(b.limits);
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "lattice-sync-" + b.namespace);
      t.setDaemon(true);
      return t;
    });
  }

  /** @param uri the edge's sync endpoint, e.g. {@code ws://localhost:8080/v1/sync} */
  public static Builder builder(Replica replica, URI uri) {
    return new Builder(replica, uri);
  }

  /** Starts connecting (and reconnecting whenever the connection is lost); returns at once. */
  public SyncClient start() {
    thread.execute(this::connect);
    thread.scheduleWithFixedDelay(this::pushQueued, 10, 10, TimeUnit.MILLISECONDS);
    thread.scheduleWithFixedDelay(this::ping, PING_EVERY.toMillis(), PING_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  public State state() {
    return state;
  }

  /** The last error the edge reported, if any (a bad token, an old schema version...). */
  public SyncMessage.Error lastError() {
    return lastError;
  }

  /** Local writes not yet acknowledged by the edge. */
  public long pending() {
    return namespace.outbox().size();
  }

  /**
   * Completes once this client is online, caught up with the edge and has no write waiting for an
   * ack; fails only if the client is closed first.
   */
  public CompletableFuture<Void> awaitSynced() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    syncWaiters.add(f);
    thread.execute(this::checkSynced);
    return f;
  }

  /**
   * Completes when the edge acknowledges the write (it is durable there), or fails with
   * {@link RejectedWriteException} if the edge refuses it for good. Survives reconnects; a write
   * already acknowledged completes at once.
   */
  public CompletableFuture<Void> confirmation(WriteReceipt receipt) {
    Objects.requireNonNull(receipt, "receipt");
    CompletableFuture<Void> f = new CompletableFuture<>();
    if (!receipt.changed()) {
      f.complete(null);
      return f;
    }
    Dot dot = receipt.dot();
    thread.execute(() -> {
      String rejection = namespace.outbox().rejections().get(dot);
      if (rejection != null) {
        int colon = rejection.indexOf(':');
        f.completeExceptionally(new RejectedWriteException(dot, colon < 0 ? rejection : rejection.substring(0, colon),
            colon < 0 ? "" : rejection.substring(colon + 2)));
      } else if (!namespace.outbox().isQueued(dot)) {
        f.complete(null);
      } else {
        confirmations.merge(dot, f, (a, b) -> {
          a.whenComplete((v, e) -> {
            if (e != null) {
              b.completeExceptionally(e);
            } else {
              b.complete(v);
            }
          });
          return a;
        });
      }
    });
    return f;
  }

  public Subscription onStateChange(Consumer<State> listener) {
    stateListeners.add(listener);
    return () -> stateListeners.remove(listener);
  }

  /** Closes the connection and stops reconnecting; the replica stays open (its owner closes it). */
  @Override
  public void close() {
    if (thread.isShutdown()) {
      return; // closing twice is harmless
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    thread.execute(() -> {
      closed = true;
      if (connection != null) {
        connection.abort();
      }
      setState(State.CLOSED);
      syncWaiters.forEach(f -> f.completeExceptionally(new IllegalStateException("sync client closed")));
      done.complete(null);
    });
    try {
      done.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // closing anyway
    }
    thread.shutdownNow();
  }

  // ---- connection lifecycle (on the client thread) ----

  private void connect() {
    if (closed) {
      return;
    }
    setState(State.CONNECTING);
    Connection c = new Connection();
    connection = c;
    http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10)).buildAsync(uri, c)
        .whenComplete((ws, failure) -> thread.execute(() -> {
          if (failure != null) {
            c.failed("connect failed: " + failure.getMessage());
          } else {
            c.opened(ws);
          }
        }));
  }

  private void scheduleReconnect() {
    if (closed) {
      return;
    }
    long ceiling = Math.min(maxBackoff.toMillis(), minBackoff.toMillis() << Math.min(attempt, 20));
    long delay = ceiling / 2 + (long) (random.nextDouble() * (ceiling / 2.0));
    attempt++;
    thread.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
  }

  private void setState(State s) {
    if (state != s) {
      state = s;
      stateListeners.forEach(l -> l.accept(s));
    }
  }

  /** Keeps a quiet connection open: edges close connections idle for their idle timeout (60 s by default). */
  private void ping() {
    Connection c = connection;
    if (c != null && c.socket != null && !c.dead) {
      try {
        c.socket.sendPing(ByteBuffer.allocate(0));
      } catch (IllegalStateException previousPingOutstanding) {
        // the connection is stalled; the edge's idle timeout or our next failure ends it
      }
    }
  }

  private void pushQueued() {
    Connection c = connection;
    if (c != null && c.session != null && c.session.isOpen() && System.nanoTime() - pushesResumeAt >= 0) {
      try {
        c.session.pushMore();
      } catch (RuntimeException e) {
        c.failed("push failed: " + e.getMessage());
      }
    }
    checkSynced();
  }

  private void checkSynced() {
    if (syncWaiters.isEmpty()) {
      return;
    }
    Connection c = connection;
    boolean synced = state == State.ONLINE && c != null && c.session != null && c.session.isCaughtUp()
        && namespace.outbox().size() == 0;
    if (synced) {
      for (CompletableFuture<Void> f : syncWaiters) {
        f.complete(null);
      }
      syncWaiters.removeIf(CompletableFuture::isDone);
    }
  }

  /** One WebSocket connection and its session; a new one per reconnect. */
  private final class Connection implements WebSocket.Listener, SessionOutput {
    private WebSocket socket;
    private ClientSession session;
    private CompletableFuture<?> sendChain = CompletableFuture.completedFuture(null);
    private final ByteArrayOutputStream binaryPart = new ByteArrayOutputStream();
    private final StringBuilder textPart = new StringBuilder();
    private boolean dead;

    void opened(WebSocket ws) {
      if (dead || closed) {
        ws.abort();
        return;
      }
      socket = ws;
      session = new ClientSession(replica, namespace.name(), credential, schemaVersion, this, codec.limits(),
          new ClientSession.Listener() {
            @Override
            public void welcomed(SyncMessage.Welcome welcome) {
              setState(State.ONLINE);
            }

            @Override
            public void caughtUp() {
              attempt = 0;
              checkSynced();
            }

            @Override
            public void acked(List<Dot> acked, List<SyncMessage.Rejection> rejected) {
              for (Dot d : acked) {
                CompletableFuture<Void> f = confirmations.remove(d);
                if (f != null) {
                  f.complete(null);
                }
              }
              for (SyncMessage.Rejection r : rejected) {
                CompletableFuture<Void> f = confirmations.remove(r.dot());
                if (f != null) {
                  f.completeExceptionally(new RejectedWriteException(r.dot(), r.code(), r.message()));
                }
              }
              checkSynced();
            }

            @Override
            public void error(SyncMessage.Error error) {
              lastError = error;
              if (ErrorCode.CLOCK_SKEW.wire().equals(error.code())) {
                pushesResumeAt = System.nanoTime() + SKEW_RETRY.toNanos();
              }
            }
          });
      session.start(true);
    }

    void failed(String why) {
      if (dead) {
        return;
      }
      dead = true;
      if (socket != null) {
        socket.abort();
      }
      if (connection == this) {
        connection = null;
        setState(closed ? State.CLOSED : State.OFFLINE);
        scheduleReconnect();
      }
    }

    void permanentFailure(SyncMessage.Error e) {
      dead = true;
      if (socket != null) {
        socket.abort();
      }
      if (connection == this) {
        connection = null;
        closed = true;
        setState(State.FAILED);
        RuntimeException failure = new IllegalStateException("the edge refused the session: " + e.code() + ": " + e.message());
        syncWaiters.forEach(f -> f.completeExceptionally(failure));
        syncWaiters.clear();
      }
    }

    void abort() {
      dead = true;
      if (socket != null) {
        socket.abort();
      }
    }

    private void handle(SyncMessage message) {
      if (dead) {
        return;
      }
      if (message instanceof SyncMessage.Error e && e.fatal()) {
        lastError = e;
        if (PERMANENT.contains(e.code())) {
          permanentFailure(e);
          return;
        }
        failed("edge error " + e.code() + ": " + e.message());
        return;
      }
      try {
        session.receive(message);
      } catch (SyncException e) {
        send(e.toMessage());
        if (e.fatal()) {
          failed(e.getMessage());
        }
      }
    }

    // -- SessionOutput (client thread) --

    @Override
    public void send(SyncMessage message) {
      if (dead || socket == null) {
        return;
      }
      WebSocket ws = socket;
      if (json) {
        String text = codec.encodeText(message);
        queuedBytes.addAndGet(text.length());
        sendChain = sendChain.thenCompose(v -> ws.sendText(text, true))
            .whenComplete((v, e) -> queuedBytes.addAndGet(-text.length()));
      } else {
        byte[] bytes = codec.encodeBinary(message);
        queuedBytes.addAndGet(bytes.length);
        sendChain = sendChain.thenCompose(v -> ws.sendBinary(ByteBuffer.wrap(bytes), true))
            .whenComplete((v, e) -> queuedBytes.addAndGet(-bytes.length));
      }
      sendChain.whenComplete((v, e) -> {
        if (e != null) {
          thread.execute(() -> failed("send failed: " + e.getMessage()));
        }
      });
    }

    @Override
    public boolean writable() {
      return queuedBytes.get() < (4 << 20);
    }

    @Override
    public void execute(Runnable task) {
      thread.execute(task);
    }

    @Override
    public void close(ErrorCode code, String reason) {
      if (socket != null) {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, code.wire());
      }
      failed(reason);
    }

    // -- WebSocket.Listener (HTTP client threads) --

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      textPart.append(data);
      if (textPart.length() > codec.limits().maxMessageBytes()) {
        thread.execute(() -> failed("edge sent a text message over the size limit"));
        return null;
      }
      if (last) {
        String frame = textPart.toString();
        textPart.setLength(0);
        thread.execute(() -> decodeAndHandle(() -> codec.decodeText(frame)));
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      byte[] chunk = new byte[data.remaining()];
      data.get(chunk);
      binaryPart.writeBytes(chunk);
      if (binaryPart.size() > codec.limits().maxMessageBytes()) {
        thread.execute(() -> failed("edge sent a binary message over the size limit"));
        return null;
      }
      if (last) {
        byte[] frame = binaryPart.toByteArray();
        binaryPart.reset();
        thread.execute(() -> decodeAndHandle(() -> codec.decodeBinary(frame)));
      }
      ws.request(1);
      return null;
    }

    private void decodeAndHandle(java.util.function.Supplier<SyncMessage> decode) {
      if (dead) {
        return;
      }
      SyncMessage m;
      try {
        m = decode.get();
      } catch (SyncException e) {
        send(e.toMessage());
        failed("undecodable frame from the edge: " + e.getMessage());
        return;
      }
      handle(m);
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
      thread.execute(() -> failed("closed by the edge: " + status + " " + reason));
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      thread.execute(() -> failed("connection error: " + error));
    }
  }

  public static final class Builder {
    private final Replica replica;
    private final URI uri;
    private String namespace = "dev";
    private String credential = "";
    private int schemaVersion;
    private boolean json;
    private Duration minBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private RandomGenerator random = new java.util.SplittableRandom();
    private SyncLimits limits = SyncLimits.defaults();

    private Builder(Replica replica, URI uri) {
      this.replica = Objects.requireNonNull(replica, "replica");
      this.uri = Objects.requireNonNull(uri, "uri");
    }

    public Builder namespace(String namespace) {
      this.namespace = Objects.requireNonNull(namespace, "namespace");
      return this;
    }

    /** An API key of the namespace or a signed user token. */
    public Builder credential(String credential) {
      this.credential = Objects.requireNonNull(credential, "credential");
      return this;
    }

    /** The schema version this application was built against; 0 for a schemaless namespace. */
    public Builder schemaVersion(int schemaVersion) {
      if (schemaVersion < 0) {
        throw new IllegalArgumentException("schema version must not be negative: " + schemaVersion);
      }
      this.schemaVersion = schemaVersion;
      return this;
    }

    /** JSON text frames instead of CBOR binary frames. */
    public Builder json(boolean json) {
      this.json = json;
      return this;
    }

    /** Reconnect delays: doubling from {@code min} up to {@code max}, each jittered to 50-100%. */
    public Builder backoff(Duration min, Duration max) {
      if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
        throw new IllegalArgumentException("backoff needs 0 < min <= max, got " + min + " and " + max);
      }
      this.minBackoff = min;
      this.maxBackoff = max;
      return this;
    }

    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    public Builder limits(SyncLimits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /**
     * @throws IllegalStateException if the replica was not opened with {@code Role.CLIENT}: only
     *     a client replica queues its writes for an upstream, so a sync client on an edge replica
     *     would never push anything
     */
    public SyncClient build() {
      if (replica.options().role() != dev.lattice.replica.Role.CLIENT) {
        throw new IllegalStateException("a SyncClient needs a replica opened with role CLIENT (this one is "
            + replica.options().role() + ", whose writes are never queued for an upstream); open it with "
            + "ReplicaOptions.builder().role(Role.CLIENT)");
      }
      return new SyncClient(this);
    }
  }
}
