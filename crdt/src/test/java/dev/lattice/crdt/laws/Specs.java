package dev.lattice.crdt.laws;

import dev.lattice.crdt.value.Value;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The observed-remove semantics, stated over histories. An update survives unless some other
 * operation that could displace it observed it; for counters, a replica's contribution restarts
 * whenever a removal that observed it reached that replica.
 */
final class Specs {
  private Specs() {}

  /** The candidates that no displacing operation (other than themselves) observed. */
  static List<Event> survivors(List<Event> history, Predicate<Event> candidate, Predicate<Event> displaces) {
    List<Event> out = new ArrayList<>();
    for (Event c : history) {
      if (!candidate.test(c)) {
        continue;
      }
      boolean displaced = false;
      for (Event k : history) {
        if (k != c && displaces.test(k) && c.observedBy(k)) {
          displaced = true;
          break;
        }
      }
      if (!displaced) {
        out.add(c);
      }
    }
    return out;
  }

  /**
   * An add-wins set: element x is present if an add of x survives every operation on x and every
   * whole-set removal that observed it.
   */
  static List<Value> setElements(List<Event> history, Predicate<Event> isAdd, Predicate<Event> removesAll) {
    TreeSet<Value> out = new TreeSet<>();
    for (Event add : history) {
      if (!isAdd.test(add) || out.contains(add.op().value())) {
        continue;
      }
      Value x = add.op().value();
      Predicate<Event> onX = e -> (isAdd.test(e) || isElementRemoval(e)) && x.equals(e.op().value());
      if (!survivors(history, e -> onX.test(e) && isAdd.test(e), e -> onX.test(e) || removesAll.test(e)).isEmpty()) {
        out.add(x);
      }
    }
    return List.copyOf(out);
  }

  private static boolean isElementRemoval(Event e) {
    return e.op().kind() == Op.Kind.REMOVE_ELEMENT;
  }

  /** Last writer wins: the greatest (hlc, dot) among the surviving assignments. */
  static Optional<Value> lastWriter(List<Event> survivors) {
    return survivors.stream()
        .max(Comparator.comparingLong(Event::hlc).thenComparing(Event::dot))
        .map(e -> e.op().value());
  }

  static List<Value> distinctValues(List<Event> survivors) {
    TreeSet<Value> values = new TreeSet<>();
    survivors.forEach(e -> values.add(e.op().value()));
    return List.copyOf(values);
  }

  /**
   * A counter under removal: for each replica, walk its increments in order; the running
   * contribution restarts when the previous increment had been displaced at that replica by the
   * time of the next one. The counter is present if some replica's last increment survives.
   *
   * @return the value, or empty if the counter is absent
   */
  static Optional<Long> counter(List<Event> history, Predicate<Event> isIncrement, Predicate<Event> isRemoval) {
    Map<Long, List<Event>> byReplica = new HashMap<>();
    for (Event e : history) {
      if (isIncrement.test(e)) {
        byReplica.computeIfAbsent(e.dot().replica().value(), r -> new ArrayList<>()).add(e);
      }
    }
    List<Event> removals = history.stream().filter(isRemoval).toList();
    long total = 0;
    boolean present = false;
    for (List<Event> incs : byReplica.values()) {
      incs.sort(Comparator.comparing(Event::dot));
      long running = 0;
      Event prev = null;
      for (Event inc : incs) {
        boolean alive = prev != null && aliveAt(prev, inc, removals);
        running = (alive ? running : 0) + inc.op().amount();
        prev = inc;
      }
      boolean lastSurvives = removals.stream().noneMatch(prev::observedBy);
      if (lastSurvives) {
        total += running;
        present = true;
      }
    }
    return present ? Optional.of(total) : Optional.empty();
  }

  /**
   * Whether {@code target} was still held by the replica of {@code at} just before {@code at}: no
   * removal delivered there had observed it while it was still held where that removal was made.
   */
  private static boolean aliveAt(Event target, Event at, List<Event> removals) {
    for (Event k : removals) {
      if (k.observedBy(at) && target.observedBy(k) && aliveAt(target, k, removals)) {
        return false;
      }
    }
    return true;
  }
}
