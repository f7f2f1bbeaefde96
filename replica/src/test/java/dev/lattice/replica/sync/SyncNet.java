package dev.lattice.replica.sync;

import dev.lattice.crdt.type.Document;
import dev.lattice.replica.Collection;
import dev.lattice.replica.DocumentWriter;
import dev.lattice.replica.Durability;
import dev.lattice.replica.Namespace;
import dev.lattice.replica.Replica;
import dev.lattice.replica.ReplicaOptions;
import dev.lattice.replica.Role;
import dev.lattice.schema.Claims;
import dev.lattice.schema.Schema;
import dev.lattice.schema.project.Projector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.stream.LongStream;

/**
 * An in-memory network for the sans-I/O sync sessions, driven by one seed.
 *
 * <h2>The loop</h2>
 *
 * One thread (the test's) runs every session: tasks go through {@link #tasks} in FIFO order. A
 * session's {@link SessionOutput#execute} is called from a completion callback (a durable commit
 * completes it) or, if the commit was already done, from the loop itself. Every replica of the net
 * hands its callbacks to one queue, and every {@code execute} goes to a side buffer; the loop
 * moves them into the queue only at a <em>drain point</em>: it first flushes every open replica
 * (when {@link Replica#flush()} returns, every earlier commit has handed over its callbacks, in
 * commit order), runs the callbacks, then moves the buffered tasks in
 * the order of the connection end that asked (stable: per end, commit order). That keeps a run a
 * pure function of its seed, so a failing seed replays exactly. Drain points come when the queue
 * is empty and, with {@link #drainChance}, between tasks.
 *
 * <h2>Connections</h2>
 *
 * A {@link Connection} is a FIFO pipe per direction, like a WebSocket. Every message is encoded
 * with {@link SyncCodec} (JSON text or CBOR binary, and deltas packed or not, chosen per message by
 * the seed) and decoded on the other side before the session's {@code receive}, so every message
 * of every test crosses the codec. What the transport does is done here: a {@link SyncException}
 * from decode or {@code receive} is answered with its error message, and a fatal one closes the
 * connection (after the error frame, as a WebSocket close follows the last frame); a close calls
 * {@code closed()} on a {@link ServerSession} or {@link PeerLink}. {@link Connection#cut()} is an
 * abrupt drop: what is in flight is lost. A {@link Connection#fate} can drop or duplicate chosen
 * messages, and {@link Connection#delay} holds a connection's frames back relative to the others.
 * Any other exception thrown by a session is recorded in {@link #failures} and fails the test at
 * {@link #close()}.
 */
final class SyncNet implements AutoCloseable {

  /** Seeds for this package's property tests: {@code lattice.seeds / 4} (50 at the build's 200), or {@code -Dlattice.seed=S}. */
  static LongStream seeds() {
    String only = System.getProperty("lattice.seed");
    if (only != null) {
      return LongStream.of(Long.parseLong(only));
    }
    return LongStream.rangeClosed(1, Math.max(1, Integer.getInteger("lattice.seeds", 200) / 4));
  }

  /** How long a {@link #runUntil} may take on the wall clock before it gives up (livelock guard). */
  static final long DEADLINE_MILLIS = 30_000;

  final long seed;
  final SplittableRandom random;
  final SyncLimits limits;
  final SyncCodec codec;
  /** A wall clock shared by every replica of the net: starts at a fixed instant, moved by tests. */
  final AtomicLong wall = new AtomicLong(1_700_000_000_000L);
  /** Probability of a drain point between two tasks. */
  double drainChance = 0.2;
  /** Probability that a message goes as JSON text (else CBOR), and that deltas go packed. */
  double textChance = 0.5;
  double packChance = 0.5;

  final List<Throwable> failures = new ArrayList<>();
  /** Every delivered message, as "end id: type": equal for two runs of one seed. */
  final List<String> trace = new ArrayList<>();
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  /** Tasks handed to {@code execute}, by the id of the connection end that asked, until a drain point. */
  private final List<Buffered> buffered = new ArrayList<>();
  private final List<Replica> open = new ArrayList<>();
  private int nextEndId;
  private int nextSession;
  private long frames;
  private final Thread loopThread = Thread.currentThread();

