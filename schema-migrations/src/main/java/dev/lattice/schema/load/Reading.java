package dev.lattice.schema.load;

import dev.lattice.schema.SchemaException;
import dev.lattice.schema.SchemaException.Reason;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Typed access to a {@link Node} tree of one file, failing with the node's location. */
final class Reading {
  final String file;

  Reading(String file) {
    this.file = file;
  }

  SchemaException fail(Node at, Reason reason, String detail) {
    return new SchemaException(reason, file, at.line(), at.column(), at.path(), detail);
  }

  Node.MapNode map(Node n) throws SchemaException {
    if (n instanceof Node.MapNode m) {
      return m;
    }
    throw fail(n, Reason.WRONG_TYPE, "expected a mapping, got " + n.shape());
  }

  Node.ListNode list(Node n) throws SchemaException {
    if (n instanceof Node.ListNode l) {
      return l;
    }
    throw fail(n, Reason.WRONG_TYPE, "expected a list, got " + n.shape());
  }

  String string(Node n) throws SchemaException {
    if (n instanceof Node.Scalar s && s.kind() == Node.Scalar.Kind.STRING) {
      return s.text();
    }
    throw fail(n, Reason.WRONG_TYPE, "expected a string, got " + n.shape());
  }

  long integer(Node n) throws SchemaException {
    if (n instanceof Node.Scalar s && s.kind() == Node.Scalar.Kind.INTEGER) {
      try {
        return Long.parseLong(s.text());
      } catch (NumberFormatException e) {
        throw fail(n, Reason.INVALID_VALUE, "integer " + s.text() + " is out of range");
      }
    }
    throw fail(n, Reason.WRONG_TYPE, "expected an integer, got " + n.shape());
  }

  int nonNegativeInt(Node n) throws SchemaException {
    long v = integer(n);
    if (v < 0 || v > Integer.MAX_VALUE) {
      throw fail(n, Reason.INVALID_VALUE, "expected a non-negative int, got " + v);
    }
    return (int) v;
  }

  double number(Node n) throws SchemaException {
    if (n instanceof Node.Scalar s && (s.kind() == Node.Scalar.Kind.INTEGER || s.kind() == Node.Scalar.Kind.FLOAT)) {
      double d = Double.parseDouble(s.text());
      if (!Double.isFinite(d)) {
        throw fail(n, Reason.INVALID_VALUE, "number " + s.text() + " is not finite");
      }
      return d;
    }
    throw fail(n, Reason.WRONG_TYPE, "expected a number, got " + n.shape());
  }

  boolean bool(Node n) throws SchemaException {
    if (n instanceof Node.Scalar s && s.kind() == Node.Scalar.Kind.BOOLEAN) {
      return Boolean.parseBoolean(s.text());
    }
    throw fail(n, Reason.WRONG_TYPE, "expected true or false, got " + n.shape());
  }

  Node required(Node.MapNode m, String key) throws SchemaException {
    Node n = m.entries().get(key);
    if (n == null) {
      throw new SchemaException(Reason.MISSING, file, m.line(), m.column(),
          m.path().isEmpty() ? key : m.path() + "." + key, "'" + key + "' is required");
    }
    return n;
  }

  Optional<Node> optional(Node.MapNode m, String key) {
    return Optional.ofNullable(m.entries().get(key));
  }

  /** Refuses any key not in {@code allowed}: a typo must not silently mean "not set". */
  void onlyKeys(Node.MapNode m, Set<String> allowed) throws SchemaException {
    for (var e : m.entries().entrySet()) {
      if (!allowed.contains(e.getKey())) {
        throw fail(e.getValue(), Reason.UNKNOWN_KEY,
            "unknown key '" + e.getKey() + "'; expected one of " + new TreeSet<>(allowed));
      }
    }
  }

  /** A name of a collection or field: a letter or underscore, then letters, digits, underscores. */
  String name(Node n, String what) throws SchemaException {
    String s = string(n);
    return checkName(n, s, what);
  }

  String checkName(Node at, String s, String what) throws SchemaException {
    if (!s.matches("[A-Za-z_][A-Za-z0-9_]{0,127}")) {
      throw fail(at, Reason.INVALID_VALUE, what + " name '" + s
          + "' must be a letter or '_' followed by up to 127 letters, digits or '_'");
    }
    return s;
  }
}
