package dev.lattice.crdt.causal;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The join of dot stores under causal contexts, the one rule every Lattice CRDT is built on
 * (Almeida, Shoker and Baquero, "Delta State Replicated Data Types", JPDC 2018, section 6).
 *
 * <p>A dot survives the join if both sides hold it, or if one side holds it and the other side's
 * context has not seen it. A dot that one side has seen but no longer holds was removed there, so
 * it is dropped. This makes removal need no tombstone per element: the context remembers it
 * compactly. Because every dot is created once with one value, a dot held on both sides carries
 * the same value, and the join is commutative, associative and idempotent.
 */
public final class DotKernel {
  private DotKernel() {}

  /** The join of two dot-to-value functions under their contexts. */
  public static <V> NavigableMap<Dot, V> join(
      NavigableMap<Dot, V> a, CausalContext ca, NavigableMap<Dot, V> b, CausalContext cb) {
    TreeMap<Dot, V> out = new TreeMap<>();
    for (Map.Entry<Dot, V> e : a.entrySet()) {
      if (b.containsKey(e.getKey()) || !cb.covers(e.getKey())) {
        out.put(e.getKey(), e.getValue());
      }
    }
    for (Map.Entry<Dot, V> e : b.entrySet()) {
      if (!a.containsKey(e.getKey()) && !ca.covers(e.getKey())) {
        out.put(e.getKey(), e.getValue());
      }
    }
    return Collections.unmodifiableNavigableMap(out);
  }

  /** The join of two dot sets under their contexts. */
  public static NavigableSet<Dot> join(
      NavigableSet<Dot> a, CausalContext ca, NavigableSet<Dot> b, CausalContext cb) {
    TreeSet<Dot> out = new TreeSet<>();
    for (Dot d : a) {
      if (b.contains(d) || !cb.covers(d)) {
        out.add(d);
      }
    }
    for (Dot d : b) {
      if (!a.contains(d) && !ca.covers(d)) {
        out.add(d);
      }
    }
    return Collections.unmodifiableNavigableSet(out);
  }

  /** The context of a delta that replaces {@code observed} with {@code dot}: both, exactly. */
  public static VersionVector contextOf(Collection<Dot> observed, Dot dot) {
    int n = observed.size();
    Dot[] all = observed.toArray(new Dot[n + 1]);
    all[n] = dot;
    Arrays.sort(all);
    return VersionVector.ofSorted(all);
  }

  /**
   * The context of a delta that replaces the dots {@code observed} (ascending, as a register
   * holds them) with {@code dot}: both, exactly. The array is only read.
   */
  public static VersionVector contextOf(Dot[] observed, Dot dot) {
    return VersionVector.ofSortedWith(observed, Objects.requireNonNull(dot, "dot"));
  }

  /** The context of a delta that replaces the one dot {@code observed} with {@code dot}: both. */
  public static VersionVector contextOf(Dot observed, Dot dot) {
    return VersionVector.ofSortedWith(null, Objects.requireNonNull(observed, "observed"), Objects.requireNonNull(dot, "dot"));
  }

  public static <V> NavigableMap<Dot, V> single(Dot dot, V value) {
    TreeMap<Dot, V> one = new TreeMap<>();
    one.put(dot, value);
    return Collections.unmodifiableNavigableMap(one);
  }

  public static <V> NavigableMap<Dot, V> none() {
    return Collections.emptyNavigableMap();
  }
}
