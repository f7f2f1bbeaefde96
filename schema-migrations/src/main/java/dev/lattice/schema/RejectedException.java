package dev.lattice.schema;

import java.util.Locale;

/**
 * A projection or write that the schema refuses: the edge answers the client with
 * {@link Reason#code()} and the message, and stores nothing.
 */
public final class RejectedException extends RuntimeException {

  /** Why, with the stable wire code the edge sends. */
  public enum Reason {
    /** The client's schema version is below the configured minimum, or above the newest known. */
    UPGRADE_REQUIRED,
    /** The client names a version the namespace never had. */
    UNKNOWN_VERSION,
    /** The collection is not declared in the client's version. */
    UNKNOWN_COLLECTION,
    /** The write touches a field the client's version does not declare. */
    UNKNOWN_FIELD,
    /** The user may not write this document or field, or the field is server-only. */
    FORBIDDEN,
    /** The field holds another CRDT kind, or a value of another type, than the schema declares. */
    WRONG_TYPE,
    /** A value of the right type breaks a bound of the value schema (length, range, pattern). */
    VALUE_OUT_OF_BOUNDS;

    /** The stable wire code, e.g. {@code upgrade-required}. */
    public String code() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  private final Reason reason;
  private final String collection;
  private final String documentId;
  private final String field;

  public RejectedException(Reason reason, String collection, String documentId, String field, String detail) {
    super(reason.code() + ": " + where(collection, documentId, field) + detail);
    this.reason = reason;
    this.collection = collection;
    this.documentId = documentId;
    this.field = field;
  }

  private static String where(String collection, String documentId, String field) {
    StringBuilder b = new StringBuilder();
    if (collection != null) {
      b.append(collection);
      if (documentId != null) {
        b.append('/').append(documentId);
      }
      if (field != null) {
        b.append(" field '").append(field).append('\'');
      }
      b.append(": ");
    }
    return b.toString();
  }

  public Reason reason() {
    return reason;
  }

  /** The collection, or null when the whole request is refused (e.g. its version). */
  public String collection() {
    return collection;
  }

  public String documentId() {
    return documentId;
  }

  /** The field at fault, in the client's version's names, or null. */
  public String field() {
    return field;
  }
}
