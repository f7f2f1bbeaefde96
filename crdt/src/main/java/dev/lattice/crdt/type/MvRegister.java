package dev.lattice.crdt.type;

import dev.lattice.crdt.causal.CausalContext;
import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.DotKernel;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.merge.MergeHandler;
import dev.lattice.crdt.value.Value;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A multi-value register: an assignment replaces the values it observed, and concurrent
 * assignments are all kept for the reader to resolve (the "optimized MVReg" of Almeida et al.).
 *
 * <p>It is also the storage of {@code custom} fields: a {@link MergeHandler} folds the surviving
 * values when read ({@link #resolve}) and folds the new value into them when written
 * ({@link #assignResolved}), so merge stays free of user code and cannot be broken by it.
 */
public final class MvRegister implements Crdt<MvRegister>, Field {

  public static final MvRegister EMPTY = new MvRegister(DotKernel.none(), VersionVector.EMPTY, true);

  private final NavigableMap<Dot, Value> entries;
  private final VersionVector context;

  /** A register of these entries and context; the map is copied. */
  public MvRegister(NavigableMap<Dot, Value> entries, VersionVector context) {
    this(Collections.unmodifiableNavigableMap(new TreeMap<>(entries)), context, true);
  }

  /** Takes {@code entries} as is: unmodifiable and held by no one else, as {@link DotKernel} builds them. */
  private MvRegister(NavigableMap<Dot, Value> entries, VersionVector context, boolean owned) {
    this.entries = entries;
    this.context = Objects.requireNonNull(context, "context");
  }

  public NavigableMap<Dot, Value> entries() {
    return entries;
  }

  /** The dots this value has observed. */
  public VersionVector context() {
    return context;
  }

  /** The delta that replaces every observed value with {@code value}. */
  public MvRegister assign(Value value, Dot dot) {
    return new MvRegister(DotKernel.single(dot, value), DotKernel.contextOf(entries.keySet(), dot), true);
  }

  /** The delta that writes {@code handler}'s join of the current values and {@code value}. */
  public MvRegister assignResolved(MergeHandler handler, Value value, Dot dot) {
    Value canonical = handler.canonical(value);
    return assign(resolve(handler).map(v -> handler.merge(v, canonical)).orElse(canonical), dot);
  }

  /** The distinct surviving values, in value order. */
  public List<Value> values() {
    return List.copyOf(new TreeSet<>(entries.values()));
  }

  /** The surviving values folded by {@code handler} in value order, if any survive. */
  public Optional<Value> resolve(MergeHandler handler) {
    List<Value> values = new ArrayList<>(values());
    if (values.isEmpty()) {
      return Optional.empty();
    }
    Value acc = values.get(0);
    for (int i = 1; i < values.size(); i++) {
      acc = handler.merge(acc, values.get(i));
    }
    return Optional.of(acc);
  }

  @Override
  public MvRegister merge(MvRegister other) {
    return join(other, CausalContext.NONE, CausalContext.NONE);
  }

  @Override
  public FieldKind kind() {
    return FieldKind.MVREG;
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
  public MvRegister removal(Dot dot) {
    return new MvRegister(DotKernel.none(), DotKernel.contextOf(entries.keySet(), dot), true);
  }

  @Override
  public MvRegister join(Field other, CausalContext ambientMine, CausalContext ambientTheirs) {
    MvRegister o = Fields.same(this, other, MvRegister.class);
    CausalContext mine = CausalContext.union(context, ambientMine);
    CausalContext theirs = CausalContext.union(o.context, ambientTheirs);
    return new MvRegister(DotKernel.join(entries, mine, o.entries, theirs), context.merge(o.context), true);
  }

  @Override
  public MvRegister compact(CausalContext ambient) {
    VersionVector residual = context.minus(ambient);
    return entries.isEmpty() && residual.isEmpty() ? EMPTY : new MvRegister(entries, residual, true);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MvRegister x && entries.equals(x.entries) && context.equals(x.context);
  }

  @Override
  public int hashCode() {
    return 31 * entries.hashCode() + context.hashCode();
  }

  @Override
  public String toString() {
    return "MvRegister[entries=" + entries + ", context=" + context + "]";
  }
}
