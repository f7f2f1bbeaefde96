package dev.lattice.crdt.causal;

/** How two version vectors relate: the partial order of causal histories. */
public enum VectorOrdering {
  /** The first covers strictly fewer dots. */
  BEFORE,
  /** The first covers strictly more dots. */
  AFTER,
  EQUAL,
  /** Each covers a dot the other does not. */
  CONCURRENT
}
