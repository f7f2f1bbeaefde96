package dev.lattice.crdt.laws;

import dev.lattice.crdt.causal.CausalContext;
import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.type.Field;
import dev.lattice.crdt.type.Crdt;
import java.util.List;
import java.util.SplittableRandom;

/**
 * How one CRDT type plugs into the law suite: random operations, their deltas, what a reader
 * sees, and a specification of what a reader must see after a history, written over the history
 * alone (which operation observed which) and never over the CRDT's internals.
 */
interface TypeModel<T extends Crdt<T>> {

  String name();

  T empty();

  /** An operation that makes sense for a replica holding {@code state}. */
  Op randomOp(SplittableRandom random, T state);

  /** The delta of {@code op} made at {@code state} by mutation {@code dot} at time {@code hlc}. */
  T delta(T state, Op op, Dot dot, long hlc);

  /** What a reader observes, as plain values comparable with {@link #spec}. */
  Object read(T state);

  /** What a reader must observe once every event of {@code history} has been delivered. */
  Object spec(List<Event> history);

  /** The form a replica stores beside its version vector {@code vector}. */
  @SuppressWarnings("unchecked")
  default T compact(T value, VersionVector vector) {
    if (value instanceof Document d) {
      return (T) d.compact(vector);
    }
    return (T) ((Field) value).compact(vector);
  }

  /** The join of two stored values, each widened by its ambient context. */
  @SuppressWarnings("unchecked")
  default T joinStored(T a, CausalContext ambientA, T b, CausalContext ambientB) {
    if (a instanceof Document d) {
      return (T) d.join((Document) b, ambientA, ambientB);
    }
    return (T) ((Field) a).join((Field) b, ambientA, ambientB);
  }
}
