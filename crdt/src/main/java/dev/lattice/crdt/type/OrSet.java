package dev.lattice.crdt.type;

import dev.lattice.crdt.causal.CausalContext;
import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.DotKernel;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.value.Value;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An add-wins observed-remove set (Bieniusa et al., "An optimized conflict-free replicated set",
 * 2012, in its delta form from Almeida et al.). Each element maps to the dots of the adds that
 * produced it; removing an element drops the dots the remover observed, so an add concurrent with
 * a remove survives. No tombstone is kept per removed element: the causal context remembers the
 * removed dots, and it compacts to a few numbers per replica.
 */
public final class OrSet implements Crdt<OrSet>, Field {

  public static final OrSet EMPTY = new OrSet(Collections.emptyNavigableMap(), VersionVector.EMPTY, true);

  private final NavigableMap<Value, NavigableSet<Dot>> elements;
  private final VersionVector context;

  /** A set of these elements and context; the collections are copied, empty dot sets dropped. */
  public OrSet(NavigableMap<Value, NavigableSet<Dot>> elements, VersionVector context) {
    TreeMap<Value, NavigableSet<Dot>> copy = new TreeMap<>();
    for (Map.Entry<Value, NavigableSet<Dot>> e : elements.entrySet()) {
      if (!e.getValue().isEmpty()) {
        copy.put(e.getKey(), Collections.unmodifiableNavigableSet(new TreeSet<>(e.getValue())));
      }
    }
    this.elements = Collections.unmodifiableNavigableMap(copy);
    this.context = Objects.requireNonNull(context, "context");
  }

  /**
   * Takes ownership of {@code elements} without copying: every dot set in it is unmodifiable and
   * non-empty, and nobody else holds the map. A join reuses the sets it does not change, so
   * applying a delta of one element copies no other element's dots.
   */
  private OrSet(NavigableMap<Value, NavigableSet<Dot>> elements, VersionVector context, boolean owned) {
    this.elements = Collections.unmodifiableNavigableMap(elements);
    this.context = context;
  }

  /** Each element with the dots of the adds that produced it. */
  public NavigableMap<Value, NavigableSet<Dot>> elements() {
    return elements;
  }

  /** The dots this set has observed. */
  public VersionVector context() {
    return context;
  }

  public boolean contains(Value element) {
    return elements.containsKey(element);
  }

  /** The elements, in value order. */
  public List<Value> values() {
    return List.copyOf(elements.keySet());
  }

  public int size() {
    return elements.size();
  }

  /** The delta that adds {@code element}; it also retires the element's observed dots. */
  public OrSet add(Value element, Dot dot) {
    TreeMap<Value, NavigableSet<Dot>> one = new TreeMap<>();
    one.put(element, Collections.unmodifiableNavigableSet(new TreeSet<>(List.of(dot))));
    return new OrSet(one, DotKernel.contextOf(observed(element), dot), true);
  }

  /** The delta that removes {@code element} as observed here. */
  public OrSet remove(Value element, Dot dot) {
    return new OrSet(new TreeMap<>(), DotKernel.contextOf(observed(element), dot), true);
  }

  private NavigableSet<Dot> observed(Value element) {
    return elements.getOrDefault(element, Collections.emptyNavigableSet());
  }

  @Override
  public OrSet merge(OrSet other) {
    return join(other, CausalContext.NONE, CausalContext.NONE);
  }

  @Override
  public FieldKind kind() {
    return FieldKind.SET;
  }

  @Override
  public boolean isPresent() {
    return !elements.isEmpty();
  }

  @Override
  public boolean isBottom() {
    return elements.isEmpty() && context.isEmpty();
  }

  @Override
  public OrSet removal(Dot dot) {
    List<Dot> all = new ArrayList<>();
    elements.values().forEach(all::addAll);
    return new OrSet(new TreeMap<>(), DotKernel.contextOf(all, dot), true);
  }

  @Override
  public OrSet join(Field other, CausalContext ambientMine, CausalContext ambientTheirs) {
    OrSet o = Fields.same(this, other, OrSet.class);
    CausalContext mine = CausalContext.union(context, ambientMine);
    CausalContext theirs = CausalContext.union(o.context, ambientTheirs);
    TreeMap<Value, NavigableSet<Dot>> out = new TreeMap<>();
    for (Map.Entry<Value, NavigableSet<Dot>> e : elements.entrySet()) {
      NavigableSet<Dot> theirDots = o.elements.get(e.getKey());
      keep(out, e.getKey(), theirDots == null ? survivors(e.getValue(), theirs)
          : DotKernel.join(e.getValue(), mine, theirDots, theirs));
    }
    for (Map.Entry<Value, NavigableSet<Dot>> e : o.elements.entrySet()) {
      if (!elements.containsKey(e.getKey())) {
        keep(out, e.getKey(), survivors(e.getValue(), mine));
      }
    }
    return new OrSet(out, context.merge(o.context), true);
  }

  /** The dots of a one-sided element that the other side has not seen removed: the same set if all survive. */
  private static NavigableSet<Dot> survivors(NavigableSet<Dot> dots, CausalContext otherSide) {
    for (Dot d : dots) {
      if (otherSide.covers(d)) {
        return DotKernel.join(dots, CausalContext.NONE, Collections.emptyNavigableSet(), otherSide);
      }
    }
    return dots;
  }

  private static void keep(TreeMap<Value, NavigableSet<Dot>> out, Value element, NavigableSet<Dot> dots) {
    if (!dots.isEmpty()) {
      out.put(element, dots);
    }
  }

  @Override
  public OrSet compact(CausalContext ambient) {
    VersionVector residual = context.minus(ambient);
    return elements.isEmpty() && residual.isEmpty() ? EMPTY : new OrSet(new TreeMap<>(elements), residual, true);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OrSet s && elements.equals(s.elements) && context.equals(s.context);
  }

  @Override
  public int hashCode() {
    return 31 * elements.hashCode() + context.hashCode();
  }

  @Override
  public String toString() {
    return "OrSet[elements=" + elements + ", context=" + context + "]";
  }
}
