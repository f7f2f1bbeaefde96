package dev.lattice.schema.migrate;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.type.Field;
import dev.lattice.crdt.type.FieldKind;
import dev.lattice.crdt.type.LwwRegister;
import dev.lattice.crdt.type.MvRegister;
import dev.lattice.crdt.value.Value;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Rewrites the values of a register field, and moves it between the register kinds, keeping
 * every dot and the context. Because each dot keeps its identity and only its payload is mapped by
 * a deterministic function, the rewrite commutes with join: converting two replicas' states and
 * joining them equals joining and then converting. That is what lets every replica migrate on
 * its own.
 */
final class Registers {
  private Registers() {}

  /** True for the kinds a register field is stored as. */
  static boolean isRegister(FieldKind k) {
    return k == FieldKind.LWW || k == FieldKind.MVREG;
  }

  /**
   * {@code field} (an lww or mvreg) as {@code target}, with each value mapped; a value mapped to
   * empty is dropped. Going from mvreg to lww gives every value HLC 0, so any later write wins and
   * concurrent values fall back to dot order.
   */
  static Field map(Field field, FieldKind target, Function<Value, Optional<Value>> f) {
    TreeMap<Dot, Value> values = new TreeMap<>();
    TreeMap<Dot, Long> stamps = new TreeMap<>();
    if (field instanceof LwwRegister l) {
      for (Map.Entry<Dot, LwwRegister.Stamped> e : l.entries().entrySet()) {
        f.apply(e.getValue().value()).ifPresent(v -> {
          values.put(e.getKey(), v);
          stamps.put(e.getKey(), e.getValue().hlc());
        });
      }
      return build(target, values, stamps, l.context());
    }
    MvRegister m = (MvRegister) field;
    for (Map.Entry<Dot, Value> e : m.entries().entrySet()) {
      f.apply(e.getValue()).ifPresent(v -> values.put(e.getKey(), v));
    }
    return build(target, values, stamps, m.context());
  }

  private static Field build(FieldKind target, TreeMap<Dot, Value> values, TreeMap<Dot, Long> stamps,
      dev.lattice.crdt.causal.VersionVector context) {
    if (target == FieldKind.MVREG) {
      return new MvRegister(values, context);
    }
    TreeMap<Dot, LwwRegister.Stamped> entries = new TreeMap<>();
    values.forEach((d, v) -> entries.put(d, new LwwRegister.Stamped(stamps.getOrDefault(d, 0L), v)));
    return new LwwRegister(entries, context);
  }
}
