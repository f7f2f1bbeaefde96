package dev.lattice.crdt.value;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A scalar held by a register or an element of a set: null, boolean, 64-bit integer, double,
 * string, bytes, or a list of values. JSON documents are stored as their text in a {@link Str};
 * nested structure that must merge field by field belongs in an {@code OrMap} instead.
 *
 * <p>Values are totally ordered (kind first, then content) so sets of them have one canonical
 * order, and equality agrees with the canonical encoding: {@code -0.0} and {@code 0.0} differ, all
 * NaNs are equal.
 */
public sealed interface Value extends Comparable<Value> {

  /** The kind, which is also the first byte of the encoding. */
  Kind kind();

  enum Kind {
    NULL(0), BOOL(1), INT(2), FLOAT(3), STRING(4), BYTES(5), LIST(6);

    public final int tag;

    Kind(int tag) {
      this.tag = tag;
    }
  }

  Null NULL = new Null();
  Bool TRUE = new Bool(true);
  Bool FALSE = new Bool(false);

  static Value of(String s) {
    return new Str(s);
  }

  static Value of(long v) {
    return new Int(v);
  }

  static Value of(double v) {
    return new Float(v);
  }

  static Value of(boolean v) {
    return v ? TRUE : FALSE;
  }

  static Value ofBytes(byte[] bytes) {
    return new Bytes(bytes);
  }

  static Value ofList(List<Value> values) {
    return new ListValue(values);
  }

  @Override
  default int compareTo(Value o) {
    int c = Integer.compare(kind().tag, o.kind().tag);
    if (c != 0) {
      return c;
    }
    // Same kind from here on, so the casts below cannot fail.
    return switch (kind()) {
      case NULL -> 0;
      case BOOL -> Boolean.compare(((Bool) this).value(), ((Bool) o).value());
      case INT -> Long.compare(((Int) this).value(), ((Int) o).value());
      case FLOAT -> Double.compare(((Float) this).value(), ((Float) o).value());
      case STRING -> ((Str) this).value().compareTo(((Str) o).value());
      case BYTES -> Arrays.compareUnsigned(((Bytes) this).bytes, ((Bytes) o).bytes);
      case LIST -> compareLists(((ListValue) this).values(), ((ListValue) o).values());
    };
  }

  private static int compareLists(List<Value> a, List<Value> b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      int c = a.get(i).compareTo(b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  record Null() implements Value {
    public Kind kind() {
      return Kind.NULL;
    }

    @Override
    public String toString() {
      return "null";
    }
  }

  record Bool(boolean value) implements Value {
    public Kind kind() {
      return Kind.BOOL;
    }

    @Override
    public String toString() {
      return Boolean.toString(value);
    }
  }

  record Int(long value) implements Value {
    public Kind kind() {
      return Kind.INT;
    }

    @Override
    public String toString() {
      return Long.toString(value);
    }
  }

  /** Equality follows {@link Double#compare}, like the encoding of the raw bits. */
  record Float(double value) implements Value {
    public Kind kind() {
      return Kind.FLOAT;
    }

    @Override
    public String toString() {
      return Double.toString(value);
    }
  }

  record Str(String value) implements Value {
    public Str {
      Objects.requireNonNull(value, "value");
    }

    public Kind kind() {
      return Kind.STRING;
    }

    @Override
    public String toString() {
      return '"' + value + '"';
    }
  }

  /** Bytes, copied in and out so the value stays immutable. */
  final class Bytes implements Value {
    private final byte[] bytes;

    Bytes(byte[] bytes) {
      this.bytes = bytes.clone();
    }

    public byte[] bytes() {
      return bytes.clone();
    }

    public int length() {
      return bytes.length;
    }

    public Kind kind() {
      return Kind.BYTES;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Bytes b && Arrays.equals(bytes, b.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "0x" + HexFormat.of().formatHex(bytes);
    }
  }

  record ListValue(List<Value> values) implements Value {
    public ListValue {
      values = List.copyOf(values);
    }

    public Kind kind() {
      return Kind.LIST;
    }

    @Override
    public String toString() {
      return values.toString();
    }
  }
}
