package dev.lattice.merkle.sync;

/** The peer broke the reconciliation protocol. The session cannot continue. */
public final class ReconcileException extends Exception {
  private static final long serialVersionUID = 1L;

  /** What the peer did wrong. Stable names: they travel as error codes. */
  public enum Reason {
    /** A message arrived when none was expected, or of the wrong type for this point. */
    UNEXPECTED_MESSAGE,
    /** The peer's tree parameters (leaf capacity) differ from ours. */
    PARAMETERS_MISMATCH,
    /** The requested scope is not within what this side allows. */
    SCOPE_NOT_ALLOWED,
    /** A view or verdict names a path that answers nothing we sent. */
    UNEXPECTED_PATH,
    /** A view of a kind that cannot answer what we sent at that path. */
    UNEXPECTED_VIEW,
    /** Two answers for one path, or a node answered both directly and through its children. */
    DUPLICATE_ANSWER,
    /** A leaf or empty view we sent got no verdict. */
    MISSING_VERDICT,
    /** A verdict's statuses do not match the entries it answers, or hold an unknown value. */
    BAD_STATUSES,
    /** A key is not placed under the path it was sent for. */
    ENTRY_OUTSIDE_PATH,
    /** Keys are not strictly increasing. */
    NOT_CANONICAL,
    /** The peer claims only it has a key that we sent it. */
    INCONSISTENT_VERDICT
  }

  private final Reason reason;

  public ReconcileException(Reason reason, String message) {
    super(reason + ": " + message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
