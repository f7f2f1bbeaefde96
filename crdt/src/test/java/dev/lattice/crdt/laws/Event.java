package dev.lattice.crdt.laws;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.VersionVector;

/**
 * An operation as it happened: its dot, its HLC, and {@code seen}, the dots its replica had
 * received (its own included) just before it. {@code a} was observed by {@code b} exactly when
 * {@code b.seen} covers {@code a.dot}: the relation the specifications are written in.
 */
record Event(Op op, Dot dot, long hlc, VersionVector seen) {

  boolean observedBy(Event later) {
    return later.seen.covers(dot);
  }

  @Override
  public String toString() {
    return dot + "@" + hlc + " " + op + " seen " + seen;
  }
}
