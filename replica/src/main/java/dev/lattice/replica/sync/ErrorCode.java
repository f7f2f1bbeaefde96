package dev.lattice.replica.sync;

/**
 * Every error the sync protocol reports, with its stable wire code ({@code docs/PROTOCOL.md}
 * lists the same table). {@link #fatal()} is the usual severity; the {@code fatal} flag of each
 * error message decides (a {@code clock-skew} refusing a push is not fatal, one refusing a hello
 * is). A fatal error is followed by a close; a write-level code (in {@link SyncMessage.Rejection})
 * rejects one delta.
 */
public enum ErrorCode {
  /** The frame is not a well-formed message (bad JSON/CBOR, unknown type, missing field). */
  BAD_FRAME("bad-frame", true),
  /** A message or frame exceeds the announced limits. */
  TOO_LARGE("too-large", true),
  /** The {@code hello} names a protocol version this edge does not speak. */
  UNSUPPORTED_PROTOCOL("unsupported-protocol", true),
  /** A message arrived that the session's state does not allow (e.g. a push before hello). */
  PROTOCOL_VIOLATION("protocol-violation", true),
  UNAUTHENTICATED("unauthenticated", true),
  BAD_TOKEN("bad-token", true),
  TOKEN_EXPIRED("token-expired", true),
  UNKNOWN_NAMESPACE("unknown-namespace", true),
  /** The client's schema version is below the namespace's minimum: upgrade the application. */
  UPGRADE_REQUIRED("upgrade-required", true),
  /** The client's schema version is one the edge does not know (newer than its current). */
  UNKNOWN_VERSION("unknown-version", true),
  /** A timestamp is further ahead of the receiver's clock than the skew bound; nothing applied. */
  CLOCK_SKEW("clock-skew", true),
  /** Another live session already uses this replica id: a copied store. Draw a new id. */
  DUPLICATE_REPLICA("duplicate-replica", true),
  RATE_LIMITED("rate-limited", false),
  SLOW_CONSUMER("slow-consumer", true),
  /** The receiver failed; the session may be retried. */
  INTERNAL("internal", true),
  // Write-level codes: one pushed delta refused for good.
  FORBIDDEN("forbidden", false),
  UNKNOWN_COLLECTION("unknown-collection", false),
  UNKNOWN_FIELD("unknown-field", false),
  WRONG_TYPE("wrong-type", false),
  VALUE_OUT_OF_BOUNDS("value-out-of-bounds", false),
  INVALID_NAME("invalid-name", false);

  private final String wire;
  private final boolean fatal;

  ErrorCode(String wire, boolean fatal) {
    this.wire = wire;
    this.fatal = fatal;
  }

  public String wire() {
    return wire;
  }

  public boolean fatal() {
    return fatal;
  }

  /** The code for a wire string, or {@code null} if it is not one of ours (a newer peer's). */
  public static ErrorCode ofWire(String wire) {
    for (ErrorCode c : values()) {
      if (c.wire.equals(wire)) {
        return c;
      }
    }
    return null;
  }
}
