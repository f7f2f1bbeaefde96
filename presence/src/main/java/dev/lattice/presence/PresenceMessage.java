package dev.lattice.presence;

import java.util.Objects;

/**
 * The presence protocol's messages, one record per wire type (JSON text frames, see
 * {@link PresenceCodec} for the exact encoding). No message carries identity: the server takes it
 * from the connection ({@link MemberIdentity}), so a client cannot claim to be someone else.
 *
 * <p>Client to server: {@link Join} {@code p-join}, {@link Update} {@code p-set}, {@link Leave}
 * {@code p-leave}, {@link Touch} {@code p-touch}. Server to client: {@link PresenceFrame}
 * {@code p-frame}, {@link ErrorMessage} {@code p-error}.
 *
 * <p>States are JSON object text, carried verbatim: the codec writes them without re-parsing (they
 * were validated when they entered the hub) and hands decoded ones over in compact form.
 */
public sealed interface PresenceMessage permits PresenceMessage.ClientMessage, PresenceMessage.ServerMessage {

  /** The room the message is about; null only for an {@link ErrorMessage} about no particular room. */
  String room();

  /** What a client may send. */
  sealed interface ClientMessage extends PresenceMessage permits Join, Update, Leave, Touch {}

  /** What the server sends. */
  sealed interface ServerMessage extends PresenceMessage permits PresenceFrame, ErrorMessage {}

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
