package dev.lattice.crdt.type;

import dev.lattice.crdt.causal.CausalContext;
import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.DotKernel;
import dev.lattice.crdt.causal.VersionVector;
import java.util.Collections;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.TreeSet;

/**
 * An enable-wins flag (Almeida et al., "EWFlag"): enabling adds a dot, disabling removes the dots
 * it observed, so an enable concurrent with a disable survives it.
 */
public record Flag(NavigableSet<Dot> dots, VersionVector context) implements Crdt<Flag>, Field {

  public static final Flag EMPTY = new Flag(Collections.emptyNavigableSet(), VersionVector.EMPTY);

  public Flag {
    dots = Collections.unmodifiableNavigableSet(new TreeSet<>(dots));
    Objects.requireNonNull(context, "context");
  }

  public boolean enabled() {
    return !dots.isEmpty();
  }

  public Flag enable(Dot dot) {
    TreeSet<Dot> one = new TreeSet<>();
    one.add(dot);
    return new Flag(one, DotKernel.contextOf(dots, dot));
  }

  public Flag disable(Dot dot) {
    return new Flag(Collections.emptyNavigableSet(), DotKernel.contextOf(dots, dot));
  }

  @Override
  public Flag merge(Flag other) {
    return join(other, CausalContext.NONE, CausalContext.NONE);
  }

  @Override
  public FieldKind kind() {
    return FieldKind.FLAG;
  }

  @Override
  public boolean isPresent() {
    return !dots.isEmpty();
  }

  @Override
  public boolean isBottom() {
    return dots.isEmpty() && context.isEmpty();
  }

  @Override
  public Flag removal(Dot dot) {
    return disable(dot);
  }

  @Override
  public Flag join(Field other, CausalContext ambientMine, CausalContext ambientTheirs) {
    Flag o = Fields.same(this, other, Flag.class);
    CausalContext mine = CausalContext.union(context, ambientMine);
    CausalContext theirs = CausalContext.union(o.context, ambientTheirs);
    return new Flag(DotKernel.join(dots, mine, o.dots, theirs), context.merge(o.context));
  }

  @Override
  public Flag compact(CausalContext ambient) {
    VersionVector residual = context.minus(ambient);
    return dots.isEmpty() && residual.isEmpty() ? EMPTY : new Flag(dots, residual);
  }
}
