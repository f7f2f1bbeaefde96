package dev.lattice.schema;

/**
 * A schema file that cannot be loaded, with where the problem is: the file, the line and column
 * (1-based, from the parser's location; 0 when the problem is the file as a whole) and the path of
 * the offending entry, e.g. {@code collections.notes.fields.title.value.maxLength}.
 *
 * <p>It is checked: a schema is loaded at startup or on deploy, and the caller must decide whether
 * to keep the schema it has or to stop.
 */
public final class SchemaException extends Exception {

  /** What is wrong. One reason per kind of mistake, so tools can react without parsing text. */
  public enum Reason {
    /** The file could not be read. */
    IO,
    /** The file is larger than {@link SchemaLimits#maxFileBytes()}. */
    TOO_LARGE,
    /** Not well-formed YAML or JSON. */
    SYNTAX,
    /** Nesting depth, string length or document length over the parser's limits. */
    LIMIT,
    /** A required entry is missing. */
    MISSING,
    /** An entry the format does not define; usually a typo. */
    UNKNOWN_KEY,
    /** A key appears twice in one mapping. */
    DUPLICATE_KEY,
    /** An entry has the wrong shape: a list where a mapping belongs, a string for a number... */
    WRONG_TYPE,
    /** An entry has the right shape but a value out of its domain. */
    INVALID_VALUE,
    /** A field rule, access rule or manifest entry names a field or collection that is not declared. */
    BAD_REFERENCE,
    /** A custom field names a merge handler that no resolver knows. */
    UNKNOWN_HANDLER,
    /** A custom field's merge handler failed the join laws; the message holds the counterexample. */
    NOT_A_JOIN,
    /** A migration names a converter that no resolver knows. */
    UNKNOWN_CONVERTER,
    /** A migration does not turn the previous version's fields into this version's fields. */
    MIGRATION_MISMATCH,
    /** A name retired by a rename or removal is used again, which would make migration ambiguous. */
    NAME_REUSED,
    /** Versions are not 1, 2, 3... without gaps or repeats, or files disagree on the namespace. */
    VERSION_SEQUENCE
  }

  private final Reason reason;
  private final String file;
  private final int line;
  private final int column;
  private final String path;

  public SchemaException(Reason reason, String file, int line, int column, String path, String detail) {
    super(format(reason, file, line, column, path, detail));
    this.reason = reason;
    this.file = file;
    this.line = line;
    this.column = column;
    this.path = path;
  }

  private static String format(Reason reason, String file, int line, int column, String path, String detail) {
    StringBuilder b = new StringBuilder(file);
    if (line > 0) {
      b.append(':').append(line).append(':').append(column);
    }
    b.append(": ");
    if (path != null && !path.isEmpty()) {
      b.append(path).append(": ");
    }
    return b.append(detail).append(" [").append(reason.name().toLowerCase(java.util.Locale.ROOT)).append(']')
        .toString();
  }

  public Reason reason() {
    return reason;
  }

  /** The file's name as given to the loader. */
  public String file() {
    return file;
  }

  /** 1-based line, or 0 if the problem is not at one place in the file. */
  public int line() {
    return line;
  }

  public int column() {
    return column;
  }

  /** Dotted path of the entry at fault, or empty for the file as a whole. */
  public String path() {
    return path;
  }
}
