package dev.lattice.presence.client;

import dev.lattice.presence.PresenceCodec;
import dev.lattice.presence.PresenceConfig;
import dev.lattice.presence.PresenceException;
import dev.lattice.presence.PresenceException.Reason;
import dev.lattice.presence.PresenceFrame;
import dev.lattice.presence.PresenceMessage;
import dev.lattice.presence.PresenceMessage.ClientMessage;
import dev.lattice.presence.PresenceMessage.ErrorMessage;
import dev.lattice.presence.PresenceMessage.Hello;
import dev.lattice.presence.PresenceMessage.Join;
import dev.lattice.presence.PresenceMessage.Leave;
import dev.lattice.presence.PresenceMessage.Touch;
import dev.lattice.presence.PresenceMessage.Update;
import dev.lattice.presence.PresenceMessage.Welcome;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * A presence client over the JDK {@link WebSocket}: joins rooms of one namespace on an edge's
 * {@code /v1/presence} endpoint, publishes this client's state in each, and tells listeners who
 * else is there with what state (PROTOCOL.md, section 16).
 *
 * <pre>{@code
 * PresenceClient presence = PresenceClient.connect(URI.create("ws://localhost:8080"), "notes", token);
 * presence.listen("doc:42", event -> render(event.members()));
 * presence.join("doc:42", "{\"cursor\":[0,0]}").get(5, TimeUnit.SECONDS);
 * presence.set("doc:42", "{\"cursor\":[12,3]}");
 * }</pre>
 *
 * <h2>What it does by itself</h2>
 * <ul>
 *   <li><b>Reconnects</b> after any close or network failure, waiting a random delay between 50 %
 *       and 100 % of {@code min(maxBackoff, minBackoff × 2^attempt)}; {@code attempt} restarts at
 *       each {@code p-welcome}. A refusal no retry can cure (bad or expired token, unknown
 *       namespace) stops it instead: state {@link State#FAILED}, see {@link #lastError()}.
 *   <li><b>Restores membership</b>: after every welcome it joins each room again with the last
 *       state {@link #set} gave it. The edge answers with a snapshot, which replaces the view; the
 *       event says who came and went meanwhile. Until then the old view stays (no flicker). A room
 *       the edge expired (a long pause of this process) is joined again the same way.
 *   <li><b>Heartbeats</b>: a room with no message for a third of the member TTL the edge announced
 *       gets a {@code p-touch}, so a still cursor does not expire. A WebSocket ping every
 *       {@code pingInterval} keeps a connection in no room past the edge's idle timeout.
 *   <li><b>Stays under the rate limit</b>: messages to one room are spaced by at least
 *       {@code 1 s / rate} (the rate from {@code p-welcome}); a {@link #set} that comes sooner is
 *       held, and a later one replaces it, so the edge sees the latest state and never a refusal.
 *       Sets are also held until the room's first snapshot arrived, so an error about a room
 *       during a join is about the join.
 *   <li><b>Drops stale entries</b>: an entry whose clock is not above the one held is ignored.
 * </ul>
 *
 * <h2>Threads</h2>
 * All work runs on one daemon thread per client; listeners are called on it, in order, and must
 * not block. The public methods may be called from any thread. {@link #join}, {@link #set} and
 * {@link #leave} check their arguments and this client's memberships at once (so {@code set}
 * right after {@code join} is fine), and do the rest on the client's thread.
 */
public final class PresenceClient implements AutoCloseable {
  /** The edge's presence endpoint, used when the URI given has no path. */
  public static final String DEFAULT_PATH = "/v1/presence";

  /** {@code FAILED}: the edge refused the credential or namespace; see {@link #lastError()}. */
  public enum State { CONNECTING, ONLINE, OFFLINE, FAILED, CLOSED }

  /** Refusals of {@code p-hello} that no retry cures. */
  private static final Set<Reason> PERMANENT = EnumSet.of(Reason.UNAUTHENTICATED, Reason.BAD_TOKEN,
      Reason.TOKEN_EXPIRED, Reason.UNKNOWN_NAMESPACE, Reason.PROTOCOL_VIOLATION);
  /** Room names as any edge accepts them (each edge may allow fewer characters). */
  private static final PresenceConfig NAMES = PresenceConfig.builder().maxRoomNameLength(1024).build();
  /** Checks states and makes them compact: a state must survive the wire encoding as one JSON object. */
  private static final PresenceCodec CHECK = new PresenceCodec(4 << 20);
  /** A rejoin refused for its rate is tried again after this long. */
  private static final long REJOIN_RETRY_MS = 1000;

  private final URI uri;
  private final String namespace;
  private final String credential;
  private final Duration minBackoff;
  private final Duration maxBackoff;
  private final RandomGenerator random;
  private final PresenceCodec codec;
  private final HttpClient http;
  private final ScheduledExecutorService thread;
  /** The rooms this client wants to be in. Keys change on the caller's thread; values are the client thread's. */
  private final Map<String, RoomState> rooms = new ConcurrentHashMap<>();
  private final Map<String, List<Consumer<RoomEvent>>> listeners = new ConcurrentHashMap<>();
  private final List<Consumer<State>> stateListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<ErrorMessage>> errorListeners = new CopyOnWriteArrayList<>();
  private final List<CompletableFuture<Void>> onlineWaiters = new ArrayList<>();

  private volatile Thread clientThread;
  private volatile State state = State.OFFLINE;
  private volatile Welcome welcome;
  private volatile ErrorMessage lastError;
  // Client thread only:
  private Connection connection;
  private int attempt;
  private boolean closed;

  private PresenceClient(Builder b) {
    this.uri = endpoint(b.edge);
    this.namespace = b.namespace;
    this.credential = b.credential;
    this.minBackoff = b.minBackoff;
    this.maxBackoff = b.maxBackoff;
    this.random = b.random;
    this.codec = new PresenceCodec(b.maxFrameChars);
    this.http = HttpClient.newBuilder().connectTimeout(b.connectTimeout).build();
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "lattice-presence-" + b.namespace);
      t.setDaemon(true);
      clientThread = t;
      return t;
    });
    long ping = b.pingInterval.toMillis();
    thread.scheduleWithFixedDelay(this::ping, ping, ping, TimeUnit.MILLISECONDS);
  }

  /**
   * A client of {@code namespace} on the edge at {@code edge}, connecting in the background with
   * the defaults of {@link Builder}; returns at once.
   *
   * @param edge {@code ws://host:port} (the path {@value #DEFAULT_PATH} is added) or the endpoint's full URI
   * @param credential an API key of the namespace or a user token for it
   */
  public static PresenceClient connect(URI edge, String namespace, String credential) {
    return builder(edge, namespace, credential).connect();
  }

  public static Builder builder(URI edge, String namespace, String credential) {
    return new Builder(edge, namespace, credential);
  }

  private static URI endpoint(URI edge) {
    String path = edge.getRawPath();
    return path == null || path.isEmpty() || path.equals("/") ? edge.resolve(DEFAULT_PATH) : edge;
  }

  // ---- the API

  /**
   * Joins {@code room} with {@code stateJson} (a JSON object) and keeps this client in it, across
   * reconnects, until {@link #leave}. The future completes when the edge sent the room's first
   * snapshot (listeners have it then), or fails with {@link PresenceRefusedException} if the edge
   * refused the join (room full, state too large...; the room is then forgotten), or with
   * {@link CancellationException} if the client leaves the room or closes first.
   *
   * @throws IllegalArgumentException if the room name or the state is not valid
   * @throws IllegalStateException if this client is already in {@code room}, or closed
   */
  public CompletableFuture<Void> join(String room, String stateJson) {
    String compact = compact(room, stateJson);
    checkOpen();
    RoomState rs = new RoomState(room, compact);
    if (rooms.putIfAbsent(room, rs) != null) {
      throw new IllegalStateException("already in room " + room);
    }
    thread.execute(() -> {
      Connection c = connection;
      if (rooms.get(room) == rs && c != null && c.welcomed && rs.sentOn != c) {
        sendJoin(rs, c);
      }
    });
    return rs.joined;
  }

  /**
   * Replaces this client's state in {@code room}. Sent at once, or as soon as the room's rate
   * allows (a newer state replaces a held one); while offline, the next rejoin carries it.
   *
   * @throws IllegalArgumentException if the state is not valid
   * @throws IllegalStateException if this client is not in {@code room}
   */
  public void set(String room, String stateJson) {
    String compact = compact(room, stateJson);
    RoomState rs = rooms.get(room);
    if (rs == null) {
      throw new IllegalStateException("not in room " + room + "; join it first");
    }
    thread.execute(() -> {
      if (rooms.get(room) != rs) {
        return;
      }
      rs.state = compact;
      rs.pendingSet = true;
      flush(rs);
    });
  }

  /**
   * Leaves {@code room}: the others are told on the edge's next tick. Listeners of the room stay
   * registered but hear nothing until it is joined again. Leaving a room this client is not in
   * does nothing.
   */
  public void leave(String room) {
    Objects.requireNonNull(room, "room");
    RoomState rs = rooms.remove(room);
    if (rs == null) {
      return;
    }
    thread.execute(() -> {
      Connection c = connection;
      if (rs.sentOn != null && rs.sentOn == c) {
        c.send(new Leave(room));
      }
      rs.sentOn = null;
      rs.joined.completeExceptionally(new CancellationException("left room " + room + " before the edge confirmed the join"));
    });
  }

  /**
   * Calls {@code listener} on the client's thread with every change of {@code room} while this
   * client is in it, starting with the current view if there is one already.
   */
  public Subscription listen(String room, Consumer<RoomEvent> listener) {
    Objects.requireNonNull(room, "room");
    Objects.requireNonNull(listener, "listener");
    listeners.computeIfAbsent(room, r -> new CopyOnWriteArrayList<>()).add(listener);
    thread.execute(() -> {
      RoomState rs = rooms.get(room);
      if (rs != null && rs.view.complete()) {
        listener.accept(rs.view.current());
      }
    });
    return () -> {
      List<Consumer<RoomEvent>> ls = listeners.get(room);
      if (ls != null) {
        ls.remove(listener);
      }
    };
  }

  /** The other members of {@code room} as last heard (empty if not in it); a copy, safe from any thread. */
  public Map<String, Member> members(String room) {
    Objects.requireNonNull(room, "room");
    if (Thread.currentThread() == clientThread) {
      return membersNow(room);
    }
    CompletableFuture<Map<String, Member>> f = new CompletableFuture<>();
    try {
      thread.execute(() -> f.complete(membersNow(room)));
      return f.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      return Map.of(); // closed meanwhile
    }
  }

  private Map<String, Member> membersNow(String room) {
    RoomState rs = rooms.get(room);
    return rs == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(rs.view.members()));
  }

  /** The rooms this client is in (or joining), as the application asked. */
  public Set<String> rooms() {
    return Set.copyOf(rooms.keySet());
  }

  public State state() {
    return state;
  }

  /** The edge's latest {@code p-welcome}: this connection's member id, the user id, TTL, tick and rate. */
  public Optional<Welcome> welcome() {
    return Optional.ofNullable(welcome);
  }

  /** The last error the edge sent, if any. */
  public Optional<ErrorMessage> lastError() {
    return Optional.ofNullable(lastError);
  }

  /**
   * Completes once the client is welcomed (at once if it is), and fails if the client fails for
   * good or closes first.
   */
  public CompletableFuture<Void> awaitOnline() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    thread.execute(() -> {
      if (state == State.ONLINE) {
        f.complete(null);
      } else if (closed) {
        f.completeExceptionally(new IllegalStateException("presence client is " + state.name().toLowerCase()));
      } else {
        onlineWaiters.add(f);
      }
    });
    return f;
  }

  /** Called on the client's thread at every state change. */
  public Subscription onStateChange(Consumer<State> listener) {
    stateListeners.add(Objects.requireNonNull(listener, "listener"));
    return () -> stateListeners.remove(listener);
  }

  /** Called on the client's thread with every {@code p-error} the edge sends (refused sets, rate limits...). */
  public Subscription onError(Consumer<ErrorMessage> listener) {
    errorListeners.add(Objects.requireNonNull(listener, "listener"));
    return () -> errorListeners.remove(listener);
  }

  /** Closes the connection (the edge removes this client from every room at once) and stops reconnecting. */
  @Override
  public void close() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      thread.execute(() -> {
        closed = true;
        if (connection != null) {
          connection.close();
          connection = null;
        }
        setState(State.CLOSED);
        failAll(new CancellationException("presence client closed"));
        done.complete(null);
      });
      done.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // closing anyway
    }
    thread.shutdownNow();
  }

  // ---- the client thread

  private void start() {
    thread.execute(this::connectNow);
  }

  private void connectNow() {
    if (closed) {
      return;
    }
    setState(State.CONNECTING);
    Connection c = new Connection();
    connection = c;
    http.newWebSocketBuilder().buildAsync(uri, c).whenComplete((ws, failure) -> thread.execute(() -> {
      if (failure != null) {
        c.failed("connect failed: " + failure);
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
    thread.schedule(this::connectNow, delay, TimeUnit.MILLISECONDS);
  }

  private void setState(State s) {
    if (state != s) {
      state = s;
      stateListeners.forEach(l -> l.accept(s));
    }
  }

  private void failAll(Exception e) {
    onlineWaiters.forEach(f -> f.completeExceptionally(e));
    onlineWaiters.clear();
    for (RoomState rs : rooms.values()) {
      rs.joined.completeExceptionally(e);
    }
  }

  private void ping() {
    Connection c = connection;
    if (c != null && c.socket != null && !c.dead) {
      try {
        c.socket.sendPing(ByteBuffer.allocate(0));
      } catch (IllegalStateException previousPingOutstanding) {
        // the connection is stalled; a failure or the edge's idle timeout ends it
      }
    }
  }

  private void sendJoin(RoomState rs, Connection c) {
    rs.sentOn = c;
    rs.view.reset();
    rs.pendingSet = false; // the join carries the latest state
    rs.lastSentNanos = System.nanoTime();
    c.send(new Join(rs.name, rs.state));
  }

  /** Sends a held state if the room is joined on this connection and its spacing allows; else schedules it. */
  private void flush(RoomState rs) {
    Connection c = connection;
    if (!rs.pendingSet || c == null || rs.sentOn != c || !rs.view.complete()) {
      return; // a rejoin carries the state, or the first snapshot calls flush again
    }
    long wait = rs.lastSentNanos + c.spacingNanos - System.nanoTime();
    if (wait > 0) {
      if (!rs.flushScheduled) {
        rs.flushScheduled = true;
        thread.schedule(() -> {
          rs.flushScheduled = false;
          if (rooms.get(rs.name) == rs) {
            flush(rs);
          }
        }, wait, TimeUnit.NANOSECONDS);
      }
      return;
    }
    rs.pendingSet = false;
    rs.lastSentNanos = System.nanoTime();
    c.send(new Update(rs.name, rs.state));
  }

  private void heartbeat(Connection c) {
    long now = System.nanoTime();
    for (RoomState rs : rooms.values()) {
      if (rs.sentOn == c && rs.view.complete() && !rs.pendingSet && now - rs.lastSentNanos >= c.heartbeatNanos) {
        rs.lastSentNanos = now;
        c.send(new Touch(rs.name));
      }
    }
  }

  private void deliver(RoomEvent event) {
    List<Consumer<RoomEvent>> ls = listeners.get(event.room());
    if (ls != null) {
      for (Consumer<RoomEvent> l : ls) {
        l.accept(event);
      }
    }
  }

  /** What this client knows of one room it wants to be in. */
  private static final class RoomState {
    final String name;
    final RoomView view;
    final CompletableFuture<Void> joined = new CompletableFuture<>();
    String state;
    /** The connection the current p-join went out on; null if none. */
    Connection sentOn;
    boolean pendingSet;
    boolean flushScheduled;
    long lastSentNanos;

    RoomState(String name, String state) {
      this.name = name;
      this.state = state;
      this.view = new RoomView(name);
    }
  }

  /** One WebSocket connection; a new one per reconnect. */
  private final class Connection implements WebSocket.Listener {
    private final StringBuilder textPart = new StringBuilder();
    private WebSocket socket;
    private CompletableFuture<?> sendChain = CompletableFuture.completedFuture(null);
    private ScheduledFuture<?> heartbeats;
    private boolean welcomed;
    private boolean dead;
    private long spacingNanos;
    private long heartbeatNanos;

    void opened(WebSocket ws) {
      if (dead || closed) {
        ws.abort();
        return;
      }
      socket = ws;
      send(new Hello(namespace, credential));
    }

    void send(ClientMessage m) {
      if (dead || socket == null) {
        return;
      }
      WebSocket ws = socket;
      String text = codec.encode(m);
      sendChain = sendChain.thenCompose(v -> ws.sendText(text, true));
      sendChain.whenComplete((v, e) -> {
        if (e != null) {
          thread.execute(() -> failed("send failed: " + e));
        }
      });
    }

    void close() {
      dead = true;
      if (heartbeats != null) {
        heartbeats.cancel(false);
      }
      if (socket != null) {
        WebSocket ws = socket;
        sendChain.thenCompose(v -> ws.sendClose(WebSocket.NORMAL_CLOSURE, ""))
            .orTimeout(1, TimeUnit.SECONDS)
            .whenComplete((v, e) -> ws.abort());
      }
    }

    void failed(String why) {
      if (dead) {
        return;
      }
      dead = true;
      if (heartbeats != null) {
        heartbeats.cancel(false);
      }
      if (socket != null) {
        socket.abort();
      }
      if (connection == this) {
        connection = null;
        welcome = null;
        setState(closed ? State.CLOSED : State.OFFLINE);
        scheduleReconnect();
      }
    }

    private void failedForGood(ErrorMessage e) {
      dead = true;
      if (socket != null) {
        socket.abort();
      }
      if (connection == this) {
        connection = null;
        closed = true;
        setState(State.FAILED);
        failAll(new PresenceRefusedException(e));
      }
    }

    private void handle(PresenceMessage m) {
      if (m instanceof PresenceFrame) {
        frame((PresenceFrame) m);
      } else if (m instanceof ErrorMessage) {
        error((ErrorMessage) m);
      } else if (m instanceof Welcome && !welcomed) {
        welcomed((Welcome) m);
      } else {
        failed("the edge sent an unexpected " + m.getClass().getSimpleName());
      }
    }

    private void welcomed(Welcome w) {
      welcomed = true;
      welcome = w;
      attempt = 0;
      spacingNanos = TimeUnit.MILLISECONDS.toNanos(1000) / w.maxUpdatesPerSecond() + 1;
      heartbeatNanos = TimeUnit.MILLISECONDS.toNanos(w.ttlMillis()) / 3;
      long every = Math.max(1, w.ttlMillis() / 6);
      heartbeats = thread.scheduleWithFixedDelay(() -> {
        if (!dead) {
          heartbeat(this);
        }
      }, every, every, TimeUnit.MILLISECONDS);
      setState(State.ONLINE);
      onlineWaiters.forEach(f -> f.complete(null));
      onlineWaiters.clear();
      for (RoomState rs : rooms.values()) {
        sendJoin(rs, this);
      }
    }

    private void frame(PresenceFrame f) {
      RoomState rs = rooms.get(f.room());
      if (!welcomed || rs == null || rs.sentOn != this) {
        return; // a room left meanwhile
      }
      RoomEvent event = rs.view.apply(f);
      if (event != null) {
        deliver(event);
      }
      if (f.snapshot()) {
        rs.joined.complete(null); // after the listeners had the snapshot, as join() promises
        flush(rs);
      }
    }

    private void error(ErrorMessage e) {
      lastError = e;
      errorListeners.forEach(l -> l.accept(e));
      if (!welcomed) {
        // Before the welcome every error ends the connection (the edge closes it).
        if (PERMANENT.contains(e.reason())) {
          failedForGood(e);
        } else {
          failed("the edge refused p-hello: " + e.reason().code() + ": " + e.message());
        }
        return;
      }
      RoomState rs = e.room() == null ? null : rooms.get(e.room());
      if (rs == null || rs.sentOn != this) {
        return;
      }
      if (!rs.view.complete()) {
        // Nothing but the join is in flight for a room without its snapshot: this refuses the join.
        if (e.reason() == Reason.RATE_LIMITED && rs.joined.isDone()) {
          rs.sentOn = null;
          thread.schedule(() -> {
            if (rooms.get(rs.name) == rs && connection == this && rs.sentOn == null) {
              sendJoin(rs, this);
            }
          }, REJOIN_RETRY_MS, TimeUnit.MILLISECONDS);
          return;
        }
        rooms.remove(rs.name, rs);
        rs.sentOn = null;
        boolean first = rs.joined.completeExceptionally(new PresenceRefusedException(e));
        if (!first && !rs.view.members().isEmpty()) {
          // A rejoin after a reconnect failed: the view is gone with it.
          deliver(new RoomEvent(rs.name, Map.of(), List.of(), List.of(), new ArrayList<>(rs.view.members().values()),
              true));
        }
      } else if (e.reason() == Reason.NOT_A_MEMBER) {
        // The edge expired this member (the process stalled past the TTL): join again.
        sendJoin(rs, this);
      }
    }

    // -- WebSocket.Listener (HTTP client threads)

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      textPart.append(data);
      if (textPart.length() > codec.maxFrameLength()) {
        thread.execute(() -> failed("the edge sent a message over " + codec.maxFrameLength() + " characters"));
        return null;
      }
      if (last) {
        String text = textPart.toString();
        textPart.setLength(0);
        thread.execute(() -> {
          if (dead) {
            return;
          }
          try {
            handle(codec.decode(text));
          } catch (PresenceException e) {
            failed("undecodable message from the edge: " + e.getMessage());
          }
        });
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      thread.execute(() -> failed("the edge sent a binary message"));
      return null;
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

  private static String compact(String room, String stateJson) {
    Objects.requireNonNull(room, "room");
    Objects.requireNonNull(stateJson, "stateJson");
    if (!NAMES.isValidRoomName(room)) {
      throw new IllegalArgumentException("room name must be 1 to 1024 characters of A-Z a-z 0-9 . _ - : / @: " + room);
    }
    try {
      // The codec writes states verbatim: a state is valid if the message it makes decodes back to it.
      PresenceMessage m = CHECK.decodeFromClient(CHECK.encode(new Update(room, stateJson)));
      if (m instanceof Update && room.equals(m.room())) {
        return ((Update) m).state();
      }
    } catch (PresenceException e) {
      throw new IllegalArgumentException("state must be one JSON object: " + e.detail(), e);
    }
    throw new IllegalArgumentException("state must be one JSON object: " + stateJson);
  }

  private void checkOpen() {
    if (state == State.CLOSED || state == State.FAILED) {
      throw new IllegalStateException("presence client is " + state.name().toLowerCase());
    }
  }

  /** Configures a client; {@link #connect()} starts it. */
  public static final class Builder {
    private final URI edge;
    private final String namespace;
    private final String credential;
    private Duration minBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private Duration pingInterval = Duration.ofSeconds(15);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private RandomGenerator random = new SplittableRandom();
    private int maxFrameChars = 16 << 20;

    private Builder(URI edge, String namespace, String credential) {
      this.edge = Objects.requireNonNull(edge, "edge");
      this.namespace = Objects.requireNonNull(namespace, "namespace");
      this.credential = Objects.requireNonNull(credential, "credential");
    }

    /** Reconnect delays: doubling from {@code min} up to {@code max}, each jittered to 50-100 %. */
    public Builder backoff(Duration min, Duration max) {
      if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
        throw new IllegalArgumentException("backoff needs 0 < min <= max, got " + min + " and " + max);
      }
      this.minBackoff = min;
      this.maxBackoff = max;
      return this;
    }

    /** The jitter's source; seed it to replay a schedule. */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /** WebSocket pings, which keep a connection in no room past the edge's idle timeout (60 s by default). */
    public Builder pingInterval(Duration every) {
      if (every.toMillis() < 1) {
        throw new IllegalArgumentException("pingInterval must be at least 1 ms: " + every);
      }
      this.pingInterval = every;
      return this;
    }

    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** The longest message accepted from the edge, in characters (a snapshot of a large room is long). */
    public Builder maxFrameChars(int chars) {
      if (chars < 1024) {
        throw new IllegalArgumentException("maxFrameChars must be at least 1024: " + chars);
      }
      this.maxFrameChars = chars;
      return this;
    }

    /** Builds the client and starts connecting; returns at once. */
    public PresenceClient connect() {
      PresenceClient c = new PresenceClient(this);
      c.start();
      return c;
    }
  }
}
