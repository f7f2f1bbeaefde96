package dev.lattice.edge.http;

import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.type.Field;
import dev.lattice.crdt.type.FieldKey;
import dev.lattice.crdt.type.FieldKind;
import dev.lattice.crdt.type.Flag;
import dev.lattice.crdt.type.GCounter;
import dev.lattice.crdt.type.LwwRegister;
import dev.lattice.crdt.type.MvRegister;
import dev.lattice.crdt.type.OrMap;
import dev.lattice.crdt.type.OrSet;
import dev.lattice.crdt.type.PnCounter;
import dev.lattice.crdt.value.Value;
import dev.lattice.schema.CollectionSpec;
import dev.lattice.schema.FieldSpec;
import dev.lattice.schema.FieldType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A document as plain JSON: what a reader sees, without dots, contexts or CRDT machinery. Used by
 * the REST API and the CLI.
 *
 * <p>Each present field becomes one member, by its kind:
 * <table>
 *   <caption>field kinds</caption>
 *   <tr><td>{@code lww}</td><td>the winning value</td></tr>
 *   <tr><td>{@code mvreg}</td><td>an array of the concurrent values, in value order; a
 *       {@code custom} field whose schema is given is folded by its handler to one value</td></tr>
 *   <tr><td>{@code counter}</td><td>a number</td></tr>
 *   <tr><td>{@code set}</td><td>an array of the elements, in value order</td></tr>
 *   <tr><td>{@code flag}</td><td>a boolean</td></tr>
 *   <tr><td>{@code map}</td><td>a nested object, by the same rules</td></tr>
 * </table>
 * Values by kind: null, boolean, integer, float (NaN and infinities, which JSON lacks, as the
 * strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}), string, bytes as standard
 * base64 text, list as array.
 *
 * <p>A schemaless document may hold two fields of one name with different kinds (the name is only
 * half of a field's key). JSON cannot, so when a name occurs more than once every such member is
 * named {@code name@kind} (e.g. {@code score@lww}, {@code score@counter}); otherwise members are
 * named by the field name alone.
 */
public final class DocumentJson {
  private DocumentJson() {}

  /** The visible fields of {@code document}. */
  public static JsonObject render(Document document) {
    return render(document.fields(), Optional.empty());
  }

  /**
   * The visible fields of {@code document}, folding {@code custom} fields with the handlers
   * {@code collection} declares.
   */
  public static JsonObject render(Document document, Optional<CollectionSpec> collection) {
    return render(document.fields(), collection);
  }

  private static JsonObject render(OrMap fields, Optional<CollectionSpec> collection) {
    List<FieldKey> keys = fields.keys();
    Map<String, Integer> uses = new HashMap<>();
    for (FieldKey k : keys) {
      uses.merge(k.name(), 1, Integer::sum);
    }
    JsonObject out = new JsonObject();
    for (FieldKey k : keys) {
      String member = uses.get(k.name()) > 1 ? k.name() + "@" + k.kind().name().toLowerCase(Locale.ROOT) : k.name();
      Optional<FieldSpec> spec = collection.flatMap(c -> c.field(k.name())).filter(f -> f.key().equals(k));
      out.put(member, field(fields.get(k), spec));
    }
    return out;
  }

  /** One field's visible value, as a JSON value (null, Boolean, Number, String, JsonArray, JsonObject). */
  public static Object field(Field field, Optional<FieldSpec> spec) {
    FieldKind kind = field.kind();
    return switch (kind) {
      case LWW -> ((LwwRegister) field).value().map(DocumentJson::value).orElse(null);
      case MVREG -> {
        MvRegister r = (MvRegister) field;
        if (spec.isPresent() && spec.get().type() == FieldType.CUSTOM) {
          yield r.resolve(spec.get().handler()).map(DocumentJson::value).orElse(null);
        }
        yield array(r.values());
      }
      case GCOUNTER -> ((GCounter) field).value();
      case COUNTER -> ((PnCounter) field).value();
      case SET -> array(((OrSet) field).values());
      case FLAG -> ((Flag) field).enabled();
      case MAP -> render((OrMap) field, Optional.empty());
    };
  }

  /** A scalar value as a JSON value. */
  public static Object value(Value v) {
    return switch (v.kind()) {
      case NULL -> null;
      case BOOL -> ((Value.Bool) v).value();
      case INT -> ((Value.Int) v).value();
      case FLOAT -> {
        double d = ((Value.Float) v).value();
        yield Double.isFinite(d) ? (Object) d : Double.toString(d);
      }
      case STRING -> ((Value.Str) v).value();
      case BYTES -> Base64.getEncoder().encodeToString(((Value.Bytes) v).bytes());
      case LIST -> array(((Value.ListValue) v).values());
    };
  }

  private static JsonArray array(List<Value> values) {
    JsonArray out = new JsonArray();
    values.forEach(v -> out.add(value(v)));
    return out;
  }
}
