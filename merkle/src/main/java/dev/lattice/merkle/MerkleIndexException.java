package dev.lattice.merkle;

/** An argument given to a {@link MerkleIndex} or its configuration is outside its domain. */
public final class MerkleIndexException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Which argument was bad. */
  public enum Reason {
    /** A key is empty or longer than {@link MerkleConfig#MAX_KEY_LENGTH}. */
    KEY_LENGTH,
    /** A value digest is empty or longer than {@link MerkleConfig#MAX_VALUE_DIGEST_LENGTH}. */
    VALUE_DIGEST_LENGTH,
    /** A bulk build was given the same key twice. */
    DUPLICATE_KEY,
    /** A bulk build was given a store that already holds nodes. */
    STORE_NOT_EMPTY,
    /** A configuration value is out of range. */
    CONFIG,
    /** A partitioner returned a prefix length outside {@code [0, key.length]}. */
    PARTITION_LENGTH,
    /** A scope range has its upper bound at or below its lower bound. */
    SCOPE_RANGE
  }

  private final Reason reason;

  public MerkleIndexException(Reason reason, String message) {
    super(reason + ": " + message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
