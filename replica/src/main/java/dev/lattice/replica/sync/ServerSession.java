package dev.lattice.replica.sync;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.clock.ClockSkewException;
import dev.lattice.crdt.type.Document;
import dev.lattice.replica.ApplyResult;
import dev.lattice.replica.DocumentView;
import dev.lattice.replica.Namespace;
import dev.lattice.replica.Replica;
import dev.lattice.replica.ReplicaException;
import dev.lattice.replica.log.Delta;
import dev.lattice.schema.Claims;
import dev.lattice.schema.RejectedException;
import dev.lattice.schema.project.Projector;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The edge's side of one sync session, sans I/O: built from a vetted {@code hello}, it answers
 * with {@code welcome}, catches the peer up, streams live deltas, takes a client's pushes
 * (lifting each write from the client's schema version, acking once durable) or a peer edge's
 * deltas and repairs. The transport feeds it decoded messages on one thread and sends what it
 * emits through {@link SessionOutput}.
 *
 * <p>A client sees every stored document and delta through its schema version and claims
 * ({@link Projector}): fields its version does not declare, fields of the replication manifest,
 * and documents its access rules hide never leave the edge, in catch-up, live or repair alike. A
 * peer edge (an API key's server claims) sees the namespace as stored.
 */
public final class ServerSession implements SyncHub.Member {

  /** Checks a credential for a namespace; the edge's token and API-key verifier. */
  @FunctionalInterface
  public interface Authenticator {
    /** @throws SyncException {@code unauthenticated}, {@code bad-token} or {@code token-expired} */
    Claims authenticate(String namespace, String credential);
  }

  private final String sessionId;
  private final SyncMessage.Hello hello;
  private final ServedNamespace served;
  private final Claims claims;
  private final SyncHub hub;
  private final SessionOutput out;
  private final SyncLimits limits;
  private final SessionEvents events;
  private final Downstream downstream;
  private final PeerChannel peer;
  private boolean closed;

  private ServerSession(String sessionId, SyncMessage.Hello hello, ServedNamespace served, Claims claims, SyncHub hub,
      SessionOutput out, SyncLimits limits, SessionEvents events) {
    this.sessionId = sessionId;
    this.hello = hello;
    this.served = served;
    this.claims = claims;
    this.hub = hub;
    this.out = out;
    this.limits = limits;
    this.events = events;
    Namespace ns = served.namespace();
    boolean asStored = hello.role() == SyncMessage.Role.PEER || served.projector().isEmpty();
    this.downstream = new Downstream(ns, out, limits, events, hello.vector(),
        asStored ? null : this::viewOf, asStored ? null : documentView(),
        asStored ? null : served.projector().get().access().readableCollections(claims),
        asStored ? null : this::touchesAccess);
    this.peer = hello.role() == SyncMessage.Role.PEER
        ? new PeerChannel(ns.name(), downstream, new Receiver(ns, out, limits, events, true), hub, this) : null;
  }

  /**
   * Vets {@code hello} and, if it passes, opens the session: registers it with the hub, sends
   * {@code welcome} and starts the catch-up.
   *
   * @throws SyncException (fatal) for a wrong protocol version, an unknown namespace, a bad
   *     credential, a peer without server claims, an unusable schema version, a skewed clock or a
   *     replica id already live; nothing is sent or stored then
   */
  public static ServerSession accept(SyncMessage.Hello hello, Function<String, Optional<ServedNamespace>> namespaces,
      Authenticator authenticator, Replica replica, SyncHub hub, SessionOutput out, SyncLimits limits,
      SessionEvents events, String sessionId) {
    if (hello.protocol() != SyncMessage.PROTOCOL) {
      throw new SyncException(ErrorCode.UNSUPPORTED_PROTOCOL, "protocol version " + hello.protocol()
          + " is not supported; this edge speaks version " + SyncMessage.PROTOCOL);
    }
    ServedNamespace served = namespaces.apply(hello.namespace()).orElseThrow(() -> new SyncException(
        ErrorCode.UNKNOWN_NAMESPACE, "namespace \"" + hello.namespace() + "\" is not served here"));
    Claims claims = authenticator.authenticate(hello.namespace(), hello.credential());
    if (hello.role() == SyncMessage.Role.PEER && !claims.server()) {
      throw new SyncException(ErrorCode.FORBIDDEN, "a peer session needs an API key, not a user token", true, null);
    }
    checkSchemaVersion(hello, served);
    try {
      replica.clock().check(hello.hlc());
    } catch (ClockSkewException e) {
      events.skewRejected();
      throw new SyncException(ErrorCode.CLOCK_SKEW, "hello refused: " + e.getMessage(), true, e);
    }
    ServerSession session = new ServerSession(sessionId, hello, served, claims, hub, out, limits, events);
    hub.join(session);
    out.send(new SyncMessage.Welcome(SyncMessage.PROTOCOL, replica.id(), replica.clock().now(), served.schemaVersion(),
        served.namespace().committedVector(), sessionId, limits.maxMessageBytes(), limits.maxBatch()));
    session.downstream.catchUpFrom(hello.vector());
    return session;
  }

  private static void checkSchemaVersion(SyncMessage.Hello hello, ServedNamespace served) {
    if (served.projector().isEmpty()) {
      if (hello.schemaVersion() != 0) {
        throw new SyncException(ErrorCode.UNKNOWN_VERSION, "namespace \"" + hello.namespace()
            + "\" has no schema; say schema version 0, not " + hello.schemaVersion());
      }
      return;
    }
    if (hello.role() == SyncMessage.Role.PEER) {
      if (hello.schemaVersion() != served.schemaVersion()) {
        throw new SyncException(ErrorCode.UNKNOWN_VERSION, "peer edges must run the same schema version: this edge has "
            + served.schemaVersion() + ", the peer " + hello.schemaVersion());
      }
      return;
    }
    try {
      served.projector().get().schema().requireUsable(hello.schemaVersion());
    } catch (RejectedException e) {
      throw new SyncException(e.reason() == RejectedException.Reason.UPGRADE_REQUIRED ? ErrorCode.UPGRADE_REQUIRED
          : ErrorCode.UNKNOWN_VERSION, e.getMessage());
    }
  }

  public String sessionId() {
    return sessionId;
  }

  public Claims claims() {
    return claims;
  }

  public SyncMessage.Role role() {
    return hello.role();
  }

  @Override
  public String namespace() {
    return served.namespace().name();
  }

  @Override
  public ReplicaId peerReplica() {
    return hello.replica();
  }

  @Override
  public boolean exclusive() {
    return hello.role() == SyncMessage.Role.CLIENT;
  }

  /**
   * Takes one decoded message from the peer.
   *
   * @throws SyncException for a message the session refuses; if {@link SyncException#fatal()} the
   *     transport sends it and closes, otherwise it sends it and goes on
   */
  public void receive(SyncMessage message) {
    if (closed) {
      return;
    }
    if (peer != null) {
      peer.handle(message);
    } else if (message instanceof SyncMessage.Push p) {
      push(p);
    } else if (message instanceof SyncMessage.Repair r) {
      if (r.fromInitiator() || !downstream.onRepair(r.message())) {
        throw new SyncException(ErrorCode.PROTOCOL_VIOLATION, "a client may answer a repair, not open one");
      }
    } else if (message instanceof SyncMessage.Resync r) {
      downstream.catchUpFrom(r.vector());
    } else if (message instanceof SyncMessage.Error e) {
      if (e.fatal()) {
        closed();
      }
    } else {
      throw new SyncException(ErrorCode.PROTOCOL_VIOLATION, "a client session does not take \""
          + message.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT) + "\" messages");
    }
  }

  /** The transport can take more; continues a paused catch-up. */
  public void resume() {
    if (!closed) {
      guard(downstream::resume);
    }
  }

  /** An anti-entropy round, for a peer session; false if not possible now. */
  public boolean repairNow() {
    return peer != null && !closed && peer.repairNow();
  }

  /** The connection is gone: leaves the hub. */
  public void closed() {
    closed = true;
    hub.leave(this);
  }

  @Override
  public void deliver(List<Delta> committed) {
    out.execute(() -> {
      if (!closed) {
        guard(() -> downstream.offer(committed));
      }
    });
  }

  @Override
  public void deliverStates(List<SyncMessage.State> states, dev.lattice.crdt.causal.VersionVector vector) {
    out.execute(() -> {
      if (!closed) {
        guard(() -> downstream.offerStates(states, vector));
      }
    });
  }

  private void guard(Runnable action) {
    try {
      action.run();
    } catch (SyncException e) {
      if (e.fatal()) {
        closed();
      }
      out.fail(e);
    }
  }

  // ---- client pushes ----

  private void push(SyncMessage.Push push) {
    long arrived = System.nanoTime();
    List<Delta> accepted = new ArrayList<>(push.deltas().size());
    List<SyncMessage.Rejection> rejected = new ArrayList<>();
    // Each write is checked against the document as the writes before it in this push left it.
    java.util.Map<String, Document> pushed = new java.util.HashMap<>();
    for (Delta d : push.deltas()) {
      if (!d.dot().replica().equals(hello.replica())) {
        rejected.add(reject(d.dot(), ErrorCode.FORBIDDEN.wire(),
            "a client pushes only its own writes; " + d.dot() + " is not of replica " + hello.replica()));
        continue;
      }
      if (served.namespace().vector().covers(d.dot())) {
        accepted.add(d); // a retry of a write applied before (its ack was lost): ack it, judge nothing again
        continue;
      }
      try {
        Namespace.checkNames(d.collection(), d.documentId());
        String key = Namespace.documentKey(d.collection(), d.documentId());
        Document current = pushed.containsKey(key) ? pushed.get(key)
            : served.namespace().collection(d.collection()).get(d.documentId()).orElse(Document.EMPTY);
        Delta lifted = lift(d, current);
        accepted.add(lifted);
        pushed.put(key, current.merge(lifted.change()));
      } catch (ReplicaException e) {
        rejected.add(reject(d.dot(), ErrorCode.INVALID_NAME.wire(), e.getMessage()));
      } catch (RejectedException e) {
        rejected.add(reject(d.dot(), e.reason().code(), e.getMessage()));
      }
    }
    ApplyResult result = applyVetted(accepted);
    events.deltasIn(push.deltas().size(), result.applied().size());
    downstream.receiverHas(push.deltas());
    List<Dot> acked = new ArrayList<>(result.applied());
    acked.addAll(result.duplicates());
    PeerChannel.publishWhenDurable(hub, namespace(), this, accepted, result);
    result.durable().whenComplete((ok, failure) -> out.execute(() -> {
      if (closed) {
        return;
      }
      if (failure != null) {
        guard(() -> {
          throw new SyncException(ErrorCode.INTERNAL, "the edge could not make push " + push.id() + " durable: "
              + failure.getMessage(), true, failure);
        });
        return;
      }
      out.send(new SyncMessage.Ack(push.id(), acked, rejected));
      events.acked(System.nanoTime() - arrived);
    }));
  }

  private SyncMessage.Rejection reject(Dot dot, String code, String message) {
    events.rejected(code);
    return new SyncMessage.Rejection(dot, code, message);
  }

  /**
   * Applies the accepted deltas (names already checked). A skewed clock refuses the whole push
   * (non-fatal: the client keeps it queued and retries once its clock, or ours, has moved on);
   * nothing is applied then.
   */
  private ApplyResult applyVetted(List<Delta> accepted) {
    try {
      return served.namespace().applyRemote(accepted);
    } catch (ReplicaException e) {
      if (e.reason() == ReplicaException.Reason.CLOCK_SKEW) {
        events.skewRejected();
        throw new SyncException(ErrorCode.CLOCK_SKEW, e.getMessage(), false, e);
      }
      throw Receiver.fatal(e);
    }
  }

  private Delta lift(Delta d, Document current) {
    if (served.projector().isEmpty()) {
      return d;
    }
    Projector projector = served.projector().get();
    Projector.Lifted lifted = projector.lift(d.collection(), d.documentId(), current, d.change(), hello.schemaVersion(),
        claims);
    if (!lifted.droppedFields().isEmpty()) {
      events.fieldsDropped(lifted.droppedFields().size());
    }
    return new Delta(d.dot(), d.hlc(), d.collection(), d.documentId(), lifted.change());
  }

  // ---- what a client may see ----

  private Optional<Delta> viewOf(Delta d) {
    Projector projector = served.projector().orElseThrow();
    Namespace ns = served.namespace();
    Optional<Document> state = ns.collection(d.collection()).get(d.documentId());
    Optional<Document> seen;
    if (state.isPresent()) {
      seen = projector.project(d.collection(), d.documentId(), state.get(), d.change(), hello.schemaVersion(), claims);
    } else if (projector.access().mayLearnDeletion(d.collection(), d.documentId(), claims)) {
      // The document is gone, and with it whatever decided who may read it. The deletion carries
      // no values, only what it removes, so readers of the collection get it (documented), except
      // for documents under another user's private prefix.
      seen = projector.project(d.collection(), d.documentId(), Document.EMPTY, d.change(), hello.schemaVersion(),
          Claims.ofServer());
    } else {
      seen = Optional.empty();
    }
    return seen.map(change -> new Delta(d.dot(), d.hlc(), d.collection(), d.documentId(), change));
  }

  /**
   * Whether {@code d} writes a field that decides who may read its document (the owner field, the
   * public flag): it may make the document newly readable to this client, whose earlier deltas
   * were withheld, so the client is then sent the whole readable state as well.
   */
  private boolean touchesAccess(Delta d) {
    Optional<dev.lattice.schema.CollectionSpec> spec =
        served.projector().orElseThrow().schema().current().collection(d.collection());
    if (spec.isEmpty()) {
      return false;
    }
    dev.lattice.schema.access.AccessRules rules = spec.get().access();
    for (dev.lattice.crdt.type.FieldKey k : d.change().fields().keys()) {
      if (rules.owner().map(k.name()::equals).orElse(false) || rules.publicFlag().map(k.name()::equals).orElse(false)) {
        return true;
      }
    }
    return false;
  }

  private DocumentView documentView() {
    Projector projector = served.projector().orElseThrow();
    return (collection, id, stored) -> projector.project(collection, id, stored, hello.schemaVersion(), claims);
  }
}
