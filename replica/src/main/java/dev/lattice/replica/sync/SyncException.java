package dev.lattice.replica.sync;

/** A protocol error with its {@link ErrorCode}; the session answers it with an error message. */
public final class SyncException extends RuntimeException {
  private final ErrorCode code;
  private final boolean fatal;

  public SyncException(ErrorCode code, String message) {
    this(code, message, code.fatal(), null);
  }

  public SyncException(ErrorCode code, String message, boolean fatal, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.fatal = fatal;
  }

  public ErrorCode code() {
    return code;
  }

  /** Whether the session ends with this error. */
  public boolean fatal() {
    return fatal;
  }

  public SyncMessage.Error toMessage() {
    return new SyncMessage.Error(code.wire(), getMessage(), fatal);
  }
}
