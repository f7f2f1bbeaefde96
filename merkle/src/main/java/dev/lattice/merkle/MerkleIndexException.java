package dev.lattice.merkle;

/**
 * An argument given to the Merkle digests, buckets, trees or configuration is outside its domain,
 * or what the caller supplies contradicts what it supplied before.
 */
public final class MerkleIndexException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Which argument was bad. */
  public enum Reason {
    /** A key is empty or longer than {@link MerkleConfig#MAX_KEY_LENGTH}. */
    KEY_LENGTH,
    /** An element digest is not {@link Digests#LENGTH} bytes. */
    VALUE_DIGEST_LENGTH,
    /** A bulk build was given the same key twice. */
    DUPLICATE_KEY,
    /** A configuration value is out of range. */
    CONFIG,
    /** A partitioner returned a prefix length outside {@code [0, key.length]}. */
    PARTITION_LENGTH,
    /** A scope range has its upper bound at or below its lower bound. */
    SCOPE_RANGE,
    /**
     * A bucket update removes or replaces a document in a bucket that holds none, or a stored
     * bucket is loaded twice: the caller's old digests do not match what it added before.
     */
    INCONSISTENT_UPDATE,
    /**
     * An {@link dev.lattice.merkle.tree.Enumerator} listed keys that disagree with the bucket
     * snapshot it was opened with (another count or sum, a key outside the prefixes asked for, a
     * key twice): the two do not come from one consistent version.
     */
    INCONSISTENT_ENUMERATION
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
