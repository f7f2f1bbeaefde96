package dev.lattice.schema.load;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.lattice.schema.SchemaException;
import dev.lattice.schema.SchemaException.Reason;
import dev.lattice.schema.SchemaLimits;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads YAML or JSON into a {@link Node} tree under the {@link SchemaLimits}: the size limit before
 * parsing, Jackson's {@link StreamReadConstraints} during it. JSON is chosen by a {@code .json}
 * file name; everything else is read as YAML.
 */
final class TreeReader {
  private final SchemaLimits limits;
  private final JsonFactory json;
  private final YAMLFactory yaml;

  TreeReader(SchemaLimits limits) {
    this.limits = limits;
    StreamReadConstraints constraints = StreamReadConstraints.builder()
        .maxNestingDepth(limits.maxNestingDepth())
        .maxStringLength(limits.maxStringLength())
        .maxDocumentLength(limits.maxDocumentLength())
        .build();
    this.json = JsonFactory.builder().streamReadConstraints(constraints).build();
    this.yaml = YAMLFactory.builder().streamReadConstraints(constraints).build();
  }

  /** @throws SchemaException TOO_LARGE, SYNTAX or LIMIT, with the parser's location */
  Node read(String file, byte[] content) throws SchemaException {
    if (content.length > limits.maxFileBytes()) {
      throw new SchemaException(Reason.TOO_LARGE, file, 0, 0, "",
          "file is " + content.length + " bytes, over the limit of " + limits.maxFileBytes());
    }
    JsonFactory factory = file.toLowerCase(Locale.ROOT).endsWith(".json") ? json : yaml;
    JsonParser[] open = new JsonParser[1];
    try (JsonParser p = factory.createParser(content)) {
      open[0] = p;
      JsonToken first = p.nextToken();
      if (first == null) {
        throw new SchemaException(Reason.SYNTAX, file, 0, 0, "", "file is empty");
      }
      Node root = value(file, p, "", p.currentTokenLocation());
      JsonToken extra = p.nextToken();
      if (extra != null) {
        JsonLocation at = p.currentTokenLocation();
        throw new SchemaException(Reason.SYNTAX, file, at.getLineNr(), at.getColumnNr(), "",
            "more than one document in the file");
      }
      return root;
    } catch (StreamConstraintsException e) {
      // Constraint errors carry no location; the parser still knows where it stopped.
      JsonLocation at = open[0] == null ? null : open[0].currentLocation();
      if (at != null && at.getLineNr() > 0) {
        throw new SchemaException(Reason.LIMIT, file, at.getLineNr(), Math.max(at.getColumnNr(), 0), "",
            e.getOriginalMessage());
      }
      throw located(Reason.LIMIT, file, e);
    } catch (JsonProcessingException e) {
      throw located(Reason.SYNTAX, file, e);
    } catch (IOException e) {
      throw new SchemaException(Reason.IO, file, 0, 0, "", "cannot read: " + e.getMessage());
    } catch (RuntimeException e) {
      // SnakeYAML reports some limits (aliases, code points) as its own unchecked exceptions.
      throw new SchemaException(Reason.SYNTAX, file, 0, 0, "", "cannot parse: " + e.getMessage());
    }
  }

  private static SchemaException located(Reason reason, String file, JsonProcessingException e) {
    JsonLocation at = e.getLocation();
    int line = at == null ? 0 : Math.max(at.getLineNr(), 0);
    int column = at == null ? 0 : Math.max(at.getColumnNr(), 0);
    return new SchemaException(reason, file, line, column, "", e.getOriginalMessage());
  }

  /** The value at the current token, located at {@code at} (its key's location under a mapping). */
  private Node value(String file, JsonParser p, String path, JsonLocation at) throws IOException, SchemaException {
    int line = at.getLineNr();
    int column = at.getColumnNr();
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT: {
        Map<String, Node> entries = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          JsonLocation keyAt = p.currentTokenLocation();
          String childPath = path.isEmpty() ? key : path + "." + key;
          if (entries.containsKey(key)) {
            throw new SchemaException(Reason.DUPLICATE_KEY, file, keyAt.getLineNr(), keyAt.getColumnNr(), childPath,
                "key '" + key + "' appears twice");
          }
          p.nextToken();
          entries.put(key, value(file, p, childPath, keyAt));
        }
        return new Node.MapNode(path, line, column, entries);
      }
      case START_ARRAY: {
        List<Node> items = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          items.add(value(file, p, path + "[" + items.size() + "]", p.currentTokenLocation()));
        }
        return new Node.ListNode(path, line, column, items);
      }
      case VALUE_STRING:
        return new Node.Scalar(path, line, column, Node.Scalar.Kind.STRING, p.getText());
      case VALUE_NUMBER_INT:
        return new Node.Scalar(path, line, column, Node.Scalar.Kind.INTEGER, p.getText());
      case VALUE_NUMBER_FLOAT:
        return new Node.Scalar(path, line, column, Node.Scalar.Kind.FLOAT, p.getText());
      case VALUE_TRUE:
      case VALUE_FALSE:
        return new Node.Scalar(path, line, column, Node.Scalar.Kind.BOOLEAN, p.getText());
      case VALUE_NULL:
        return new Node.Scalar(path, line, column, Node.Scalar.Kind.NULL, null);
      default:
        throw new SchemaException(Reason.SYNTAX, file, line, column, path, "unexpected " + t);
    }
  }
}