  private record Buffered(int end, long order, Runnable task) {}

  private long bufferedOrder;

  SyncNet(long seed) {
    this(seed, SyncLimits.defaults());
  }

  SyncNet(long seed, SyncLimits limits) {
    this.seed = seed;
    this.random = new SplittableRandom(seed);
    this.limits = limits;
    this.codec = new SyncCodec(limits);
  }

  LongSupplier wallClock() {
    return wall::get;
  }

  /** Options for a replica of this net: seeded id, the net's wall clock, COMMIT durability. */
  ReplicaOptions.Builder options(Role role) {
    return ReplicaOptions.builder().role(role).durability(Durability.COMMIT)
        .random(new SplittableRandom(random.nextLong())).wallClock(wallClock())
        .callbackExecutor(callbacks::add);
  }

  /**
   * Completion callbacks of every replica of the net, in the order their commits handed them
   * over; run on the loop at drain points, so when they run depends on the seed alone.
   */
  private final java.util.concurrent.ConcurrentLinkedQueue<Runnable> callbacks = new java.util.concurrent.ConcurrentLinkedQueue<>();

  Replica track(Replica replica) {
    open.add(replica);
    return replica;
  }

  void closeReplica(Replica replica) {
    open.remove(replica);
    replica.close();
  }

  // ---- the loop ----

  private void post(Runnable task) {
    if (Thread.currentThread() != loopThread) {
      throw new IllegalStateException("post from a foreign thread");
    }
    tasks.add(task);
  }

  private void buffer(int end, Runnable task) {
    synchronized (buffered) {
      buffered.add(new Buffered(end, bufferedOrder++, task));
    }
  }

  /** Flushes every open replica, then queues what sessions asked to run, in a seed-stable order. */
  void drain() {
    for (Replica r : List.copyOf(open)) {
      r.flush();
    }
    for (Runnable callback; (callback = callbacks.poll()) != null; ) {
      callback.run();
    }
    List<Buffered> now;
    synchronized (buffered) {
      now = new ArrayList<>(buffered);
      buffered.clear();
    }
    now.sort(Comparator.comparingInt(Buffered::end).thenComparingLong(Buffered::order));
    for (Buffered b : now) {
      tasks.add(b.task());
    }
  }

  private boolean bufferedEmpty() {
    synchronized (buffered) {
      return buffered.isEmpty();
    }
  }

  /**
   * Runs tasks until {@code condition} holds. Fails, naming {@code what} and the seed, if the net
   * goes idle (nothing queued, nothing pending in any replica) first, or after {@link #DEADLINE_MILLIS}.
   */
  void runUntil(String what, BooleanSupplier condition) {
    long deadline = System.currentTimeMillis() + DEADLINE_MILLIS;
    long ran = 0;
    while (!condition.getAsBoolean()) {
      if (++ran % 1024 == 0 && System.currentTimeMillis() > deadline) {
        throw new AssertionError("seed " + seed + ": still not " + what + " after " + DEADLINE_MILLIS
            + " ms (" + ran + " tasks): livelock?");
      }
      if (tasks.isEmpty() || random.nextDouble() < drainChance) {
        drain();
      }
      Runnable task = tasks.poll();
      if (task == null) {
        if (condition.getAsBoolean()) {
          return;
        }
        throw new AssertionError("seed " + seed + ": the network went idle before " + what);
      }
      task.run();
      settleCommits();
    }
  }

  /**
   * Waits for the commits the last task asked for. What a session reads as committed (catch-up
   * pages, the queue it pushes) then depends on the seed alone, not on how fast the committer
   * thread was.
   */
  private void settleCommits() {
    for (Replica r : open) {
      for (String n : r.namespaceNames()) {
        Namespace ns = r.namespace(n);
        if (!ns.vector().equals(ns.committedVector())) {
          r.flush();
          break;
        }
      }
    }
  }

