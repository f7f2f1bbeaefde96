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
 * A grow-only counter. Each replica's contribution is held under the dot of its latest increment,
 * which observes (and so replaces) that replica's previous dot: the classic per-replica maximum,
 * expressed as a dot store so the counter can be removed and re-created inside a map (Almeida et
 * al., section 7.1). A retried increment carries the same dot and counts once.
 *
 * <p>Removal resets what it observed. A replica that increments concurrently with a removal keeps
 * its whole contribution, since that contribution is one cumulative entry.
 */
public final class GCounter implements Crdt<GCounter>, Field {

  public static final GCounter EMPTY = new GCounter(DotKernel.none(), VersionVector.EMPTY, true);

  private final NavigableMap<Dot, Long> entries;
  private final VersionVector context;

  /** A counter of these entries and context; the map is copied. */
  public GCounter(NavigableMap<Dot, Long> entries, VersionVector context) {
    this(Collections.unmodifiableNavigableMap(new TreeMap<>(entries)), context, true);
    for (long v : this.entries.values()) {
      if (v < 0) {
        throw new IllegalArgumentException("grow-only counter entry is negative: " + v);
      }
    }
  }

  /** Takes {@code entries} as is: unmodifiable and held by no one else, as {@link DotKernel} builds them. */
  private GCounter(NavigableMap<Dot, Long> entries, VersionVector context, boolean owned) {
    this.entries = entries;
    this.context = Objects.requireNonNull(context, "context");
  }

  public NavigableMap<Dot, Long> entries() {
    return entries;
  }

  /** The dots this value has observed. */
  public VersionVector context() {
    return context;
  }

  /**
   * The delta that adds {@code amount} on behalf of {@code dot}'s replica.
   *
   * @throws IllegalArgumentException if {@code amount} is negative
   * @throws ArithmeticException if the replica's contribution would overflow a long
   */
  public GCounter increment(long amount, Dot dot) {
    if (amount < 0) {
      throw new IllegalArgumentException("grow-only counter cannot add " + amount);
    }
    List<Dot> own = Counters.ownDots(entries, dot.replica());
    long current = own.stream().mapToLong(entries::get).sum();
    return new GCounter(DotKernel.single(dot, Math.addExact(current, amount)),
        DotKernel.contextOf(own, dot), true);
  }

  /**
   * The sum of every replica's contribution.
   *
   * @throws ArithmeticException if the sum overflows a long
   */
  public long value() {
    long sum = 0;
    for (long v : entries.values()) {
      sum = Math.addExact(sum, v);
    }
    return sum;
  }

  @Override
  public GCounter merge(GCounter other) {
    return join(other, CausalContext.NONE, CausalContext.NONE);
  }

  @Override
  public FieldKind kind() {
    return FieldKind.GCOUNTER;
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
  public GCounter removal(Dot dot) {
    return new GCounter(DotKernel.none(), DotKernel.contextOf(entries.keySet(), dot), true);
  }

  @Override
  public GCounter join(Field other, CausalContext ambientMine, CausalContext ambientTheirs) {
    GCounter o = Fields.same(this, other, GCounter.class);
    CausalContext mine = CausalContext.union(context, ambientMine);
    CausalContext theirs = CausalContext.union(o.context, ambientTheirs);
    return new GCounter(DotKernel.join(entries, mine, o.entries, theirs), context.merge(o.context), true);
  }

  @Override
  public GCounter compact(CausalContext ambient) {
    VersionVector residual = context.minus(ambient);
    return entries.isEmpty() && residual.isEmpty() ? EMPTY : new GCounter(entries, residual, true);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GCounter x && entries.equals(x.entries) && context.equals(x.context);
  }

  @Override
  public int hashCode() {
    return 31 * entries.hashCode() + context.hashCode();
  }

  @Override
  public String toString() {
    return "GCounter[entries=" + entries + ", context=" + context + "]";
  }
}
