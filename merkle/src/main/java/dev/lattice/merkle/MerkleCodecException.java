package dev.lattice.merkle;

/**
 * A stored bucket, a hash-ordered key or a wire message could not be decoded. This is the only exception a decoder in
 * this module lets escape, whatever the input bytes.
 */
public final class MerkleCodecException extends Exception {
  private static final long serialVersionUID = 1L;

  /** What was wrong with the input. */
  public enum Reason {
    /** The input ended before the value being read was complete. */
    TRUNCATED,
    /** The type tag (first byte) names no known blob type, or names another type than expected. */
    UNKNOWN_TAG,
    /** The format version (second byte) is not one this decoder reads. */
    UNSUPPORTED_VERSION,
    /** A variable-length integer ran past its maximum width. */
    VARINT_OVERFLOW,
    /** A length or count is larger than its limit or than the remaining input can hold. */
    LENGTH_OUT_OF_RANGE,
    /** A field holds a value outside its domain (depth, mask, status, tree depth bits). */
    INVALID_VALUE,
    /** The value is well formed but not in canonical form (unsorted or duplicated keys). */
    NOT_CANONICAL,
    /** Bytes remain after the complete blob. */
    TRAILING_BYTES
  }

  private final Reason reason;
  private final int offset;

  public MerkleCodecException(Reason reason, int offset, String message) {
    super(reason + " at offset " + offset + ": " + message);
    this.reason = reason;
    this.offset = offset;
  }

  public Reason reason() {
    return reason;
  }

  /** Byte offset in the input where the problem was found. */
  public int offset() {
    return offset;
  }
}
