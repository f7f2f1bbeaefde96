package dev.lattice.crdt.codec;

/**
 * The one exception a decoder of {@link CrdtCodec} throws: the input is malformed, truncated, of
 * another type, or not in canonical form. It is checked, because the input comes from disk or the
 * network and every caller must decide what a bad blob means for it (drop the frame, answer with
 * an error code, start a repair).
 *
 * <p>The message names the byte offset where decoding stopped and the bad value, so a blob that
 * fails can be pinned as a regression test.
 */
public final class CodecException extends Exception {

  /** Why a blob was refused. Stable: callers may map these to wire error codes. */
  public enum Reason {
    /** The input ends inside a value. */
    TRUNCATED,
    /** A type tag, value kind or field kind that this format does not define. */
    UNKNOWN_TAG,
    /** The format version byte is not one this decoder reads. */
    UNSUPPORTED_VERSION,
    /** The blob is valid-looking but holds another type than the one requested. */
    TYPE_MISMATCH,
    /** A count or length is larger than the remaining input could hold. */
    LENGTH_OUT_OF_RANGE,
    /**
     * The bytes describe a value, but not in its one canonical encoding: unsorted or duplicate
     * keys, elements or replica ids, a non-minimal varint, a non-canonical NaN, a context residual
     * that is not the encoder's, an unused dictionary entry, an empty nested field, and so on.
     */
    NOT_CANONICAL,
    /** A value out of its domain: sequence 0, invalid UTF-8, a replica index past the dictionary, overflow. */
    INVALID_VALUE,
    /** Maps or lists nested deeper than {@link CrdtCodec#MAX_DEPTH}. */
    NESTING_TOO_DEEP,
    /** Bytes remain after the value ended. */
    TRAILING_BYTES
  }

  private final Reason reason;
  private final int offset;

  CodecException(Reason reason, int offset, String detail) {
    super(reason + " at offset " + offset + ": " + detail);
    this.reason = reason;
    this.offset = offset;
  }

  public Reason reason() {
    return reason;
  }

  /** The byte offset in the input where the bad value starts. */
  public int offset() {
    return offset;
  }
}
