package dev.lattice.crdt.type;

import dev.lattice.crdt.causal.CausalContext;
import dev.lattice.crdt.causal.Dot;

/**
 * A CRDT that can live in a field of an {@link OrMap} or a {@link Document}. Every kind is a
 * causal CRDT: a store of dots plus the context of dots it has observed, so removing a field is
 * itself a delta and a concurrent update survives it.
 */
public sealed interface Field permits LwwRegister, MvRegister, GCounter, PnCounter, OrSet, Flag, OrMap {

  FieldKind kind();

  /** True if the field holds a value, i.e. at least one dot survives. */
  boolean isPresent();

  /** True if this is the bottom of its lattice: no dots held and none observed. */
  boolean isBottom();

  /**
   * The delta that removes everything this value holds, made by mutation {@code dot}. Updates
   * concurrent with it survive; see {@link Document} for the rule.
   */
  Field removal(Dot dot);

  /**
   * The join with a field of the same kind, where each side's context is its stored context
   * widened by an ambient context it does not store (a replica's version vector; see
   * {@link CausalContext}). The result stores the union of the two stored contexts.
   * {@code join(other, NONE, NONE)} is the plain merge.
   *
   * @throws IllegalArgumentException if {@code other} is of another kind
   */
  Field join(Field other, CausalContext ambientMine, CausalContext ambientTheirs);

  /**
   * This field with the context dots that {@code ambient} covers left out, for storage beside a
   * version vector that covers them. Returns the bottom of the kind when nothing is left.
   */
  Field compact(CausalContext ambient);

  /** The bottom value of a kind. */
  static Field bottom(FieldKind kind) {
    return switch (kind) {
      case LWW -> LwwRegister.EMPTY;
      case MVREG -> MvRegister.EMPTY;
      case GCOUNTER -> GCounter.EMPTY;
      case COUNTER -> PnCounter.EMPTY;
      case SET -> OrSet.EMPTY;
      case FLAG -> Flag.EMPTY;
      case MAP -> OrMap.EMPTY;
    };
  }
}
