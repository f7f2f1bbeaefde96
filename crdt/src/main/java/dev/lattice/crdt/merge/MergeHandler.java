package dev.lattice.crdt.merge;

import dev.lattice.crdt.value.Value;

/**
 * The join of a {@code custom} field's values, supplied by the user and named in the schema.
 *
 * <p>{@link #merge} must be a join: commutative, associative and idempotent, pure and total over
 * the values the field may hold. Schema loading runs {@link MergeLaws} over it and refuses a
 * handler that is not. The handler is applied when a {@code custom} field is read or written,
 * never inside a CRDT merge, so a faulty handler cannot make replicas diverge in storage.
 *
 * <p>Implementations are found by name through {@link java.util.ServiceLoader} or by class name.
 */
public interface MergeHandler {

  /** The name the schema uses, e.g. {@code "max"}. */
  String name();

  /** The join of two values. */
  Value merge(Value a, Value b);
}
