package dev.lattice.presence;

import java.util.Objects;

/**
 * The presence protocol's messages, one record per wire type (JSON text frames, see
 * {@link PresenceCodec} for the exact encoding). No client message carries identity: the server
 * takes it from the connection's verified credential ({@link MemberIdentity}) and tells the client
 * in {@link Welcome}, so a client cannot claim to be someone else.
 *
 * <p>Client to server: {@link Hello} {@code p-hello} (first, once), {@link Join} {@code p-join},
 * {@link Update} {@code p-set}, {@link Leave} {@code p-leave}, {@link Touch} {@code p-touch}.
 * Server to client: {@link Welcome} {@code p-welcome}, {@link PresenceFrame} {@code p-frame},
 * {@link ErrorMessage} {@code p-error}.
 *
 * <p>States are JSON object text, carried verbatim: the codec writes them without re-parsing (they
 * were validated when they entered the hub) and hands decoded ones over in compact form.
 */
public sealed interface PresenceMessage permits PresenceMessage.ClientMessage, PresenceMessage.ServerMessage {

  /**
   * The room the message is about; null for {@link Hello} and {@link Welcome}, which are about the
   * connection, and for an {@link ErrorMessage} about no particular room.
   */
  String room();

  /** What a client may send. */
  sealed interface ClientMessage extends PresenceMessage permits Hello, Join, Update, Leave, Touch {}

  /** What the server sends. */
  sealed interface ServerMessage extends PresenceMessage permits Welcome, PresenceFrame, ErrorMessage {}

  /**
   * Opens the connection: the namespace whose rooms it will use and the credential (an API key of
   * the namespace or a user token for it) the edge derives the member identity from. The first and
   * only {@code p-hello} of a connection; nothing else is accepted before it.
   */
  record Hello(String namespace, String credential) implements ClientMessage {
    public Hello {
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(credential, "credential");
    }

    @Override
    public String room() {
      return null;
    }

    /** Without the credential, so that logging a message never leaks one. */
    @Override
    public String toString() {
      return "Hello[namespace=" + namespace + ", credential=(" + credential.length() + " characters)]";
    }
  }

  /**
   * Accepts a {@link Hello}: who the connection is, as every frame entry of its members will show
   * it, and the timing a client needs to keep its memberships alive.
   *
   * @param connectionId the member id the edge assigned to this connection (frames' {@code id})
   * @param userId the user id from the credential (frames' {@code user})
   * @param ttlMillis a member silent this long is expired ({@link PresenceConfig#memberTtl()}); a
   *     client heartbeats well inside it
   * @param tickMillis the edge's coalescing period ({@link PresenceConfig#tick()})
   * @param maxUpdatesPerSecond the per-member rate limit ({@link PresenceConfig#maxUpdatesPerSecond()})
   */
  record Welcome(String connectionId, String userId, long ttlMillis, long tickMillis, int maxUpdatesPerSecond)
      implements ServerMessage {
    public Welcome {
      Objects.requireNonNull(connectionId, "connectionId");
      Objects.requireNonNull(userId, "userId");
      if (ttlMillis < 1 || tickMillis < 1 || maxUpdatesPerSecond < 1) {
        throw new IllegalArgumentException("ttl, tick and rate must be positive: " + ttlMillis + ", " + tickMillis
            + ", " + maxUpdatesPerSecond);
      }
    }

    /** The welcome an edge running {@code config} sends to {@code identity}. */
    public static Welcome of(MemberIdentity identity, PresenceConfig config) {
      return new Welcome(identity.connectionId(), identity.userId(), config.memberTtl().toMillis(),
          config.tick().toMillis(), config.maxUpdatesPerSecond());
    }

    @Override
    public String room() {
      return null;
    }
  }

  /** Join {@code room} with an initial state (JSON object text). */
  record Join(String room, String state) implements ClientMessage {
    public Join {
      Objects.requireNonNull(room, "room");
      Objects.requireNonNull(state, "state");
    }
  }

  /** Replace the sender's state in {@code room} (JSON object text); wire type {@code p-set}. */
  record Update(String room, String state) implements ClientMessage {
    public Update {
      Objects.requireNonNull(room, "room");
      Objects.requireNonNull(state, "state");
    }
  }

  /** Leave {@code room}. */
  record Leave(String room) implements ClientMessage {
    public Leave {
      Objects.requireNonNull(room, "room");
    }
  }

  /** Renew the sender's TTL in {@code room} without changing or broadcasting its state (a heartbeat). */
  record Touch(String room) implements ClientMessage {
    public Touch {
      Objects.requireNonNull(room, "room");
    }
  }

  /**
   * A refusal: the stable code of {@code reason}, words for a human, and the room when the refused
   * message named a valid one.
   */
  record ErrorMessage(PresenceException.Reason reason, String message, String room) implements ServerMessage {
    public ErrorMessage {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(message, "message");
    }

    /** The error to send for a refused operation or message. */
    public static ErrorMessage of(PresenceException e) {
      return new ErrorMessage(e.reason(), e.detail(), e.room());
    }
  }
}