  /** Runs at most {@code n} tasks (fewer if the net goes idle). */
  void runTasks(int n) {
    for (int i = 0; i < n; i++) {
      if (tasks.isEmpty() || random.nextDouble() < drainChance) {
        drain();
      }
      Runnable task = tasks.poll();
      if (task == null) {
        return;
      }
      task.run();
      settleCommits();
    }
  }

  /** Runs until nothing is queued and no replica has anything pending. */
  void settle() {
    runUntil("idle", () -> {
      if (!tasks.isEmpty()) {
        return false;
      }
      drain();
      return tasks.isEmpty() && bufferedEmpty();
    });
  }

  @Override
  public void close() {
    for (Replica r : List.copyOf(open)) {
      closeReplica(r);
    }
    if (!failures.isEmpty()) {
      AssertionError e = new AssertionError("seed " + seed + ": " + failures.size()
          + " unexpected exception(s) in sessions; first: " + failures.get(0));
      failures.forEach(e::addSuppressed);
      throw e;
    }
  }

  // ---- connections ----

  /** What happens to one sent message. */
  enum Fate { DELIVER, DROP, DUPLICATE }

  /** What one side of a connection does with what arrives; the transport glue of a session. */
  interface Handler {
    void receive(SyncMessage message);

    /** The connection closed (either way); the session leaves its hub. */
    default void closed() {}

    /** The transport is writable again. */
    default void resume() {}
  }

  /** A connection between two ends, FIFO per direction. {@code a} dialled, {@code b} answered. */
  final class Connection {
    final End a;
    final End b;
    /** Decides each message's fate; by default every message is delivered. */
    Function<SyncMessage, Fate> fate = m -> Fate.DELIVER;
    /** Probability that a delivery of this connection waits behind other tasks (never reorders this pipe). */
    double delay;
    private boolean up = true;

    Connection() {
      this.a = new End(this, nextEndId++);
      this.b = new End(this, nextEndId++);
      a.peer = b;
      b.peer = a;
    }

    boolean isUp() {
      return up;
    }

    /** An abrupt drop: frames in flight are lost, both sides learn of the close. */
    void cut() {
      if (!up) {
        return;
      }
      up = false;
      a.inbox.clear();
      b.inbox.clear();
      a.shut(null);
      b.shut(null);
    }
  }

  private sealed interface Frame permits TextFrame, BinaryFrame, CloseFrame {}

  private record TextFrame(String text) implements Frame {}

  private record BinaryFrame(byte[] bytes) implements Frame {}

  private record CloseFrame(ErrorCode code) implements Frame {}

  /** One end of a connection: the {@link SessionOutput} of the session on this side. */
  final class End implements SessionOutput {
    final Connection connection;
    final int id;
    End peer;
    Handler handler;
    boolean writable = true;
    /** Every message decoded on arrival at this end, in order. */
    final List<SyncMessage> received = new ArrayList<>();
    /** Every message this end sent, in order (whatever became of it). */
    final List<SyncMessage> sent = new ArrayList<>();
    /** Encoded bytes that arrived here. */
    long bytesIn;
    /** Errors that arrived at this end (decoded) and errors this end sent. */
    final List<SyncMessage.Error> errorsIn = new ArrayList<>();
    /** Set once this end is closed: the code it was closed with (null for a plain cut or a close by the peer). */
    ErrorCode closedWith;
    boolean closed;
    private final ArrayDeque<Frame> inbox = new ArrayDeque<>();

    End(Connection connection, int id) {
      this.connection = connection;
      this.id = id;
    }

    @Override
    public void send(SyncMessage message) {
      if (closed) {
        return;
      }
      sent.add(message);
      Fate f = connection.fate.apply(message);
      if (f == Fate.DROP) {
        return;
      }
      Frame frame = encode(message);
      peer.enqueue(frame);
      if (f == Fate.DUPLICATE) {
        peer.enqueue(encode(message));
      }
    }

