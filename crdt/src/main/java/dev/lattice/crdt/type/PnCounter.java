package dev.lattice.crdt.type;

import dev.lattice.crdt.causal.CausalContext;
import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.DotKernel;
import dev.lattice.crdt.causal.VersionVector;
import java.util.Collections;
import java.util.List;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A counter that goes up and down: like {@link GCounter}, one cumulative entry per replica, here
 * holding that replica's increments and decrements apart so each only grows. Removal and retries
 * behave as in {@link GCounter}.
 */
public final class PnCounter implements Crdt<PnCounter>, Field {

  public static final PnCounter EMPTY = new PnCounter(DotKernel.none(), VersionVector.EMPTY, true);

  /** One replica's totals so far. */
  public record Contribution(long up, long down) {
    public Contribution {
      if (up < 0 || down < 0) {
        throw new IllegalArgumentException("counter contribution is negative: up " + up + ", down " + down);
      }
    }
  }

  private final NavigableMap<Dot, Contribution> entries;
  private final VersionVector context;

  /** A counter of these entries and context; the map is copied. */
  public PnCounter(NavigableMap<Dot, Contribution> entries, VersionVector context) {
    this(Collections.unmodifiableNavigableMap(new TreeMap<>(entries)), context, true);
  }

  /** Takes {@code entries} as is: unmodifiable and held by no one else, as {@link DotKernel} builds them. */
  private PnCounter(NavigableMap<Dot, Contribution> entries, VersionVector context, boolean owned) {
    this.entries = entries;
    this.context = Objects.requireNonNull(context, "context");
  }

  public NavigableMap<Dot, Contribution> entries() {
    return entries;
  }

  /** The dots this value has observed. */
  public VersionVector context() {
    return context;
  }

  /**
   * The delta that adds {@code amount} (negative to subtract) on behalf of {@code dot}'s replica.
   *
   * @throws ArithmeticException if the replica's totals would overflow a long
   */
  public PnCounter increment(long amount, Dot dot) {
    List<Dot> own = Counters.ownDots(entries, dot.replica());
    long up = 0;
    long down = 0;
    for (Dot d : own) {
      up = Math.addExact(up, entries.get(d).up());
      down = Math.addExact(down, entries.get(d).down());
    }
    if (amount >= 0) {
      up = Math.addExact(up, amount);
    } else {
      down = Math.addExact(down, Math.negateExact(amount));
    }
    return new PnCounter(DotKernel.single(dot, new Contribution(up, down)), DotKernel.contextOf(own, dot), true);
  }

  /**
   * Increments minus decrements.
   *
   * @throws ArithmeticException if the totals overflow a long
   */
  public long value() {
    long sum = 0;
    for (Contribution c : entries.values()) {
      sum = Math.addExact(sum, Math.subtractExact(c.up(), c.down()));
    }
    return sum;
  }

  @Override
  public PnCounter merge(PnCounter other) {
    return join(other, CausalContext.NONE, CausalContext.NONE);
  }

  @Override
  public FieldKind kind() {
    return FieldKind.COUNTER;
  }

  @Override
  public boolean isPresent() {
    return !entries.isEmpty();
  }

  @Override
  public boolean isBottom() {
    return entries.isEmpty() && context.isEmpty();
  }

  @Override
  public PnCounter removal(Dot dot) {
    return new PnCounter(DotKernel.none(), DotKernel.contextOf(entries.keySet(), dot), true);
  }

  @Override
  public PnCounter join(Field other, CausalContext ambientMine, CausalContext ambientTheirs) {
    PnCounter o = Fields.same(this, other, PnCounter.class);
    CausalContext mine = CausalContext.union(context, ambientMine);
    CausalContext theirs = CausalContext.union(o.context, ambientTheirs);
    return new PnCounter(DotKernel.join(entries, mine, o.entries, theirs), context.merge(o.context), true);
  }

  @Override
  public PnCounter compact(CausalContext ambient) {
    VersionVector residual = context.minus(ambient);
    return entries.isEmpty() && residual.isEmpty() ? EMPTY : new PnCounter(entries, residual, true);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PnCounter x && entries.equals(x.entries) && context.equals(x.context);
  }

  @Override
  public int hashCode() {
    return 31 * entries.hashCode() + context.hashCode();
  }

  @Override
  public String toString() {
    return "PnCounter[entries=" + entries + ", context=" + context + "]";
  }
}
