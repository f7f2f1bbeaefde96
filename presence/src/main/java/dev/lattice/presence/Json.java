package dev.lattice.presence;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.lattice.presence.PresenceException.Reason;
import java.io.IOException;
import java.io.StringWriter;

/**
 * JSON helpers shared by the hub and the codec: a parser factory under limits, a compact copy of a
 * value that keeps numbers exactly as written, and string quoting for hand-written output.
 *
 * <p>The copy refuses unpaired surrogates: Java strings can hold them (from {@code "\ud800"}), but
 * UTF-8 cannot, and the edge's encoder would silently turn them into {@code ?}.
 */
final class Json {
  private Json() {}

  /** A factory whose parsers enforce the given bounds and refuse duplicate keys. */
  static JsonFactory factory(int maxDepth, int maxLength) {
    return JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(maxDepth)
            .maxStringLength(maxLength)
            .maxNameLength(maxLength)
            .maxNumberLength(Math.min(maxLength, 1000))
            .maxDocumentLength(maxLength)
            .build())
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();
  }

  /**
   * Copies the value at the parser's current token (a START_OBJECT here) to compact text and leaves
   * the parser on its last token.
   */
  static String copyCompact(JsonFactory factory, JsonParser p, String room) throws IOException, PresenceException {
    StringWriter out = new StringWriter(64);
    try (JsonGenerator g = factory.createGenerator(out)) {
      int depth = 0;
      JsonToken t = p.currentToken();
      while (true) {
        switch (t) {
          case START_OBJECT:
            g.writeStartObject();
            depth++;
            break;
          case END_OBJECT:
            g.writeEndObject();
            depth--;
            break;
          case START_ARRAY:
            g.writeStartArray();
            depth++;
            break;
          case END_ARRAY:
            g.writeEndArray();
            depth--;
            break;
          case FIELD_NAME:
            g.writeFieldName(paired(p.currentName(), room));
            break;
          case VALUE_STRING:
            g.writeString(paired(p.getText(), room));
            break;
          case VALUE_NUMBER_INT:
          case VALUE_NUMBER_FLOAT:
            // Verbatim: re-encoding through double would change 0.1000 or 1e400.
            g.writeNumber(p.getText());
            break;
          case VALUE_TRUE:
            g.writeBoolean(true);
            break;
          case VALUE_FALSE:
            g.writeBoolean(false);
            break;
          case VALUE_NULL:
            g.writeNull();
            break;
          default:
            throw new PresenceException(Reason.MALFORMED, room, "unexpected JSON token " + t);
        }
        if (depth == 0) {
          break;
        }
        t = p.nextToken();
        if (t == null) {
          throw new PresenceException(Reason.MALFORMED, room, "JSON ends inside the state");
        }
      }
    }
    return out.toString();
  }

  private static String paired(String s, String room) throws PresenceException {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new PresenceException(Reason.MALFORMED, room,
            "string holds an unpaired surrogate \\u" + Integer.toHexString(c) + " at index " + i);
      }
    }
    return s;
  }

  /** The UTF-8 length of {@code s}; an unpaired surrogate counts 3 bytes, as a lenient encoder would write it. */
  static int utf8Length(String s) {
    return utf8Length(s, 0, s.length());
  }

  /** {@link #utf8Length(String)} of {@code s.substring(from, to)}, without the substring. */
  static int utf8Length(String s, int from, int to) {
    int n = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  /** The parser's complaint without Jackson's source excerpt. */
  static String describe(JsonProcessingException e) {
    String m = e.getOriginalMessage();
    if (e instanceof StreamConstraintsException) {
      return "over a parser limit: " + m;
    }
    if (e.getLocation() != null && e.getLocation().getColumnNr() > 0) {
      return "not JSON at column " + e.getLocation().getColumnNr() + ": " + m;
    }
    return "not JSON: " + m;
  }

  /** Appends {@code s} as a JSON string literal: quotes, backslash and control characters escaped. */
  static void quote(StringBuilder b, String s) {
    b.append('"');
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String esc = null;
      if (c == '"') {
        esc = "\\\"";
      } else if (c == '\\') {
        esc = "\\\\";
      } else if (c < 0x20 || Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
          continue;
        }
        // Control characters and unpaired surrogates as \\u escapes: valid JSON, and lossless where
        // the raw char would not survive UTF-8.
        esc = String.format("\\u%04x", (int) c);
      }
      if (esc != null) {
        b.append(s, start, i).append(esc);
        start = i + 1;
      }
    }
    b.append(s, start, s.length()).append('"');
  }
}