    private Frame encode(SyncMessage message) {
      boolean pack = message instanceof SyncMessage.Deltas && random.nextDouble() < packChance;
      frames++;
      if (random.nextDouble() < textChance) {
        return new TextFrame(codec.encodeText(message, pack));
      }
      return new BinaryFrame(codec.encodeBinary(message, pack));
    }

    /** Sends a raw frame, as a misbehaving client would. */
    void sendRawText(String text) {
      peer.enqueue(new TextFrame(text));
    }

    void sendRawBinary(byte[] bytes) {
      peer.enqueue(new BinaryFrame(bytes));
    }

    private void enqueue(Frame frame) {
      if (!connection.up) {
        return;
      }
      inbox.add(frame);
      post(this::deliverOne);
    }

    private void deliverOne() {
      if (!connection.up || closed || inbox.isEmpty()) {
        return;
      }
      if (connection.delay > 0 && random.nextDouble() < connection.delay) {
        post(this::deliverOne); // wait behind others; the head stays the head
        return;
      }
      Frame frame = inbox.poll();
      if (frame instanceof CloseFrame) {
        shut(null);
        connection.up = false;
        return;
      }
      SyncMessage message;
      try {
        if (frame instanceof TextFrame t) {
          bytesIn += t.text().length();
          message = codec.decodeText(t.text());
        } else {
          byte[] bytes = ((BinaryFrame) frame).bytes();
          bytesIn += bytes.length;
          message = codec.decodeBinary(bytes);
        }
      } catch (SyncException e) {
        answer(e);
        return;
      } catch (RuntimeException e) {
        failures.add(new AssertionError("decode threw " + e + " instead of a SyncException", e));
        return;
      }
      received.add(message);
      if (PRINT) {
        System.out.println("NET " + describe(peer) + " -> " + describe(this) + ": " + summary(message));
      }
      trace.add(id + ":" + message.getClass().getSimpleName()
          + (message instanceof SyncMessage.Deltas d ? d.deltas().size() : ""));
      if (message instanceof SyncMessage.Error err) {
        errorsIn.add(err);
      }
      if (handler == null) {
        return;
      }
      try {
        handler.receive(message);
      } catch (SyncException e) {
        answer(e);
      } catch (RuntimeException e) {
        failures.add(new AssertionError("end " + id + ": receive(" + message + ") threw " + e, e));
        answer(new SyncException(ErrorCode.INTERNAL, String.valueOf(e), true, e));
      }
    }

    /** What a transport does with a refused message: answer it, and close if fatal. */
    private void answer(SyncException e) {
      send(e.toMessage());
      if (e.fatal()) {
        close(e.code(), e.getMessage());
      }
    }

    @Override
    public boolean writable() {
      return writable;
    }

    /** Makes the transport writable again, and tells the session (as a drained socket would). */
    void setWritable(boolean w) {
      writable = w;
      if (w && handler != null && !closed) {
        post(() -> {
          if (!closed) {
            handler.resume();
          }
        });
      }
    }

    @Override
    public void execute(Runnable task) {
      buffer(id, task);
    }

    @Override
    public void close(ErrorCode code, String reason) {
      if (closed) {
        return;
      }
      peer.enqueue(new CloseFrame(code));
      closedWith = code;
      shut(code);
    }

    private void shut(ErrorCode code) {
      if (closed) {
        return;
      }
      closed = true;
      if (code != null) {
        closedWith = code;
      }
      if (handler != null) {
        handler.closed();
      }
    }
  }

  /** {@code -Dsyncnet.print=true} prints every delivered message (for replaying a failing seed). */
  static final boolean PRINT = Boolean.getBoolean("syncnet.print");
  /** Names of ends, for printing. */
  final Map<End, String> names = new HashMap<>();

  String describe(End end) {
    return names.getOrDefault(end, "end" + end.id);
  }

