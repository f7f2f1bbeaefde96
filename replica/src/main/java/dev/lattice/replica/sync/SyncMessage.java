package dev.lattice.replica.sync;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.type.Document;
import dev.lattice.replica.log.Delta;
import java.util.List;
import java.util.Objects;

/**
 * The messages of the Lattice sync protocol, version {@value #PROTOCOL}. {@code docs/PROTOCOL.md}
 * is the contract; {@link SyncCodec} writes each as a JSON text frame or a CBOR binary frame.
 *
 * <p>A session opens with {@link Hello} and {@link Welcome}; then each side sends what the other
 * misses ({@link Deltas}, or {@link Repair} rounds followed by {@link States} when the log no longer
 * holds it), marks the end of that catch-up with {@link CaughtUp}, and from then on streams new
 * deltas as they are accepted. A client pushes its own writes with {@link Push} and drops each from
 * its queue only on the {@link Ack} that says it is durable at the edge.
 */
public sealed interface SyncMessage {

  /** The protocol version this code speaks. */
  int PROTOCOL = 1;

  /** Who opens a session: an application client, or another edge peering with this one. */
  enum Role {
    CLIENT("client"), PEER("peer");

    private final String wire;

    Role(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    static Role ofWire(String s) {
      for (Role r : values()) {
        if (r.wire.equals(s)) {
          return r;
        }
      }
      return null;
    }
  }

  /**
   * Opens a session. {@code schemaVersion} 0 means "no schema" (a schemaless namespace);
   * {@code vector} is what the opener already holds (its committed vector); {@code hlc} its clock.
   * {@code compress} asks for {@link Deltas} of many deltas (catch-up pages, live bursts) deflated.
   */
  record Hello(int protocol, String namespace, String credential, int schemaVersion, ReplicaId replica,
               VersionVector vector, long hlc, Role role, boolean compress) implements SyncMessage {
    public Hello {
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(credential, "credential");
      Objects.requireNonNull(replica, "replica");
      Objects.requireNonNull(vector, "vector");
      Objects.requireNonNull(role, "role");
    }
  }

  /**
   * Accepts a session: the answerer's identity, clock, current schema version, its vector (what
   * a peer should send it), and the limits it enforces.
   */
  record Welcome(int protocol, ReplicaId replica, long hlc, int schemaVersion, VersionVector vector,
                 String session, int maxMessageBytes, int maxBatch) implements SyncMessage {
    public Welcome {
      Objects.requireNonNull(replica, "replica");
      Objects.requireNonNull(vector, "vector");
      Objects.requireNonNull(session, "session");
    }
  }

  /** Deltas the receiver may be missing: a catch-up page or live changes. No reply is due. */
  record Deltas(List<Delta> deltas) implements SyncMessage {
    public Deltas {
      deltas = List.copyOf(deltas);
    }
  }

  /** A client's own writes, to be made durable at the edge and answered with {@link Ack} {@code id}. */
  record Push(long id, List<Delta> deltas) implements SyncMessage {
    public Push {
      deltas = List.copyOf(deltas);
    }
  }

  /**
   * The answer to {@link Push} {@code id}, sent once every accepted delta of it is durable:
   * {@code acked} were applied or already known; {@code rejected} never will be (the client
   * surfaces and drops them).
   */
  record Ack(long id, List<Dot> acked, List<Rejection> rejected) implements SyncMessage {
    public Ack {
      acked = List.copyOf(acked);
      rejected = List.copyOf(rejected);
    }
  }

  /** A pushed delta the edge refused for good, with a stable {@link ErrorCode} wire code. */
  record Rejection(Dot dot, String code, String message) {
    public Rejection {
      Objects.requireNonNull(dot, "dot");
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * The end of a catch-up: the receiver now holds everything the sender may give it up to
   * {@code vector}, and adopts that vector (so deltas it may not read are not asked for again).
   */
  record CaughtUp(VersionVector vector) implements SyncMessage {
    public CaughtUp {
      Objects.requireNonNull(vector, "vector");
    }
  }

  /**
   * One message of a Merkle reconciliation (the merkle module's binary message, opaque here).
   * {@code fromInitiator} says which side of it the sender is, so two repairs crossing on one
   * peer link (each side opened one) never mix their messages.
   */
  record Repair(byte[] message, boolean fromInitiator) implements SyncMessage {
    public Repair {
      Objects.requireNonNull(message, "message");
    }

    /** A message from the side that opened the repair. */
    public Repair(byte[] message) {
      this(message, true);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Repair r && fromInitiator == r.fromInitiator && java.util.Arrays.equals(message, r.message);
    }

    @Override
    public int hashCode() {
      return java.util.Arrays.hashCode(message) * 31 + Boolean.hashCode(fromInitiator);
    }

    @Override
    public String toString() {
      return "Repair[" + message.length + " bytes, " + (fromInitiator ? "initiator" : "responder") + "]";
    }
  }

  /**
   * Document states for the keys a repair found differing (an absent document is sent empty),
   * each stored beside {@code vector}. {@code last} ends the repair's states. {@code reveal}: the
   * documents just became readable to the receiver, whose vector may already cover their dots
   * (withheld from it before), so it joins them as if it had observed nothing of them.
   */
  record States(List<State> states, VersionVector vector, boolean last, boolean reveal) implements SyncMessage {
    public States {
      states = List.copyOf(states);
      Objects.requireNonNull(vector, "vector");
    }

    /** States of a repair (not a reveal). */
    public States(List<State> states, VersionVector vector, boolean last) {
      this(states, vector, last, false);
    }
  }

  record State(String collection, String documentId, Document document) {
    public State {
      Objects.requireNonNull(collection, "collection");
      Objects.requireNonNull(documentId, "documentId");
      Objects.requireNonNull(document, "document");
    }
  }

  /** Asks the peer to catch this side up again from {@code vector}. */
  record Resync(VersionVector vector) implements SyncMessage {
    public Resync {
      Objects.requireNonNull(vector, "vector");
    }
  }

  /** An error; a {@code fatal} one is followed by the sender closing the connection. */
  record Error(String code, String message, boolean fatal) implements SyncMessage {
    public Error {
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(message, "message");
    }
  }
}
