package dev.lattice.presence;

import java.util.Locale;
import java.util.Optional;

/**
 * A presence operation or message that is refused. A refused operation changes nothing: the hub
 * checks everything before it mutates. The edge answers the client with a {@code p-error} carrying
 * {@link Reason#code()}, {@link #detail()} and {@link #room()} (see
 * {@link PresenceMessage.ErrorMessage#of(PresenceException)}).
 *
 * <p>It is checked on purpose: every client message can be refused, and the handler that forgets to
 * answer with an error leaves the client waiting.
 */
public final class PresenceException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why, with the stable wire code the edge sends. Codes never change once released. */
  public enum Reason {
    /** Not JSON, not the message schema (unknown type or field, wrong type), or a state that is not a JSON object. */
    MALFORMED,
    /** A text frame longer than the codec's limit; the edge may close the socket (1009). */
    FRAME_TOO_LARGE,
    /** A member state over {@link PresenceConfig#maxStateBytes()}. */
    STATE_TOO_LARGE,
    /** A room name that breaks the naming rule of {@link PresenceConfig}. */
    INVALID_ROOM,
    /** An update, touch or leave for a room the connection has not joined (or was expired from). */
    NOT_A_MEMBER,
    /** A join for a room the connection is already in. */
    ALREADY_JOINED,
    /** The room holds {@link PresenceConfig#maxMembersPerRoom()} members. */
    ROOM_FULL,
    /** The namespace holds {@link PresenceConfig#maxRoomsPerNamespace()} rooms, or the connection is in
     *  {@link PresenceConfig#maxRoomsPerConnection()}. */
    TOO_MANY_ROOMS,
    /**
     * The member spent its token bucket ({@link PresenceConfig#maxUpdatesPerSecond()}), or the
     * connection went over the edge's per-connection message rate; the message was dropped.
     */
    RATE_LIMITED,
    /** A message the connection's state does not allow: anything before {@code p-hello}, a second {@code p-hello}. */
    PROTOCOL_VIOLATION,
    /** {@code p-hello} without a credential. */
    UNAUTHENTICATED,
    /** A credential that is neither an API key of the namespace nor a valid user token for it. */
    BAD_TOKEN,
    /** A valid user token past its expiry. */
    TOKEN_EXPIRED,
    /** A namespace the edge does not serve. */
    UNKNOWN_NAMESPACE,
    /** The edge failed; the connection is closed (1011). */
    INTERNAL;

    /** The stable wire code, e.g. {@code rate-limited}. */
    public String code() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The reason with this wire code, if any. */
    public static Optional<Reason> ofCode(String code) {
      for (Reason r : values()) {
        if (r.code().equals(code)) {
          return Optional.of(r);
        }
      }
      return Optional.empty();
    }
  }

  private final Reason reason;
  private final String room;
  private final String detail;

  /**
   * @param reason why
   * @param room the room the refused operation named, or null when there is none (or it is invalid)
   * @param detail words that name the bad value and the bound, sent to the client as is
   */
  public PresenceException(Reason reason, String room, String detail) {
    super(reason.code() + ": " + detail);
    this.reason = reason;
    this.room = room;
    this.detail = detail;
  }

  public Reason reason() {
    return reason;
  }

  /** The room concerned, or null. */
  public String room() {
    return room;
  }

  /** The message without the code prefix, as it goes on the wire. */
  public String detail() {
    return detail;
  }
}
