package dev.lattice.replica.sync;

/**
 * Where a session's messages go: implemented by the transport (a WebSocket connection, or a test's
 * in-memory pipe). The session never blocks and never starts threads; the transport owns both.
 */
public interface SessionOutput {

  /** Queues one message for the peer, in order. */
  void send(SyncMessage message);

  /**
   * Whether the transport takes another catch-up page now. When it says no, a catch-up pauses
   * until the transport calls the session's {@code resume()} (live deltas are sent regardless; a
   * transport bounds them by disconnecting a slow consumer).
   */
  boolean writable();

  /** Runs {@code task} on the session's thread; commits complete on the replica's committer thread. */
  void execute(Runnable task);

  /** Closes the connection; a fatal {@link SyncMessage.Error} has been sent just before. */
  void close(ErrorCode code, String reason);

  /** Reports {@code e} to the peer and, if it is fatal, closes the connection after it. */
  default void fail(SyncException e) {
    send(e.toMessage());
    if (e.fatal()) {
      close(e.code(), e.getMessage());
    }
  }
}
