package dev.lattice.schema;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.lattice.crdt.value.Value;
import java.io.IOException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What values a field (or a set's elements) may hold, with bounds. A {@code json} value is a
 * {@link Value.Str} holding JSON text, as {@link Value} documents; it is parsed with the same
 * kind of limits as schema files, since its text comes from clients.
 *
 * @param type the value type
 * @param minLength least string length in chars ({@code string}, {@code json}), or null
 * @param maxLength greatest string length in chars, or null
 * @param pattern a regular expression the whole string must match ({@code string} only), or null
 * @param min least number, inclusive ({@code number}, {@code integer}), or null
 * @param max greatest number, inclusive, or null
 * @param nullable whether {@link Value#NULL} is allowed
 */
public record ValueSchema(
    Type type, Integer minLength, Integer maxLength, Pattern pattern, Double min, Double max, boolean nullable) {

  /** The value types of the file format. */
  public enum Type {
    STRING, NUMBER, INTEGER, BOOLEAN, JSON;

    public String fileName() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Type ofFileName(String name) {
      for (Type t : values()) {
        if (t.fileName().equals(name)) {
          return t;
        }
      }
      return null;
    }
  }

  /** A value against its schema: fine, of the wrong type, or out of bounds. */
  public enum Verdict { OK, WRONG_TYPE, OUT_OF_BOUNDS }

  /** A failed check, with the reason in words that name the value and the bound. */
  public record Violation(Verdict verdict, String detail) {}

  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(64).maxStringLength(1 << 20).maxDocumentLength(1 << 22).build())
      .build();

  public ValueSchema {
    Objects.requireNonNull(type, "type");
  }

  /** A schema of {@code type} with no bounds. */
  public static ValueSchema of(Type type) {
    return new ValueSchema(type, null, null, null, null, null, false);
  }

  public boolean accepts(Value v) {
    return check(v).isEmpty();
  }

  /** Checks {@code v}; empty if it conforms. */
  public Optional<Violation> check(Value v) {
    if (v instanceof Value.Null) {
      return nullable ? Optional.empty() : wrong("null is not allowed");
    }
    switch (type) {
      case BOOLEAN:
        return v instanceof Value.Bool ? Optional.empty() : wrong("expected a boolean, got " + v);
      case INTEGER:
        if (!(v instanceof Value.Int)) {
          return wrong("expected an integer, got " + v);
        }
        return range(((Value.Int) v).value(), v);
      case NUMBER:
        if (v instanceof Value.Int) {
          return range(((Value.Int) v).value(), v);
        }
        if (v instanceof Value.Float) {
          double d = ((Value.Float) v).value();
          if (Double.isNaN(d) || Double.isInfinite(d)) {
            return bounds("expected a finite number, got " + v);
          }
          return range(d, v);
        }
        return wrong("expected a number, got " + v);
      case STRING:
        if (!(v instanceof Value.Str)) {
          return wrong("expected a string, got " + v);
        }
        return length(((Value.Str) v).value()).or(() -> matches(((Value.Str) v).value()));
      case JSON:
        if (!(v instanceof Value.Str)) {
          return wrong("expected JSON text in a string, got " + v);
        }
        String text = ((Value.Str) v).value();
        return length(text).or(() -> wellFormed(text));
      default:
        throw new AssertionError(type);
    }
  }

  private Optional<Violation> range(double d, Value v) {
    if (min != null && d < min) {
      return bounds(v + " is below the minimum " + fmt(min));
    }
    if (max != null && d > max) {
      return bounds(v + " is above the maximum " + fmt(max));
    }
    return Optional.empty();
  }

  private Optional<Violation> length(String s) {
    int n = s.length();
    if (minLength != null && n < minLength) {
      return bounds("length " + n + " is below minLength " + minLength);
    }
    if (maxLength != null && n > maxLength) {
      return bounds("length " + n + " is above maxLength " + maxLength);
    }
    return Optional.empty();
  }

  private Optional<Violation> matches(String s) {
    if (pattern != null && !pattern.matcher(s).matches()) {
      return bounds("\"" + abbreviate(s) + "\" does not match pattern " + pattern.pattern());
    }
    return Optional.empty();
  }

  private static Optional<Violation> wellFormed(String text) {
    try (JsonParser p = JSON.createParser(text)) {
      if (p.nextToken() == null) {
        return wrong("empty JSON text");
      }
      p.skipChildren();
      if (p.nextToken() != null) {
        return wrong("trailing content after the JSON value");
      }
      return Optional.empty();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return wrong("not well-formed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      return wrong("not well-formed JSON: " + e.getMessage());
    }
  }

  private static Optional<Violation> wrong(String detail) {
    return Optional.of(new Violation(Verdict.WRONG_TYPE, detail));
  }

  private static Optional<Violation> bounds(String detail) {
    return Optional.of(new Violation(Verdict.OUT_OF_BOUNDS, detail));
  }

  private static String fmt(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  // Pattern has identity equality; compare by its text so equal files give equal schemas.
  @Override
  public boolean equals(Object o) {
    return o instanceof ValueSchema s && type == s.type && Objects.equals(minLength, s.minLength)
        && Objects.equals(maxLength, s.maxLength) && Objects.equals(min, s.min) && Objects.equals(max, s.max)
        && nullable == s.nullable
        && Objects.equals(pattern == null ? null : pattern.pattern(), s.pattern == null ? null : s.pattern.pattern());
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, minLength, maxLength, min, max, nullable, pattern == null ? null : pattern.pattern());
  }
}
