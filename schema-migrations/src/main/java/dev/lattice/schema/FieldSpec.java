package dev.lattice.schema;

import dev.lattice.crdt.merge.MergeHandler;
import dev.lattice.crdt.type.FieldKey;
import dev.lattice.crdt.value.Value;
import dev.lattice.schema.access.Rule;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One declared field of a collection in one schema version.
 *
 * @param name the field's name in this version
 * @param type its CRDT
 * @param handler the merge handler of a {@code custom} field (checked to be a join), else null
 * @param value the value schema of a register's values or a set's elements, or null for any value
 * @param defaultValue what a reader of this version sees while the field is absent, or null. It is
 *     a read-time default, like protobuf's: it is not written into stored documents, so it needs no
 *     dot and cannot resurrect a deleted document.
 * @param writeRules who may write this field; null means the collection's write rules
 */
public record FieldSpec(
    String name, FieldType type, MergeHandler handler, ValueSchema value, Value defaultValue, List<Rule> writeRules) {

  public FieldSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    if ((type == FieldType.CUSTOM) != (handler != null)) {
      throw new IllegalArgumentException("field '" + name + "': a handler is required for custom fields and only for them");
    }
    writeRules = writeRules == null ? null : List.copyOf(writeRules);
  }

  /** The key the field is stored under. */
  public FieldKey key() {
    return new FieldKey(name, type.storage());
  }

  public Optional<ValueSchema> valueSchema() {
    return Optional.ofNullable(value);
  }

  /** Same type and value schema (and handler name): the stored form needs no conversion. */
  public boolean sameShape(FieldSpec other) {
    return type == other.type && Objects.equals(value, other.value)
        && Objects.equals(handler == null ? null : handler.name(), other.handler == null ? null : other.handler.name());
  }
}
