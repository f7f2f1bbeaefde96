package dev.lattice.bench.peers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** One line the Node script prints in serve mode: a result, or the end of a command's output. */
public sealed interface NodeOutput {
  ObjectMapper JSON = new ObjectMapper();

  /** A result line. */
  record Result(ResultLine line) implements NodeOutput {}

  /** {@code {"done":true}}: the command's output is complete. */
  record Done() implements NodeOutput {}

  /**
   * Parses one line.
   *
   * @throws IllegalArgumentException if the line is not JSON, or is neither a done marker nor an
   *     object with the five fields of a result line (string name, metric and unit, object params,
   *     number or null value); the message quotes the line
   */
  static NodeOutput parse(String line) {
    JsonNode root;
    try {
      root = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw bad(line, "not JSON (" + e.getOriginalMessage() + ")");
    }
    if (root == null || !root.isObject()) {
      throw bad(line, "not a JSON object");
    }
    if (root.has("done")) {
      return new Done();
    }
    JsonNode params = root.get("params");
    if (params == null || !params.isObject()) {
      throw bad(line, "'params' is not an object");
    }
    Map<String, Object> p = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = params.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      if (v.isIntegralNumber()) {
        p.put(e.getKey(), v.asLong());
      } else if (v.isNumber()) {
        p.put(e.getKey(), v.asDouble());
      } else if (v.isTextual()) {
        p.put(e.getKey(), v.asText());
      } else {
        throw bad(line, "param '" + e.getKey() + "' is neither a number nor a string");
      }
    }
    JsonNode value = root.get("value");
    if (value == null || !(value.isNumber() || value.isNull())) {
      throw bad(line, "'value' is neither a number nor null");
    }
    return new Result(new ResultLine(text(root, "name", line), p, text(root, "metric", line),
        value.isNull() ? Double.NaN : value.asDouble(), text(root, "unit", line)));
  }

  private static String text(JsonNode root, String field, String line) {
    JsonNode n = root.get(field);
    if (n == null || !n.isTextual()) {
      throw bad(line, "'" + field + "' is not a string");
    }
    return n.asText();
  }

  private static IllegalArgumentException bad(String line, String why) {
    String shown = line.length() > 200 ? line.substring(0, 200) + "..." : line;
    return new IllegalArgumentException("bad line from the Node script: " + why + ": " + shown);
  }
}
