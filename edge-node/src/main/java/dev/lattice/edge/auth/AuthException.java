package dev.lattice.edge.auth;

/**
 * A credential was refused. The reason's {@link Reason#code() code} is what clients see on the
 * wire (REST error bodies, sync protocol errors); several reasons share a code on purpose, so a
 * caller probing with forged tokens learns no more than "bad token", while the reason and message
 * stay precise in logs and tests.
 */
public final class AuthException extends Exception {

  public enum Reason {
    /** The namespace is not served by this node. */
    UNKNOWN_NAMESPACE("unknown-namespace"),
    /** Not an API key of the namespace and not a well-formed token. */
    MALFORMED_TOKEN("bad-token"),
    /** A well-formed token whose signature does not verify. */
    BAD_SIGNATURE("bad-token"),
    /** A valid token past its expiry. */
    EXPIRED("token-expired"),
    /** A valid token issued for another namespace. */
    WRONG_NAMESPACE("bad-token"),
    /** No credential at all. */
    MISSING("unauthenticated");

    private final String code;

    Reason(String code) {
      this.code = code;
    }

    /** The stable wire code. */
    public String code() {
      return code;
    }
  }

  private final Reason reason;

  public AuthException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  /** The stable wire code, {@code reason().code()}. */
  public String code() {
    return reason.code();
  }
}
