package dev.lattice.crdt.type;

import dev.lattice.crdt.causal.CausalContext;
import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.DotKernel;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.value.Value;
import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A last-writer-wins register ordered by hybrid logical clock, the default field type.
 *
 * <p>It is built as a multi-value register whose reader picks one winner: each assignment is a
 * dot mapped to {@code (hlc, value)}, and removes the dots it observed. Concurrent assignments
 * therefore both stay in the state until the next assignment observes them, and the value read is
 * the one with the greatest {@code (hlc, replica id, seq)}, a total order. Keeping the losers
 * costs one entry per concurrent writer, and it buys an exact observed-remove: deleting the field
 * removes what the deleter saw, while an assignment concurrent with the delete survives (see
 * {@link Document}).
 */
public final class LwwRegister implements Crdt<LwwRegister>, Field {

  public static final LwwRegister EMPTY = new LwwRegister(DotKernel.none(), VersionVector.EMPTY, true);

  /** The order that decides the winner: timestamp, then replica id, then sequence. */
  public static final Comparator<Map.Entry<Dot, Stamped>> WRITE_ORDER =
      Comparator.<Map.Entry<Dot, Stamped>>comparingLong(e -> e.getValue().hlc())
          .thenComparing(Map.Entry::getKey);

  /** One assignment: its HLC timestamp and value. */
  public record Stamped(long hlc, Value value) {
    public Stamped {
      Objects.requireNonNull(value, "value");
    }
  }

  private final NavigableMap<Dot, Stamped> entries;
  private final VersionVector context;

  /** A register of these entries and context; the map is copied. */
  public LwwRegister(NavigableMap<Dot, Stamped> entries, VersionVector context) {
    this(Collections.unmodifiableNavigableMap(new TreeMap<>(entries)), context, true);
  }

  /**
   * Takes {@code entries} as is: it must be unmodifiable and held by no one else, as the maps
   * {@link DotKernel} returns are. Joins and mutators build registers this way, so the register
   * on the hot path of every field write is not copied twice.
   */
  private LwwRegister(NavigableMap<Dot, Stamped> entries, VersionVector context, boolean owned) {
    this.entries = entries;
    this.context = Objects.requireNonNull(context, "context");
  }

  /** Each surviving assignment under its dot. */
  public NavigableMap<Dot, Stamped> entries() {
    return entries;
  }

  /** The dots this register has observed. */
  public VersionVector context() {
    return context;
  }

  /** The delta that sets the register to {@code value} at {@code hlc}, made by mutation {@code dot}. */
  public LwwRegister assign(Value value, long hlc, Dot dot) {
    return new LwwRegister(DotKernel.single(dot, new Stamped(hlc, value)),
        DotKernel.contextOf(entries.keySet(), dot), true);
  }

  /** The winning value, if any assignment survives. */
  public Optional<Value> value() {
    return winner().map(e -> e.getValue().value());
  }

  /** The winning entry: its dot says who wrote it, its stamp when. */
  public Optional<Map.Entry<Dot, Stamped>> winner() {
    return entries.entrySet().stream().max(WRITE_ORDER);
  }

  /** How many surviving assignments lose to the winner: concurrent writes that LWW drops. */
  public int losers() {
    return Math.max(0, entries.size() - 1);
  }

  @Override
  public LwwRegister merge(LwwRegister other) {
    return join(other, CausalContext.NONE, CausalContext.NONE);
  }

  @Override
  public FieldKind kind() {
    return FieldKind.LWW;
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
  public LwwRegister removal(Dot dot) {
    return new LwwRegister(DotKernel.none(), DotKernel.contextOf(entries.keySet(), dot), true);
  }

  @Override
  public LwwRegister join(Field other, CausalContext ambientMine, CausalContext ambientTheirs) {
    LwwRegister o = Fields.same(this, other, LwwRegister.class);
    CausalContext mine = CausalContext.union(context, ambientMine);
    CausalContext theirs = CausalContext.union(o.context, ambientTheirs);
    return new LwwRegister(DotKernel.join(entries, mine, o.entries, theirs), context.merge(o.context), true);
  }

  @Override
  public LwwRegister compact(CausalContext ambient) {
    VersionVector residual = context.minus(ambient);
    return entries.isEmpty() && residual.isEmpty() ? EMPTY : new LwwRegister(entries, residual, true);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LwwRegister r && entries.equals(r.entries) && context.equals(r.context);
  }

  @Override
  public int hashCode() {
    return 31 * entries.hashCode() + context.hashCode();
  }

  @Override
  public String toString() {
    return "LwwRegister[entries=" + entries + ", context=" + context + "]";
  }
}
