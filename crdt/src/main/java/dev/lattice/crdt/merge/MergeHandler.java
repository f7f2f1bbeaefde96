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

  /** The join of two canonical values. */
  Value merge(Value a, Value b);

  /**
   * The representative of {@code v} in the handler's domain, applied to every value before it is
   * written or checked. A set-like handler sorts and deduplicates here, so that its join is
   * idempotent on what is stored. The default is the value itself.
   */
  default Value canonical(Value v) {
    return v;
  }
}
