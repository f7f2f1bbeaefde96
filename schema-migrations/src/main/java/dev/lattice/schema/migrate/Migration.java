package dev.lattice.schema.migrate;

import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.type.Field;
import dev.lattice.crdt.type.FieldKey;
import dev.lattice.crdt.type.OrMap;
import dev.lattice.crdt.value.Value;
import dev.lattice.schema.FieldSpec;
import dev.lattice.schema.Schema;
import dev.lattice.schema.SchemaVersion;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Moves documents and deltas between schema versions, field by field, as pure functions.
 *
 * <h2>Why this is safe to run on every replica independently</h2>
 *
 * Each step maps a field entry to at most one entry: a rename changes the key, a removal drops
 * the entry, a conversion maps each value under its dot ({@link Registers}). Such a map commutes
 * with the join of documents ({@code apply(a ⊔ b) = apply(a) ⊔ apply(b)}), so replicas that
 * migrate at different times, or migrate a delta instead of the state it lands in, converge to
 * the same state. Two entries that land on one key (a renamed field and a write a newer client
 * already made under the new name) are joined.
 *
 * <h2>Idempotence</h2>
 *
 * {@link #apply} on a document already in {@code toVersion}'s shape changes nothing, because the
 * loader guarantees that names retired by a rename or removal are never reused and that each field
 * is converted at most once, and a conversion leaves values already accepted by the new value
 * schema alone. So a replica that crashes half-way through migrating its documents can simply run
 * the migration over all of them again.
 *
 * <h2>Adding a field</h2>
 *
 * An {@code add} step writes nothing: the field's {@code default} is what a reader of the new
 * version shows while the field is absent. Materializing defaults would need a dot from no real
 * replica, and a deletion that had not seen it would leave a document holding only defaults.
 */
public final class Migration {

  /** Told about each value a conversion could not carry into the new type. */
  @FunctionalInterface
  public interface Unconvertible {
    /**
     * @param field the field's name in the version being converted from
     * @param value the value that has no counterpart
     */
    void value(String field, Value value);
  }

  private final Schema schema;

  public Migration(Schema schema) {
    this.schema = Objects.requireNonNull(schema, "schema");
  }

  /**
   * A stored document (or a queued delta) of {@code collection} written under version
   * {@code fromVersion}, as version {@code toVersion} stores it. Values a conversion cannot carry
   * over are dropped (the field then reads as its default).
   *
   * @throws IllegalArgumentException if a version is unknown or {@code toVersion < fromVersion}
   */
  public Document apply(String collection, Document document, int fromVersion, int toVersion) {
    return forward(collection, document, fromVersion, toVersion, (f, v) -> { });
  }

  /** {@link #apply} for a queued write: the same function, named for the replica's call site. */
  public Document migrateDelta(String collection, Document delta, int fromVersion, int toVersion) {
    return apply(collection, delta, fromVersion, toVersion);
  }

  /**
   * {@link #apply} that reports each value a conversion drops.
   *
   * @throws IllegalArgumentException if a version is unknown or {@code toVersion < fromVersion}
   */
  public Document forward(String collection, Document document, int fromVersion, int toVersion, Unconvertible onDrop) {
    checkRange(fromVersion, toVersion);
    if (fromVersion == toVersion) {
      return document;
    }
    OrMap out = OrMap.EMPTY;
    for (Map.Entry<FieldKey, Field> e : document.fields().entries()) {
      FieldKey key = e.getKey();
      Field field = e.getValue();
      String original = key.name();
      for (int w = fromVersion + 1; w <= toVersion && key != null; w++) {
        for (MigrationStep step : schema.version(w).steps(collection)) {
          if (key == null) {
            break;
          }
          if (step instanceof MigrationStep.Rename r && key.name().equals(r.from())) {
            key = new FieldKey(r.to(), key.kind());
          } else if (step instanceof MigrationStep.Remove r && key.name().equals(r.field())) {
            key = null;
          } else if (step instanceof MigrationStep.Convert c && key.name().equals(c.field())) {
            FieldSpec before = spec(w - 1, collection, c.field());
            FieldSpec after = spec(w, collection, c.field());
            if (Registers.isRegister(key.kind())
                && (key.kind() == before.type().storage() || key.kind() == after.type().storage())) {
              field = Registers.map(field, after.type().storage(),
                  v -> convert(v, after, c.converter(), () -> onDrop.value(original, v)));
              key = new FieldKey(key.name(), after.type().storage());
            }
          }
        }
      }
      if (key != null) {
        out = out.with(key, field);
      }
    }
    return new Document(out);
  }

  /**
   * A document of the newest version {@code fromVersion} as version {@code toVersion < fromVersion}
   * names it, for projection to an older client: renamed fields get their old names back, fields
   * added since are left out, converted fields go through their inverse (or are left out when the
   * step names none). Entries whose kind the old version would not expect are left out too.
   */
  public Document backward(String collection, Document document, int fromVersion, int toVersion) {
    checkRange(toVersion, fromVersion);
    OrMap out = OrMap.EMPTY;
    for (Map.Entry<FieldKey, Field> e : document.fields().entries()) {
      FieldKey key = e.getKey();
      Field field = e.getValue();
      for (int w = fromVersion; w > toVersion && key != null; w--) {
        List<MigrationStep> steps = schema.version(w).steps(collection);
        for (int i = steps.size() - 1; i >= 0 && key != null; i--) {
          MigrationStep step = steps.get(i);
          if (step instanceof MigrationStep.Add a && key.name().equals(a.field())) {
            key = null;
          } else if (step instanceof MigrationStep.Rename r && key.name().equals(r.to())) {
            key = new FieldKey(r.from(), key.kind());
          } else if (step instanceof MigrationStep.Convert c && key.name().equals(c.field())) {
            FieldSpec before = spec(w - 1, collection, c.field());
            if (c.inverse() == null || !Registers.isRegister(key.kind())) {
              key = null;
            } else {
              field = Registers.map(field, before.type().storage(), v -> convert(v, before, c.inverse(), () -> { }));
              key = new FieldKey(key.name(), before.type().storage());
            }
          }
        }
      }
      if (key != null) {
        out = out.with(key, field);
      }
    }
    return new Document(out);
  }

  /** {@code v} in the target's type: kept if already accepted, else converted, else dropped. */
  private static Optional<Value> convert(Value v, FieldSpec target, ValueConverter converter, Runnable onDrop) {
    if (target.value() == null || target.value().accepts(v)) {
      return Optional.of(v);
    }
    Optional<Value> converted;
    try {
      converted = converter.convert(v);
    } catch (RuntimeException e) {
      // A user converter that throws is treated like one that has no answer: the value is dropped.
      converted = Optional.empty();
    }
    if (converted.isPresent() && target.value().accepts(converted.get())) {
      return converted;
    }
    onDrop.run();
    return Optional.empty();
  }

  private FieldSpec spec(int version, String collection, String field) {
    SchemaVersion v = schema.version(version);
    return v.collection(collection).flatMap(c -> c.field(field)).orElseThrow(() -> new IllegalStateException(
        "loader let through a step on '" + collection + "." + field + "' missing from version " + version));
  }

  private void checkRange(int low, int high) {
    schema.version(low);
    schema.version(high);
    if (high < low) {
      throw new IllegalArgumentException("cannot migrate from version " + low + " down to " + high);
    }
  }
}
