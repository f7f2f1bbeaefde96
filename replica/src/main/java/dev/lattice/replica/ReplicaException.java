package dev.lattice.replica;

/**
 * A replica operation was refused or failed. The reason is stable (wire errors map to it); the
 * message names the value at fault. Nothing was stored by an operation that threw this.
 */
public final class ReplicaException extends RuntimeException {

  public enum Reason {
    /** Another process holds the replica file open. */
    LOCKED,
    /** The file is not a Lattice replica, is of an unknown format version, or is damaged. */
    CORRUPT,
    /** A namespace, collection or document id is empty, too long or has a forbidden character. */
    INVALID_NAME,
    /** A mutation broke a rule of the write API, e.g. wrote one field twice. */
    INVALID_MUTATION,
    /** A remote timestamp is further ahead of the local clock than the skew bound. */
    CLOCK_SKEW,
    /** A remote delta could not be decoded. */
    MALFORMED_DELTA,
    /** The file holds a namespace of a newer schema version than the one configured. */
    SCHEMA_MISMATCH,
    /** The replica is closed. */
    CLOSED,
    /** Writing to storage failed. */
    STORAGE
  }

  private final Reason reason;

  public ReplicaException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public ReplicaException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