  static String summary(SyncMessage m) {
    if (m instanceof SyncMessage.Deltas d) {
      return "deltas " + d.deltas().stream().map(x -> x.dot() + "@" + x.collection() + "/" + x.documentId()).toList();
    } else if (m instanceof SyncMessage.Push p) {
      return "push" + p.id() + " " + p.deltas().stream().map(x -> x.dot() + "@" + x.collection() + "/" + x.documentId()).toList();
    } else if (m instanceof SyncMessage.States s) {
      return "states " + s.states().stream().map(x -> x.collection() + "/" + x.documentId()).toList() + " vector "
          + s.vector() + (s.last() ? " last" : "");
    } else if (m instanceof SyncMessage.CaughtUp c) {
      return "caught-up " + c.vector();
    } else if (m instanceof SyncMessage.Hello h) {
      return "hello " + h.role() + " " + h.replica() + " " + h.vector();
    } else if (m instanceof SyncMessage.Welcome w) {
      return "welcome " + w.replica() + " " + w.vector();
    } else if (m instanceof SyncMessage.Ack a) {
      return "ack" + a.id() + " " + a.acked() + " " + a.rejected();
    }
    return String.valueOf(m);
  }

  // ---- nodes ----

  /** Records what sessions report. */
  static final class Events implements SessionEvents {
    int deltasIn;
    int applied;
    int deltasOut;
    int acks;
    int skewRejected;
    int fieldsDropped;
    int repairs;
    int viewRepairs;
    final Map<String, Integer> rejected = new TreeMap<>();

    @Override
    public void deltasIn(int received, int appliedHere) {
      deltasIn += received;
      applied += appliedHere;
    }

    @Override
    public void deltasOut(int sent) {
      deltasOut += sent;
    }

    @Override
    public void rejected(String code) {
      rejected.merge(code, 1, Integer::sum);
    }

    @Override
    public void acked(long nanos) {
      acks++;
    }

    @Override
    public void repaired(int differing, boolean view) {
      repairs++;
      if (view) {
        viewRepairs++;
      }
    }

    @Override
    public void skewRejected() {
      skewRejected++;
    }

    @Override
    public void fieldsDropped(int count) {
      fieldsDropped += count;
    }
  }

  /** An edge node: a replica, a hub, the namespaces it serves and the credentials it knows. */
  final class Edge {
    final String name;
    Replica replica;
    SyncHub hub = new SyncHub();
    final Map<String, Optional<Schema>> serves = new LinkedHashMap<>();
    final Map<String, Claims> credentials = new HashMap<>();
    final Events events = new Events();
    final List<ServerSession> sessions = new ArrayList<>();
    /** Server ends of every connection made to this edge. */
    final List<End> ends = new ArrayList<>();
    /** The session opened on each server end. */
    final Map<End, ServerSession> sessionByEnd = new HashMap<>();

    Edge(String name, Replica replica) {
      this.name = name;
      this.replica = track(replica);
    }

    Edge serve(String namespace) {
      serves.put(namespace, Optional.empty());
      return this;
    }

    Edge serve(Schema schema) {
      serves.put(schema.namespace(), Optional.of(schema));
      return this;
    }

    Edge credential(String credential, Claims claims) {
      credentials.put(credential, claims);
      return this;
    }

    Namespace ns(String namespace) {
      return replica.namespace(namespace);
    }

    Optional<ServedNamespace> served(String namespace) {
      Optional<Schema> schema = serves.get(namespace);
      if (schema == null) {
        return Optional.empty();
      }
      return Optional.of(new ServedNamespace(replica.namespace(namespace), schema.map(Projector::new)));
    }

    ServerSession.Authenticator authenticator() {
      return (namespace, credential) -> {
        Claims c = credentials.get(credential);
        if (c == null) {
          throw new SyncException(ErrorCode.BAD_TOKEN, "credential is not known for namespace " + namespace);
        }
        return c;
      };
    }

    /** Swaps in a reopened replica; sessions of the old one are gone. */
    void restart(Replica reopened) {
      replica = track(reopened);
      hub = new SyncHub();
    }

