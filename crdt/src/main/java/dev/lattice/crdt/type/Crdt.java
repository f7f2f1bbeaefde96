package dev.lattice.crdt.type;

/**
 * A state-based CRDT: an immutable value with a join. Mutators return deltas of the same type, and
 * this one {@code merge} joins states and deltas alike.
 *
 * @param <T> the implementing type
 */
public interface Crdt<T extends Crdt<T>> {

  /**
   * The least upper bound of this value and {@code other}: commutative, associative, idempotent,
   * total and pure.
   */
  T merge(T other);
}
