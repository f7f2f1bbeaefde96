package dev.lattice.edge.config;

/**
 * The edge configuration could not be read or is invalid. The message names the file and the key
 * (as a dotted path such as {@code limits.maxFrameBytes} or {@code namespaces[1].name}), so the
 * operator can fix it without reading code.
 */
public final class EdgeConfigException extends Exception {

  public enum Reason {
    /** The file could not be read, or a persisted secret could not be read or written. */
    IO,
    /** The file is not well-formed YAML, or is too large or too deeply nested. */
    SYNTAX,
    /** A key that the configuration does not define; a typo must not silently mean "not set". */
    UNKNOWN_KEY,
    /** A required key is absent. */
    MISSING_KEY,
    /** A key holds a value of the wrong type or outside its range. */
    INVALID_VALUE,
    /** A namespace's schema directory could not be loaded. */
    SCHEMA
  }

  private final Reason reason;
  private final String key;

  /**
   * @param key the dotted path of the offending key, or empty for the file as a whole
   */
  public EdgeConfigException(Reason reason, String source, String key, String detail) {
    super(source + (key.isEmpty() ? "" : ": " + key) + ": " + detail);
    this.reason = reason;
    this.key = key;
  }

  public EdgeConfigException(Reason reason, String source, String key, String detail, Throwable cause) {
    this(reason, source, key, detail);
    initCause(cause);
  }

  public Reason reason() {
    return reason;
  }

  /** The dotted path of the offending key, or empty. */
  public String key() {
    return key;
  }
}