    /** Makes {@code end} this edge's answering side: the first message must be {@code hello}. */
    void answer(End end) {
      ends.add(end);
      Replica atAccept = replica;
      end.handler = new Handler() {
        ServerSession session;

        @Override
        public void receive(SyncMessage message) {
          if (session != null) {
            session.receive(message);
            return;
          }
          if (!(message instanceof SyncMessage.Hello hello)) {
            throw new SyncException(ErrorCode.PROTOCOL_VIOLATION, "the first message must be hello");
          }
          session = ServerSession.accept(hello, Edge.this::served, authenticator(), atAccept, hub, end, limits,
              events, name + "-s" + (nextSession++));
          sessions.add(session);
          sessionByEnd.put(end, session);
        }

        @Override
        public void closed() {
          if (session != null) {
            session.closed();
          }
        }

        @Override
        public void resume() {
          if (session != null) {
            session.resume();
          }
        }
      };
    }

    /** The visible documents of a collection, by id. */
    Map<String, Document> visible(String namespace, String collection) {
      return SyncNet.visible(replica.namespace(namespace).collection(collection));
    }
  }

  Edge edge(String name) {
    return new Edge(name, Replica.inMemory(options(Role.EDGE).build()));
  }

  Edge edge(String name, Replica replica) {
    return new Edge(name, replica);
  }

  /** A client application: its replica and, while connected, one session to an edge. */
  final class Client implements ClientSession.Listener {
    final String name;
    final Replica replica;
    final String namespace;
    ClientSession session;
    Connection connection;
    final List<Connection> connections = new ArrayList<>();
    final List<SyncMessage.Error> errors = new ArrayList<>();
    final List<SyncMessage.Ack> acks = new ArrayList<>();
    int caughtUp;
    int schemaVersion;
    /** If set, runs (as a task) when the edge or the network closes this client's connection: a SyncClient's reconnect. */
    Runnable onClosed;
    /** The connection this client itself is closing (no reconnect for that one). */
    private Connection leaving;

    Client(String name, Replica replica, String namespace) {
      this.name = name;
      this.replica = track(replica);
      this.namespace = namespace;
    }

    Namespace ns() {
      return replica.namespace(namespace);
    }

    Collection collection(String collection) {
      return ns().collection(collection);
    }

    /** Writes locally, then pushes if connected (as a SyncClient does after each mutation). */
    void write(String collection, String id, Consumer<DocumentWriter> mutation) {
      collection(collection).update(id, mutation);
      pushMore();
    }

    void delete(String collection, String id) {
      collection(collection).delete(id);
      pushMore();
    }

    void pushMore() {
      if (session != null && connection.isUp() && !connection.a.closed) {
        session.pushMore();
      }
    }

    /** Opens a new connection and session to {@code edge}; {@code hello} goes at once. */
    Connection connect(Edge edge, String credential, int schemaVersion) {
      if (connection != null) {
        leaving = connection;
        connection.cut();
      }
      this.schemaVersion = schemaVersion;
      Connection c = new Connection();
      connections.add(c);
      connection = c;
      ClientSession s = new ClientSession(replica, namespace, credential, schemaVersion, c.a, limits, this);
      session = s;
      names.put(c.a, name);
      names.put(c.b, edge.name + "(for " + name + ")");
      c.a.handler = new Handler() {
        @Override
        public void receive(SyncMessage message) {
          s.receive(message);
        }

        @Override
        public void closed() {
          if (onClosed != null && c != leaving) {
            post(onClosed);
          }
        }
      };
      edge.answer(c.b);
      s.start(random.nextBoolean());
      return c;
    }

    Connection connect(Edge edge, String credential) {
      return connect(edge, credential, 0);
    }

    void disconnect() {
      if (connection != null) {
        leaving = connection;
        connection.cut();
      }
      session = null;
    }

    boolean live() {
      return session != null && connection.isUp() && session.isCaughtUp();
    }

