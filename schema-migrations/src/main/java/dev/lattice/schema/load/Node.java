package dev.lattice.schema.load;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed schema file that remembers where each entry was: Jackson's tree model drops
 * locations, and every load error must name its line. A value under a mapping key carries the
 * key's location, which is the line a reader looks for.
 */
sealed interface Node {

  String path();

  int line();

  int column();

  /** A word for the node's shape in messages. */
  String shape();

  record MapNode(String path, int line, int column, Map<String, Node> entries) implements Node {
    public MapNode {
      entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    @Override
    public String shape() {
      return "a mapping";
    }
  }

  record ListNode(String path, int line, int column, List<Node> items) implements Node {
    public ListNode {
      items = List.copyOf(items);
    }

    @Override
    public String shape() {
      return "a list";
    }
  }

  /** A scalar with its token kind; {@code text} is null for YAML/JSON null. */
  record Scalar(String path, int line, int column, Kind kind, String text) implements Node {
    enum Kind { STRING, INTEGER, FLOAT, BOOLEAN, NULL }

    @Override
    public String shape() {
      switch (kind) {
        case STRING:
          return "a string";
        case INTEGER:
          return "an integer";
        case FLOAT:
          return "a number";
        case BOOLEAN:
          return "a boolean";
        default:
          return "null";
      }
    }
  }
}
