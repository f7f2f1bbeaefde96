package dev.lattice.edge.http;

/**
 * A REST request was refused. The reason carries the HTTP status and the stable {@code error}
 * code of the JSON body {@code {"error": code, "message": ...}}; authentication failures use
 * {@link dev.lattice.edge.auth.AuthException}'s codes instead.
 */
public final class ApiException extends Exception {

  public enum Reason {
    /** A query parameter is malformed or out of range. */
    BAD_REQUEST(400, "bad-request"),
    /** A collection name or document id breaks the naming rules. */
    INVALID_NAME(400, "invalid-name"),
    /** A {@code since} cursor is not a base64url version vector. */
    BAD_CURSOR(400, "bad-cursor"),
    /** The namespace's schema declares no such collection. */
    UNKNOWN_COLLECTION(404, "unknown-collection"),
    /** No such document, or none the caller may read. */
    NOT_FOUND(404, "not-found"),
    /** The delta log was trimmed below the cursor; only a Merkle repair can catch up from there. */
    NEEDS_REPAIR(409, "needs-repair"),
    /** The node is starting or closing. */
    NOT_READY(503, "not-ready");

    private final int status;
    private final String code;

    Reason(int status, String code) {
      this.status = status;
      this.code = code;
    }

    public int status() {
      return status;
    }

    public String code() {
      return code;
    }
  }

  private final Reason reason;

  public ApiException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
