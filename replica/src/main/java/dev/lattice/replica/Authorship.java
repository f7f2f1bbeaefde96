package dev.lattice.replica;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.type.Field;
import dev.lattice.crdt.type.Flag;
import dev.lattice.crdt.type.GCounter;
import dev.lattice.crdt.type.LwwRegister;
import dev.lattice.crdt.type.MvRegister;
import dev.lattice.crdt.type.OrMap;
import dev.lattice.crdt.type.OrSet;
import dev.lattice.crdt.type.PnCounter;
import java.util.Map;
import java.util.NavigableSet;

/**
 * The rule that makes a delta one mutation: every dot its change stores is the delta's own dot.
 * A change storing another dot would put an entry under a dot the receiver's vector never covers
 * (or claim another replica's write), so it is refused, locally and from the wire.
 */
final class Authorship {
  private Authorship() {}

  /** The first stored dot of {@code change} that is not {@code own}, or null if there is none. */
  static Dot foreignDot(Document change, Dot own) {
    return firstDot(change, d -> !d.equals(own));
  }

  /** The first dot stored anywhere in {@code document} that {@code test} accepts, or null. */
  static Dot firstDot(Document document, java.util.function.Predicate<Dot> test) {
    return foreign(document.fields(), test);
  }

  private static Dot foreign(Field field, java.util.function.Predicate<Dot> own) {
    if (field instanceof LwwRegister r) {
      return firstOther(r.entries().keySet(), own);
    } else if (field instanceof MvRegister r) {
      return firstOther(r.entries().keySet(), own);
    } else if (field instanceof GCounter c) {
      return firstOther(c.entries().keySet(), own);
    } else if (field instanceof PnCounter c) {
      return firstOther(c.entries().keySet(), own);
    } else if (field instanceof Flag f) {
      return firstOther(f.dots(), own);
    } else if (field instanceof OrSet s) {
      for (NavigableSet<Dot> dots : s.elements().values()) {
        Dot d = firstOther(dots, own);
        if (d != null) {
          return d;
        }
      }
      return null;
    } else {
      for (Map.Entry<?, Field> e : ((OrMap) field).entries()) {
        Dot d = foreign(e.getValue(), own);
        if (d != null) {
          return d;
        }
      }
      return null;
    }
  }

  private static Dot firstOther(java.util.Set<Dot> dots, java.util.function.Predicate<Dot> test) {
    for (Dot d : dots) {
      if (test.test(d)) {
        return d;
      }
    }
    return null;
  }
}
