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
public record OrSet(NavigableMap<Value, NavigableSet<Dot>> elements, VersionVector context)
    implements Crdt<OrSet>, Field {

  public static final OrSet EMPTY = new OrSet(Collections.emptyNavigableMap(), VersionVector.EMPTY);

  public OrSet {
    TreeMap<Value, NavigableSet<Dot>> copy = new TreeMap<>();
    for (Map.Entry<Value, NavigableSet<Dot>> e : elements.entrySet()) {
      if (!e.getValue().isEmpty()) {
        copy.put(e.getKey(), Collections.unmodifiableNavigableSet(new TreeSet<>(e.getValue())));
      }
    }
    elements = Collections.unmodifiableNavigableMap(copy);
    Objects.requireNonNull(context, "context");
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
    TreeSet<Dot> one = new TreeSet<>();
    one.add(dot);
    return new OrSet(new TreeMap<>(Map.of(element, one)), DotKernel.contextOf(observed(element), dot));
  }

  /** The delta that removes {@code element} as observed here. */
  public OrSet remove(Value element, Dot dot) {
    return new OrSet(Collections.emptyNavigableMap(), DotKernel.contextOf(observed(element), dot));
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
    return new OrSet(Collections.emptyNavigableMap(), DotKernel.contextOf(all, dot));
  }

  @Override
  public OrSet join(Field other, CausalContext ambientMine, CausalContext ambientTheirs) {
    OrSet o = Fields.same(this, other, OrSet.class);
    CausalContext mine = CausalContext.union(context, ambientMine);
    CausalContext theirs = CausalContext.union(o.context, ambientTheirs);
    TreeMap<Value, NavigableSet<Dot>> out = new TreeMap<>();
    for (Map.Entry<Value, NavigableSet<Dot>> e : elements.entrySet()) {
      NavigableSet<Dot> theirDots = o.elements.getOrDefault(e.getKey(), Collections.emptyNavigableSet());
      out.put(e.getKey(), DotKernel.join(e.getValue(), mine, theirDots, theirs));
    }
    for (Map.Entry<Value, NavigableSet<Dot>> e : o.elements.entrySet()) {
      if (!elements.containsKey(e.getKey())) {
        out.put(e.getKey(), DotKernel.join(Collections.emptyNavigableSet(), mine, e.getValue(), theirs));
      }
    }
    return new OrSet(out, context.merge(o.context));
  }

  @Override
  public OrSet compact(CausalContext ambient) {
    VersionVector residual = context.minus(ambient);
    return elements.isEmpty() && residual.isEmpty() ? EMPTY : new OrSet(elements, residual);
  }
}
