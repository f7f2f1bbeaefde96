package dev.lattice.replica;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.lattice.crdt.value.Value;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Imports documents from JSON Lines text: one JSON object per line, each written as one document
 * mutation, {@value #BATCH_SIZE} documents per {@link Replica#batch} (one commit each).
 *
 * <pre>{@code
 * {"collection":"tasks","id":"t1","fields":{"title":"Buy milk","votes":3,"done":false}}
 * {"collection":"tasks","id":"t2","fields":{"title":"Call Bob","tags":["home","phone"],"due":null}}
 * }</pre>
 *
 * <h2>A line</h2>
 *
 * An object with exactly three members: {@code collection} (a string, a collection name),
 * {@code id} (a string, a document id) and {@code fields} (an object, possibly empty). Each member
 * of {@code fields} sets a last-writer-wins field of that name (1 to 256 characters) to a
 * {@link Value} that follows the JSON type:
 *
 * <table>
 *   <caption>JSON to {@link Value}</caption>
 *   <tr><th>JSON</th><th>value</th></tr>
 *   <tr><td>string</td><td>{@link Value.Str}</td></tr>
 *   <tr><td>number without fraction or exponent ({@code 3}, {@code -7})</td><td>{@link Value.Int}
 *       (64-bit; a larger integer is refused, never rounded)</td></tr>
 *   <tr><td>any other number ({@code 2.5}, {@code 1e3}, {@code 3.0})</td><td>{@link Value.Float}
 *       (one beyond the range of a double is refused)</td></tr>
 *   <tr><td>{@code true}, {@code false}</td><td>{@link Value.Bool}</td></tr>
 *   <tr><td>{@code null}</td><td>{@link Value#NULL}: the field holds null; it is not removed</td></tr>
 *   <tr><td>array</td><td>{@link Value.ListValue} of the elements, converted by these rules
 *       (arrays may nest)</td></tr>
 *   <tr><td>object</td><td>refused: a field holds a scalar or a list</td></tr>
 * </table>
 *
 * A line changes only the fields it names; other fields of an existing document stay. A line with
 * no fields changes nothing (it still counts as imported). The same id may appear on several
 * lines; each is its own mutation, applied in file order. Lines end with {@code \n} or
 * {@code \r\n}; blank lines are skipped; a byte order mark before the first line is ignored; line
 * numbers count every line from 1, blank ones included.
 *
 * <h2>Batches and failures</h2>
 *
 * The lines are parsed and checked a batch at a time, outside the replica's write lock, and each
 * batch is then written by one {@link Replica#batch} with the given durability. The first bad
 * line stops the import with an {@link ImportException} that names the line and what is wrong.
 * Batches before the one holding the bad line are committed and stay; nothing of that batch is
 * written, not even its good lines before the bad one. {@link ImportException#imported()} says what
 * was imported, so a caller can fix the line and resume after {@code imported().documents()}
 * documents (or simply import the whole file again: re-applying a line sets the same values).
 *
 * <h2>Limits</h2>
 *
 * A line holds at most {@value #MAX_LINE_CHARS} characters, and JSON nests at most
 * {@value #MAX_NESTING} deep (the line object, {@code fields}, then arrays); Jackson's
 * {@link StreamReadConstraints} enforce them while parsing, with duplicate member names refused.
 * Memory is bounded by one batch of lines.
 */
public final class JsonLinesImport {
  /** Documents written per {@link Replica#batch}, that is per commit. */
  public static final int BATCH_SIZE = 1_000;
  /** The longest line accepted, in characters (terminator excluded). */
  public static final int MAX_LINE_CHARS = 1 << 20;
  /** The deepest JSON nesting accepted: the line object is depth 1, {@code fields} 2. */
  public static final int MAX_NESTING = 16;
  /** The longest field name, as {@link DocumentWriter} accepts. */
  private static final int MAX_FIELD_NAME = 256;

  private static final ObjectReader JSON = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(MAX_NESTING)
          .maxStringLength(MAX_LINE_CHARS)
          .maxDocumentLength(MAX_LINE_CHARS)
          .build())
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .readerFor(JsonNode.class);

  /** Jackson's location inside a message, "[Source: REDACTED (...); line: 1, column: 7]": the line is always 1. */
  private static final java.util.regex.Pattern SOURCE_LOCATION =
      java.util.regex.Pattern.compile("\\[Source: .*?; line: \\d+, column: (\\d+)\\]");

  private JsonLinesImport() {}

  /**
   * What an import wrote.
   *
   * @param documents lines imported, each one document mutation (a line with no fields included)
   * @param batches {@link Replica#batch} calls made, each one commit
   */
  public record Report(long documents, long batches) {}

  /**
   * A line could not be imported, or its batch could not be written. Batches before it are
   * committed ({@link #imported()}); nothing of its batch is.
   */
  public static final class ImportException extends RuntimeException {
    /** What is wrong; the message names the value. */
    public enum Reason {
      /** The line is not one JSON object: a syntax error, trailing text, or another JSON type. */
      NOT_JSON,
      /** Longer than {@link #MAX_LINE_CHARS}, nested deeper than {@link #MAX_NESTING}, or a number too long to parse. */
      TOO_LARGE,
      /** {@code collection}, {@code id} or {@code fields} missing or of the wrong JSON type, or another member. */
      BAD_SHAPE,
      /** A collection name, document id or field name that the replica does not accept. */
      INVALID_NAME,
      /** A field value that is an object (also inside an array), an integer beyond 64 bits, or a number beyond a double. */
      UNSUPPORTED_VALUE,
      /** Reading the input failed (an I/O error, or bytes that are not valid in the reader's charset). */
      UNREADABLE,
      /** The replica refused or failed to write the batch (see the cause, a {@link ReplicaException}). */
      REFUSED
    }

    private final Reason reason;
    private final long line;
    private final Report imported;

    ImportException(Reason reason, long line, String what, Report imported, Throwable cause) {
      super("line " + line + ": " + what + " (imported before it: " + imported.documents() + " documents in "
          + imported.batches() + (imported.batches() == 1 ? " batch" : " batches")
          + "; nothing of this line's batch was written)", cause);
      this.reason = reason;
      this.line = line;
      this.imported = imported;
    }

    public Reason reason() {
      return reason;
    }

    /**
     * The line at fault, counting from 1 (blank lines included); for {@link Reason#REFUSED} when
     * the commit itself failed, the first line of the batch.
     */
    public long line() {
      return line;
    }

    /** What the batches before this line's batch wrote, all committed. */
    public Report imported() {
      return imported;
    }
  }

  /**
   * Imports every line of {@code in} into {@code namespace} of {@code replica}; see the class
   * comment for the format. Reads {@code in} to its end but does not close it. With
   * {@link Durability#ASYNC} the batches may not be committed yet when this returns ({@link
   * Replica#flush()} waits for them).
   *
   * @return how many documents and batches were written; both zero for empty input
   * @throws ImportException at the first line that cannot be imported, naming it; the batches
   *     before its batch are committed, nothing of its batch is written
   * @throws ReplicaException INVALID_NAME if {@code namespace} is not a valid name, CLOSED if the
   *     replica is closed (nothing is read then)
   */
  public static Report run(Replica replica, String namespace, Reader in, Durability durability) {
    Objects.requireNonNull(replica, "replica");
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(durability, "durability");
    Namespace target = replica.namespace(namespace);
    Lines lines = new Lines(in);
    Map<String, Collection> collections = new HashMap<>();
    List<Line> pending = new ArrayList<>(BATCH_SIZE);
    long documents = 0;
    long batches = 0;
    while (true) {
      pending.clear();
      Report before = new Report(documents, batches);
      String text;
      while (pending.size() < BATCH_SIZE && (text = lines.next(before)) != null) {
        if (!text.isBlank()) {
          pending.add(parse(lines.number(), text, before));
        }
      }
      if (pending.isEmpty()) {
        return before;
      }
      write(replica, target, collections, pending, durability, before);
      documents += pending.size();
      batches++;
    }
  }

  /** One parsed, checked line. */
  private record Line(long number, String collection, String id, List<Map.Entry<String, Value>> fields) {}

  private static void write(Replica replica, Namespace target, Map<String, Collection> collections, List<Line> batch,
      Durability durability, Report before) {
    long[] current = {batch.get(0).number()};
    try {
      replica.batch(durability, () -> {
        for (Line line : batch) {
          current[0] = line.number();
          Collection c = collections.computeIfAbsent(line.collection(), target::collection);
          c.update(line.id(), doc -> {
            for (Map.Entry<String, Value> f : line.fields()) {
              doc.set(f.getKey(), f.getValue());
            }
          });
        }
        current[0] = batch.get(0).number(); // from here on a failure is the batch's, not a line's
      });
    } catch (ReplicaException e) {
      throw new ImportException(ImportException.Reason.REFUSED, current[0],
          "the replica refused the batch: " + e.reason() + ": " + e.getMessage(), before, e);
    }
  }

  private static Line parse(long number, String text, Report before) {
    JsonNode node;
    try {
      node = JSON.readValue(text);
    } catch (JsonProcessingException e) {
      if (e instanceof StreamConstraintsException || e.getCause() instanceof StreamConstraintsException) {
        StreamConstraintsException limit = e instanceof StreamConstraintsException s ? s
            : (StreamConstraintsException) e.getCause();
        throw new ImportException(ImportException.Reason.TOO_LARGE, number, limit.getOriginalMessage(), before, e);
      }
      String where = e.getLocation() == null ? "" : "column " + e.getLocation().getColumnNr() + ": ";
      throw new ImportException(ImportException.Reason.NOT_JSON, number, "not valid JSON: " + where
          + SOURCE_LOCATION.matcher(e.getOriginalMessage()).replaceAll("column $1"), before, e);
    } catch (IOException e) {
      // Reading a String does no I/O; Jackson declares it anyway.
      throw new ImportException(ImportException.Reason.NOT_JSON, number, "not valid JSON: " + e.getMessage(), before, e);
    }
    if (!node.isObject()) {
      throw bad(ImportException.Reason.NOT_JSON, number, "expected one JSON object, got " + kind(node), before);
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!name.equals("collection") && !name.equals("id") && !name.equals("fields")) {
        throw bad(ImportException.Reason.BAD_SHAPE, number, "unknown member \"" + name
            + "\"; a line has exactly \"collection\", \"id\" and \"fields\"", before);
      }
    }
    String collection = requiredString(node, "collection", number, before);
    String id = requiredString(node, "id", number, before);
    JsonNode fields = node.get("fields");
    if (fields == null || !fields.isObject()) {
      throw bad(ImportException.Reason.BAD_SHAPE, number, fields == null ? "missing \"fields\" (an object)"
          : "\"fields\" must be an object, got " + kind(fields), before);
    }
    try {
      Names.checkIdentifier("collection", collection, Names.MAX_COLLECTION);
      Names.checkDocumentId(id);
    } catch (ReplicaException e) {
      throw bad(ImportException.Reason.INVALID_NAME, number, e.getMessage(), before);
    }
    List<Map.Entry<String, Value>> values = new ArrayList<>(fields.size());
    for (Map.Entry<String, JsonNode> f : fields.properties()) {
      String name = f.getKey();
      if (name.isEmpty() || name.length() > MAX_FIELD_NAME) {
        throw bad(ImportException.Reason.INVALID_NAME, number, "field name must be 1 to " + MAX_FIELD_NAME
            + " characters: \"" + (name.length() > 32 ? name.substring(0, 32) + "..." : name) + "\"", before);
      }
      values.add(Map.entry(name, value(f.getValue(), name, number, before)));
    }
    return new Line(number, collection, id, values);
  }

  private static String requiredString(JsonNode line, String member, long number, Report before) {
    JsonNode v = line.get(member);
    if (v == null || !v.isTextual()) {
      throw bad(ImportException.Reason.BAD_SHAPE, number, v == null ? "missing \"" + member + "\" (a string)"
          : "\"" + member + "\" must be a string, got " + kind(v), before);
    }
    return v.textValue();
  }

  /** The value of field {@code path} (a name, then {@code [i]} per array level). */
  private static Value value(JsonNode node, String path, long number, Report before) {
    switch (node.getNodeType()) {
      case STRING:
        return Value.of(node.textValue());
      case BOOLEAN:
        return Value.of(node.booleanValue());
      case NULL:
        return Value.NULL;
      case NUMBER:
        if (node.isIntegralNumber()) {
          if (!node.canConvertToLong()) {
            throw bad(ImportException.Reason.UNSUPPORTED_VALUE, number, "field \"" + path + "\": integer "
                + node.asText() + " does not fit in 64 bits", before);
          }
          return Value.of(node.longValue());
        }
        double d = node.doubleValue();
        if (!Double.isFinite(d)) {
          throw bad(ImportException.Reason.UNSUPPORTED_VALUE, number, "field \"" + path + "\": number "
              + node.asText() + " is beyond the range of a double", before);
        }
        return Value.of(d);
      case ARRAY:
        List<Value> elements = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
          elements.add(value(node.get(i), path + "[" + i + "]", number, before));
        }
        return Value.ofList(elements);
      default:
        throw bad(ImportException.Reason.UNSUPPORTED_VALUE, number, "field \"" + path + "\" is " + kind(node)
            + "; a field holds a string, number, boolean, null or an array of them", before);
    }
  }

  private static String kind(JsonNode node) {
    return switch (node.getNodeType()) {
      case OBJECT -> "an object";
      case ARRAY -> "an array";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      default -> node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static ImportException bad(ImportException.Reason reason, long number, String what, Report before) {
    return new ImportException(reason, number, what, before, null);
  }

  /**
   * Splits the input into lines of at most {@link #MAX_LINE_CHARS}, reading through its own buffer
   * (a {@code BufferedReader.readLine} would hold a line of any length).
   */
  private static final class Lines {
    private final Reader in;
    private final char[] buffer = new char[8192];
    private final StringBuilder line = new StringBuilder();
    private int pos;
    private int limit;
    private long number;
    private boolean eof;

    Lines(Reader in) {
      this.in = in;
    }

    /** The number of the line last returned. */
    long number() {
      return number;
    }

    /** The next line without its terminator, or null at the end of the input. */
    String next(Report before) {
      if (eof && pos >= limit) {
        return null;
      }
      line.setLength(0);
      long lineNumber = number + 1;
      while (true) {
        if (pos >= limit && !fill(lineNumber, before)) {
          if (line.length() == 0) {
            return null; // the input ended with a terminator (or was empty)
          }
          break;
        }
        int start = pos;
        while (pos < limit && buffer[pos] != '\n') {
          pos++;
        }
        line.append(buffer, start, pos - start);
        if (line.length() > MAX_LINE_CHARS + 1) { // + 1: a '\r' of "\r\n"
          throw bad(ImportException.Reason.TOO_LARGE, lineNumber, "line longer than " + MAX_LINE_CHARS
              + " characters", before);
        }
        if (pos < limit) {
          pos++; // the '\n'
          break;
        }
      }
      number = lineNumber;
      int end = line.length();
      if (end > 0 && line.charAt(end - 1) == '\r') {
        line.setLength(--end);
      }
      if (end > MAX_LINE_CHARS) {
        throw bad(ImportException.Reason.TOO_LARGE, lineNumber, "line longer than " + MAX_LINE_CHARS
            + " characters", before);
      }
      if (lineNumber == 1 && end > 0 && line.charAt(0) == '\uFEFF') {
        return line.substring(1);
      }
      return line.toString();
    }

    private boolean fill(long lineNumber, Report before) {
      if (eof) {
        return false;
      }
      try {
        int n;
        do {
          n = in.read(buffer);
        } while (n == 0);
        if (n < 0) {
          eof = true;
          pos = limit = 0;
          return false;
        }
        pos = 0;
        limit = n;
        return true;
      } catch (IOException e) {
        throw new ImportException(ImportException.Reason.UNREADABLE, lineNumber, "cannot read the input: " + e,
            before, e);
      }
    }
  }
}
