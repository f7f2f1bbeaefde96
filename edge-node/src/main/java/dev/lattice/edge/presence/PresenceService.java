package dev.lattice.edge.presence;

import dev.lattice.edge.EdgeNode;
import dev.lattice.edge.auth.AuthException;
import dev.lattice.edge.http.BoundedSender;
import dev.lattice.edge.http.RateLimiter;
import dev.lattice.edge.http.SocketGuard;
import dev.lattice.presence.MemberIdentity;
import dev.lattice.presence.Outbound;
import dev.lattice.presence.PresenceCodec;
import dev.lattice.presence.PresenceConfig;
import dev.lattice.presence.PresenceException;
import dev.lattice.presence.PresenceException.Reason;
import dev.lattice.presence.PresenceHub;
import dev.lattice.presence.PresenceMessage;
import dev.lattice.presence.PresenceMessage.ClientMessage;
import dev.lattice.presence.PresenceMessage.ErrorMessage;
import dev.lattice.presence.PresenceMessage.Hello;
import dev.lattice.presence.PresenceMessage.Join;
import dev.lattice.presence.PresenceMessage.Leave;
import dev.lattice.presence.PresenceMessage.Touch;
import dev.lattice.presence.PresenceMessage.Update;
import dev.lattice.presence.PresenceMessage.Welcome;
import dev.lattice.schema.Claims;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One node's presence: the {@link PresenceHub}, confined to the context of a small verticle, the
 * connections' senders by member id, and the tick timer. See {@link PresenceEndpoint}.
 *
 * <h2>Who does what</h2>
 * The hub's context decodes, runs the hub and builds each tick's frame texts (the part that grows
 * with the room: every subscriber's frame holds nearly the whole room). Writing them, which costs
 * as much again (UTF-8 encoding, the bounded sender's accounting, the socket), happens on the
 * sockets' own event loop: each tick hands it one batch per socket context. The two run side by
 * side, and a connection's messages still leave in the order the hub produced them, since every
 * send to a socket goes through that socket's context in order.
 *
 * <h2>Ordering</h2>
 * Each socket's messages arrive on its event loop in order and are queued to the hub's context in
 * that order ({@link #submit}), so the hub sees every connection's messages in the order sent.
 * Until the verticle is deployed (the first connection's first milliseconds) tasks wait in a list
 * that is flushed, in order, before any later task is queued.
 *
 * <h2>Time</h2>
 * The hub gets a monotonic millisecond clock ({@link System#nanoTime()}): a wall clock stepping
 * back would not un-expire members (the hub keeps the latest time anyway), but one stepping
 * forward would expire them all at once.
 */
final class PresenceService {
  private static final Logger LOG = Logger.getLogger(PresenceService.class.getName());

  private final EdgeNode node;
  private final PresenceConfig config;
  private final PresenceHub hub;
  private final PresenceCodec codec;
  private final PresenceMetrics metrics;
  private final LongSupplier clock = () -> System.nanoTime() / 1_000_000;
  /** Makes member ids unique across restarts of the node: a client must never see an id come back with a lower clock. */
  private final String idPrefix;
  // Hub context only:
  /** Where each welcomed connection's frames go, by member id. */
  private final Map<String, Outlet> outlets = new HashMap<>();
  private long nextId;
  private boolean stopped;
  // Guarded by this until the context is known:
  private List<Runnable> pending = new ArrayList<>();
  private volatile Context hubContext;
  private Future<String> deployment = Future.failedFuture("not started");

  PresenceService(EdgeNode node, PresenceConfig config) {
    this.node = node;
    this.config = config;
    this.hub = new PresenceHub(config);
    this.codec = PresenceCodec.forClients(config);
    this.metrics = new PresenceMetrics(node.metrics().registry());
    byte[] r = new byte[4];
    new SecureRandom().nextBytes(r);
    this.idPrefix = "c-" + HexFormat.of().formatHex(r) + "-";
  }

  /** Deploys the hub's verticle; connections accepted meanwhile queue their messages. */
  void start() {
    deployment = node.vertx().deployVerticle(new HubVerticle()).onFailure(e -> LOG.log(Level.SEVERE,
        "the presence hub could not start; presence connections get no answer", e));
  }

  /** Forgets every connection and undeploys the hub (its timer with it). */
  Future<Void> stop() {
    return deployment.transform(ar -> {
      if (ar.failed()) {
        return Future.succeededFuture();
      }
      Promise<Void> done = Promise.promise();
      submit(() -> {
        stopped = true;
        outlets.clear();
        metrics.connections.set(0);
        metrics.members.set(0);
        done.complete();
      });
      return done.future().compose(v -> node.vertx().undeploy(ar.result()));
    });
  }

  /** Runs {@code task} on the hub's context, after every task submitted before it. */
  void submit(Runnable task) {
    Context c = hubContext;
    if (c == null) {
      synchronized (this) {
        c = hubContext;
        if (c == null) {
          pending.add(task);
          return;
        }
      }
    }
    c.runOnContext(v -> task.run());
  }

  /** The verticle whose context the hub lives on; its timer is the tick. */
  private final class HubVerticle extends VerticleBase {
    private long timer = -1;

    @Override
    public Future<?> start() {
      synchronized (PresenceService.this) {
        // Queued before any task submitted from now on, so each connection's order holds.
        for (Runnable task : pending) {
          context.runOnContext(v -> task.run());
        }
        pending = null;
        hubContext = context;
      }
      timer = vertx.setPeriodic(config.tick().toMillis(), id -> {
        try {
          tick();
        } catch (RuntimeException e) {
          LOG.log(Level.SEVERE, "presence tick failed", e);
        }
      });
      return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
      vertx.cancelTimer(timer);
      return Future.succeededFuture();
    }
  }

  // ---- connections (socket handlers run on the socket's event loop and hop to the hub)

  void accept(SocketGuard guard) {
    Context socketContext = Vertx.currentContext();
    Connection c = new Connection(guard, socketContext);
    guard.textMessageHandler(text -> submit(() -> c.text(text)));
    guard.binaryMessageHandler(data -> submit(() -> c.refuse(new PresenceException(Reason.MALFORMED, null,
        "presence messages are JSON text messages, not binary"))));
    guard.onRateLimited(verdict -> {
      metrics.connectionRateLimited();
      if (verdict == RateLimiter.Verdict.REJECT) {
        submit(() -> c.refuse(new PresenceException(Reason.RATE_LIMITED, null, "more than "
            + node.config().limits().messagesPerSecond() + " messages a second on this connection; this one was"
            + " dropped")));
      }
    });
    guard.onError(t -> LOG.log(Level.FINE, "presence connection error", t));
    guard.onClose(v -> submit(c::closed));
  }

  /** One socket, on the hub's context from its first message on. */
  private final class Connection {
    private final SocketGuard guard;
    private final Context socketContext;
    private String namespace;
    private MemberIdentity identity;
    private boolean closed;

    Connection(SocketGuard guard, Context socketContext) {
      this.guard = guard;
      this.socketContext = socketContext;
    }

    void text(String text) {
      if (closed || stopped) {
        return;
      }
      ClientMessage m;
      try {
        m = codec.decodeFromClient(text);
      } catch (PresenceException e) {
        refuse(e);
        return;
      }
      try {
        if (identity == null) {
          hello(m);
        } else {
          apply(m);
        }
      } catch (PresenceException e) {
        if (e.reason() == Reason.RATE_LIMITED) {
          metrics.memberRateLimited();
        }
        refuse(e);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "presence failed on a message of connection " + (identity == null ? "(no hello)"
            : identity.connectionId()), e);
        fatal(new PresenceException(Reason.INTERNAL, null, "the edge failed"), (short) 1011);
      }
    }

    private void hello(ClientMessage m) throws PresenceException {
      if (!(m instanceof Hello)) {
        throw new PresenceException(Reason.PROTOCOL_VIOLATION, null,
            "the first message must be p-hello, not " + type(m));
      }
      Hello h = (Hello) m;
      Claims claims;
      try {
        claims = node.authenticator().authenticate(h.namespace(), h.credential());
      } catch (AuthException e) {
        throw new PresenceException(Reason.ofCode(e.code()).orElse(Reason.BAD_TOKEN), null, e.getMessage());
      }
      String user = claims.server() ? PresenceEndpoint.SERVER_USER : claims.userId();
      if (user.length() > MemberIdentity.MAX_LENGTH) {
        throw new PresenceException(Reason.BAD_TOKEN, null,
            "the token's user id is longer than " + MemberIdentity.MAX_LENGTH + " characters");
      }
      namespace = h.namespace();
      identity = new MemberIdentity(user, idPrefix + (++nextId));
      outlets.put(identity.connectionId(), new Outlet(guard.sender(), socketContext));
      metrics.connections.incrementAndGet();
      metrics.messageIn("p-hello");
      send(codec.encode(Welcome.of(identity, config)));
    }

    private void apply(ClientMessage m) throws PresenceException {
      long now = clock.getAsLong();
      metrics.messageIn(type(m));
      if (m instanceof Join) {
        hub.join(namespace, m.room(), identity, ((Join) m).state(), now);
      } else if (m instanceof Update) {
        hub.update(namespace, m.room(), identity, ((Update) m).state(), now);
      } else if (m instanceof Leave) {
        hub.leave(namespace, m.room(), identity, now);
      } else if (m instanceof Touch) {
        hub.touch(namespace, m.room(), identity, now);
      } else {
        throw new PresenceException(Reason.PROTOCOL_VIOLATION, null, "p-hello was already accepted");
      }
      metrics.members.set(hub.memberCount());
    }

    /** Answers a refused message; before the welcome, every refusal ends the connection. */
    void refuse(PresenceException e) {
      if (closed || stopped) {
        return;
      }
      if (identity == null) {
        fatal(e, SocketGuard.POLICY_VIOLATION);
        return;
      }
      metrics.refused(e.reason());
      send(codec.encode(ErrorMessage.of(e)));
    }

    private void send(String text) {
      socketContext.runOnContext(v -> guard.sender().sendText(text));
    }

    private void fatal(PresenceException e, short status) {
      metrics.refused(e.reason());
      String text = codec.encode(ErrorMessage.of(e));
      closed();
      // On the socket's own loop, so the close frame follows the error.
      socketContext.runOnContext(v -> {
        guard.sender().sendText(text);
        guard.close(status, e.reason().code());
      });
    }

    void closed() {
      if (closed) {
        return;
      }
      closed = true;
      if (identity != null && !stopped) {
        outlets.remove(identity.connectionId());
        hub.disconnect(identity.connectionId(), clock.getAsLong());
        metrics.connections.decrementAndGet();
        metrics.members.set(hub.memberCount());
      }
    }
  }

  // ---- the tick (hub context)

  private void tick() {
    if (stopped) {
      return;
    }
    long start = System.nanoTime();
    List<Outbound> out = hub.tick(clock.getAsLong());
    metrics.members.set(hub.memberCount());
    if (out.isEmpty()) {
      return;
    }
    List<PresenceCodec.Encoded> frames = codec.encodeTick(out);
    Map<Context, List<Send>> batches = new IdentityHashMap<>();
    for (int i = 0; i < frames.size(); i++) {
      Outlet outlet = outlets.get(out.get(i).connectionId());
      if (outlet != null) {
        batches.computeIfAbsent(outlet.context(), c -> new ArrayList<>()).add(new Send(outlet.sender(), frames.get(i)));
      }
    }
    batches.forEach((context, sends) -> context.runOnContext(v -> {
      for (Send s : sends) {
        if (s.sender().sendText(s.frame().text())) {
          metrics.frameOut(s.frame().utf8Length());
        }
      }
    }));
    metrics.ticks().record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  /** A welcomed connection's sender and the context of its socket, where writes to it are made. */
  private record Outlet(BoundedSender sender, Context context) {}

  private record Send(BoundedSender sender, PresenceCodec.Encoded frame) {}

  private static String type(PresenceMessage m) {
    if (m instanceof Hello) {
      return "p-hello";
    } else if (m instanceof Join) {
      return "p-join";
    } else if (m instanceof Update) {
      return "p-set";
    } else if (m instanceof Leave) {
      return "p-leave";
    }
    return "p-touch";
  }
}
