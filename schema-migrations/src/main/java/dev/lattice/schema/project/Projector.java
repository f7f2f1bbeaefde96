package dev.lattice.schema.project;

import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.type.Field;
import dev.lattice.crdt.type.FieldKey;
import dev.lattice.crdt.type.LwwRegister;
import dev.lattice.crdt.type.MvRegister;
import dev.lattice.crdt.type.OrMap;
import dev.lattice.crdt.type.OrSet;
import dev.lattice.crdt.value.Value;
import dev.lattice.schema.Claims;
import dev.lattice.schema.CollectionSpec;
import dev.lattice.schema.FieldSpec;
import dev.lattice.schema.RejectedException;
import dev.lattice.schema.RejectedException.Reason;
import dev.lattice.schema.Schema;
import dev.lattice.schema.ValueSchema;
import dev.lattice.schema.access.AccessEvaluator;
import dev.lattice.schema.migrate.Migration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * What the edge calls between its store (always in the newest schema version) and a client on
 * schema version V: {@link #project} on the way out, {@link #lift} on the way in. Both are pure:
 * same inputs, same answer, no I/O, so catch-up, live broadcast and repair give a client the same
 * view of a document.
 */
public final class Projector {
  private final Schema schema;
  private final AccessEvaluator access;
  private final Migration migration;

  public Projector(Schema schema) {
    this.schema = Objects.requireNonNull(schema, "schema");
    this.access = new AccessEvaluator(schema);
    this.migration = new Migration(schema);
  }

  public Schema schema() {
    return schema;
  }

  /** The evaluator projection uses; the edge uses the same one to scope repair. */
  public AccessEvaluator access() {
    return access;
  }

  /** {@link #project(String, String, Document, Document, int, Claims)} of a whole stored state. */
  public Optional<Document> project(String collection, String documentId, Document stored, int version, Claims claims) {
    return project(collection, documentId, stored, stored, version, claims);
  }

  /**
   * What a client on {@code version} with {@code claims} may receive of {@code content}: a stored
   * state (catch-up, repair) or a delta (live broadcast). Access is decided on {@code state}, the
   * stored document after the change, since a delta need not carry the owner or public field.
   *
   * <p>Of the content, only fields that version V declares with the same CRDT kind are kept, under
   * V's names; fields in the replication manifest of the current version or of V are never
   * included, whoever asks (the server included: projection is for clients).
   *
   * @return the projected document, or empty if the user may not read it or V has no such collection
   * @throws RejectedException {@code UPGRADE_REQUIRED} or {@code UNKNOWN_VERSION} for an unusable version
   */
  public Optional<Document> project(String collection, String documentId, Document state, Document content,
      int version, Claims claims) {
    schema.requireUsable(version);
    Optional<CollectionSpec> now = schema.current().collection(collection);
    Optional<CollectionSpec> then = schema.version(version).collection(collection);
    if (now.isEmpty() || then.isEmpty() || !access.canRead(collection, documentId, state, claims)) {
      return Optional.empty();
    }
    OrMap visible = OrMap.EMPTY;
    for (Map.Entry<FieldKey, Field> e : content.fields().entries()) {
      FieldSpec declared = now.get().fields().get(e.getKey().name());
      if (declared != null && declared.type().storage() == e.getKey().kind() && !now.get().isServerOnly(declared.name())) {
        visible = visible.with(e.getKey(), e.getValue());
      }
    }
    Document old = migration.backward(collection, new Document(visible), schema.currentVersion(), version);
    OrMap out = OrMap.EMPTY;
    for (Map.Entry<FieldKey, Field> e : old.fields().entries()) {
      FieldSpec declared = then.get().fields().get(e.getKey().name());
      if (declared != null && declared.type().storage() == e.getKey().kind() && !then.get().isServerOnly(declared.name())) {
        out = out.with(e.getKey(), e.getValue());
      }
    }
    return Optional.of(new Document(out));
  }

  /** A write lifted to the current version, and the fields of it that the current version removed. */
  public record Lifted(Document change, List<String> droppedFields) {
    public Lifted {
      Objects.requireNonNull(change, "change");
      droppedFields = List.copyOf(droppedFields);
    }
  }

  /**
   * A change written by a client on {@code version}, as the current version stores it.
   *
   * <p>Every field entry of the change must be declared by V with the same CRDT kind, must not be
   * server-only, and every value it holds must pass V's value schema; the lifted change must pass
   * the {@link AccessEvaluator}'s write check against {@code current}. Writes to fields that a
   * later version removed are dropped and listed in {@link Lifted#droppedFields()} (so the edge
   * can count them: loss is never silent); an old client keeps working.
   *
   * <p>Nested {@code map} fields are checked by kind only; their contents have no value schema.
   *
   * @param current the stored document in current-version names ({@link Document#EMPTY} if new)
   * @throws RejectedException {@code UPGRADE_REQUIRED}, {@code UNKNOWN_VERSION}, {@code UNKNOWN_COLLECTION},
   *     {@code UNKNOWN_FIELD}, {@code WRONG_TYPE}, {@code VALUE_OUT_OF_BOUNDS} or {@code FORBIDDEN}
   */
  public Lifted lift(String collection, String documentId, Document current, Document change, int version, Claims claims) {
    schema.requireUsable(version);
    CollectionSpec then = schema.version(version).collection(collection).orElseThrow(() -> new RejectedException(
        Reason.UNKNOWN_COLLECTION, collection, documentId, null, "schema version " + version + " has no such collection"));
    CollectionSpec now = schema.current().collection(collection).orElseThrow();
    for (Map.Entry<FieldKey, Field> e : change.fields().entries()) {
      String name = e.getKey().name();
      FieldSpec declared = then.fields().get(name);
      if (declared == null) {
        throw new RejectedException(Reason.UNKNOWN_FIELD, collection, documentId, name,
            "schema version " + version + " declares no such field; it declares " + then.fields().keySet());
      }
      if (declared.type().storage() != e.getKey().kind()) {
        throw new RejectedException(Reason.WRONG_TYPE, collection, documentId, name, "written as "
            + e.getKey().kind().name().toLowerCase(java.util.Locale.ROOT) + " but declared " + declared.type().fileName());
      }
      if (!claims.server() && then.isServerOnly(name)) {
        throw new RejectedException(Reason.FORBIDDEN, collection, documentId, name, "the field is server-only");
      }
      if (declared.value() != null) {
        for (Value v : values(e.getValue())) {
          checkValue(declared.value(), v, collection, documentId, name);
        }
      }
    }
    List<String> dropped = new ArrayList<>();
    Document lifted = migration.forward(collection, change, version, schema.currentVersion(), (field, value) -> {
      throw new RejectedException(Reason.WRONG_TYPE, collection, documentId, field,
          "value " + value + " cannot be converted to the current schema's type");
    });
    if (version < schema.currentVersion()) {
      for (String name : names(change)) {
        if (names(migration.apply(collection, only(change, name), version, schema.currentVersion())).isEmpty()) {
          dropped.add(name);
        }
      }
    }
    for (Map.Entry<FieldKey, Field> e : lifted.fields().entries()) {
      if (!access.canWriteField(now, e.getKey().name(), current, lifted, claims)) {
        throw new RejectedException(Reason.FORBIDDEN, collection, documentId, e.getKey().name(),
            "user '" + claims.userId() + "' may not write this field");
      }
    }
    if (!access.canWrite(collection, documentId, current, lifted, claims)) {
      throw new RejectedException(Reason.FORBIDDEN, collection, documentId, null,
          "user '" + claims.userId() + "' with roles " + claims.roles() + " may not write this document");
    }
    return new Lifted(lifted, dropped);
  }

  private static Document only(Document d, String name) {
    Document out = Document.EMPTY;
    for (Map.Entry<FieldKey, Field> e : d.fields().entries()) {
      if (e.getKey().name().equals(name)) {
        out = out.with(e.getKey(), e.getValue());
      }
    }
    return out;
  }

  private static TreeSet<String> names(Document d) {
    TreeSet<String> out = new TreeSet<>();
    d.fields().entries().forEach(e -> out.add(e.getKey().name()));
    return out;
  }

  private static List<Value> values(Field f) {
    if (f instanceof LwwRegister l) {
      return l.entries().values().stream().map(LwwRegister.Stamped::value).toList();
    }
    if (f instanceof MvRegister m) {
      return List.copyOf(m.entries().values());
    }
    if (f instanceof OrSet s) {
      return s.values();
    }
    return List.of();
  }

  private static void checkValue(ValueSchema schema, Value v, String collection, String documentId, String field) {
    Optional<ValueSchema.Violation> bad = schema.check(v);
    if (bad.isPresent()) {
      Reason r = bad.get().verdict() == ValueSchema.Verdict.WRONG_TYPE ? Reason.WRONG_TYPE : Reason.VALUE_OUT_OF_BOUNDS;
      throw new RejectedException(r, collection, documentId, field, bad.get().detail());
    }
  }
}