    /** Connected, caught up, and every queued write acked or rejected. */
    boolean synced() {
      return live() && ns().outbox().size() == 0;
    }

    /** Every message that reached this client, over all its connections. */
    List<SyncMessage> allReceived() {
      List<SyncMessage> out = new ArrayList<>();
      connections.forEach(c -> out.addAll(c.a.received));
      return out;
    }

    Map<String, Document> visible(String collection) {
      return SyncNet.visible(collection(collection));
    }

    @Override
    public void caughtUp() {
      caughtUp++;
    }

    @Override
    public void acked(List<dev.lattice.crdt.causal.Dot> acked, List<SyncMessage.Rejection> rejected) {
      acks.add(new SyncMessage.Ack(0, acked, rejected));
    }

    @Override
    public void error(SyncMessage.Error error) {
      errors.add(error);
    }
  }

  Client client(String name, String namespace) {
    return new Client(name, Replica.inMemory(options(Role.CLIENT).build()), namespace);
  }

  Client client(String name, String namespace, Replica replica) {
    return new Client(name, replica, namespace);
  }

  /** A peering from {@code from} (which dials, with a {@link PeerLink}) to {@code to}. */
  final class Peering {
    final Edge from;
    final Edge to;
    final PeerLink link;
    final Connection connection;
    /** If set, runs (as a task) when this link's connection closes: a peer connector's redial. */
    Runnable onClosed;

    Peering(Edge from, Edge to, String namespace, String credential, int schemaVersion) {
      this.from = from;
      this.to = to;
      this.connection = new Connection();
      this.link = new PeerLink(from.replica, namespace, credential, schemaVersion, from.hub, connection.a, limits,
          from.events);
      connection.a.handler = new Handler() {
        @Override
        public void receive(SyncMessage message) {
          link.receive(message);
        }

        @Override
        public void closed() {
          link.closed();
          if (onClosed != null) {
            post(onClosed);
          }
        }

        @Override
        public void resume() {
          link.resume();
        }
      };
      to.answer(connection.b);
      names.put(connection.a, from.name + "(link to " + to.name + ")");
      names.put(connection.b, to.name + "(link from " + from.name + ")");
      link.start();
    }

    boolean live() {
      return connection.isUp() && link.isOpen();
    }
  }

  Peering peer(Edge from, Edge to, String namespace, String credential) {
    return new Peering(from, to, namespace, credential, 0);
  }

  // ---- helpers ----

  static Map<String, Document> visible(Collection collection) {
    Map<String, Document> out = new TreeMap<>();
    collection.scan("", Integer.MAX_VALUE).forEach(e -> out.put(e.getKey(), e.getValue().visible()));
    return out;
  }

  /** Asserts that every client sees exactly the edge's visible documents in each collection. */
  void assertConverged(Edge edge, String namespace, List<String> collections, Client... clients) {
    for (String c : collections) {
      Map<String, Document> want = edge.visible(namespace, c);
      for (Client client : clients) {
        assertSame(want, client.visible(c), client.name + "'s " + namespace + "/" + c + " vs " + edge.name + "'s");
      }
    }
  }

  /** Fails naming only the documents that differ, with the seed. */
  void assertSame(Map<String, Document> want, Map<String, Document> got, String what) {
    if (want.equals(got)) {
      return;
    }
    StringBuilder sb = new StringBuilder("seed " + seed + ": " + what + " differ:");
    java.util.TreeSet<String> keys = new java.util.TreeSet<>(want.keySet());
    keys.addAll(got.keySet());
    int shown = 0;
    for (String k : keys) {
      if (!java.util.Objects.equals(want.get(k), got.get(k)) && shown++ < 8) {
        sb.append("\n  ").append(k).append(": expected ").append(want.get(k)).append("\n  ").append(k)
            .append(": but was  ").append(got.get(k));
      }
    }
    throw new AssertionError(sb.toString());
  }

  /** How many frames were encoded so far. */
  long frames() {
    return frames;
  }
}
