package dev.lattice.presence.client;

import dev.lattice.presence.PresenceException.Reason;
import dev.lattice.presence.PresenceMessage.ErrorMessage;
import java.util.Objects;

/**
 * The edge refused what the client asked: a join (room full, state too large...), or the
 * connection itself (bad or expired token, unknown namespace), with the {@code p-error} it sent.
 */
public final class PresenceRefusedException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient ErrorMessage error;

  public PresenceRefusedException(ErrorMessage error) {
    super(error.reason().code() + ": " + error.message() + (error.room() == null ? "" : " (room " + error.room() + ")"));
    this.error = Objects.requireNonNull(error, "error");
  }

  /** The edge's {@code p-error}. */
  public ErrorMessage error() {
    return error;
  }

  /** Why, with its stable wire code ({@code reason().code()}). */
  public Reason reason() {
    return error.reason();
  }
}
