package dev.lattice.schema.migrate;

import dev.lattice.crdt.value.Value;
import java.util.Optional;

/**
 * Turns a value of a field's old type into its new type, for a {@code convert} migration step.
 * Found by name: a built-in ({@link BuiltInConverters}), a {@link java.util.ServiceLoader}
 * provider of this interface, or a fully qualified class name with a public no-arg constructor.
 *
 * <p>It must be pure and deterministic: every replica converts the same stored values on its own,
 * and they converge only if they all get the same answer.
 */
public interface ValueConverter {

  /** The name schema files use. */
  String name();

  /** The converted value, or empty if {@code v} has no counterpart in the new type. */
  Optional<Value> convert(Value v);
}
