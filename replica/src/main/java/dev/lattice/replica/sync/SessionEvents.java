package dev.lattice.replica.sync;

/** What a session reports for metrics; every method has a do-nothing default. */
public interface SessionEvents {
  SessionEvents NONE = new SessionEvents() {};

  /** Deltas received from the peer, and how many of them were new here. */
  default void deltasIn(int received, int applied) {}

  default void deltasOut(int sent) {}

  /** A pushed delta refused for good, by wire code. */
  default void rejected(String code) {}

  /** A push answered: nanoseconds from its arrival to its ack. */
  default void acked(long nanos) {}

  /** A Merkle repair finished with {@code differing} documents; {@code view} if it was over a client's view. */
  default void repaired(int differing, boolean view) {}

  /** A timestamp beyond the skew bound was refused. */
  default void skewRejected() {}

  /** Fields dropped from a client's write because its older schema version still had them. */
  default void fieldsDropped(int count) {}
}
