package dev.lattice.crdt.merge;

import dev.lattice.crdt.value.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/** The merge handlers every schema may name without shipping code. */
public final class BuiltInHandlers {
  private BuiltInHandlers() {}

  /** The greater value in {@link Value}'s total order. */
  public static final MergeHandler MAX = handler("max", (a, b) -> a.compareTo(b) >= 0 ? a : b);

  /** The lesser value in {@link Value}'s total order. */
  public static final MergeHandler MIN = handler("min", (a, b) -> a.compareTo(b) <= 0 ? a : b);

  /**
   * The union of sets, held as sorted, duplicate-free lists. A value that is not a list stands for
   * the set of itself, so the handler is total.
   */
  public static final MergeHandler UNION = new MergeHandler() {
    @Override
    public String name() {
      return "union";
    }

    @Override
    public Value merge(Value a, Value b) {
      TreeSet<Value> all = new TreeSet<>(elements(a));
      all.addAll(elements(b));
      return Value.ofList(new ArrayList<>(all));
    }

    @Override
    public Value canonical(Value v) {
      return Value.ofList(new ArrayList<>(new TreeSet<>(elements(v))));
    }

    @Override
    public String toString() {
      return "built-in merge handler 'union'";
    }
  };

  private static final Map<String, MergeHandler> BY_NAME =
      Map.of(MAX.name(), MAX, MIN.name(), MIN, UNION.name(), UNION);

  public static Optional<MergeHandler> byName(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  private static List<Value> elements(Value v) {
    return v instanceof Value.ListValue l ? l.values() : List.of(v);
  }

  private static MergeHandler handler(String name, java.util.function.BinaryOperator<Value> join) {
    return new MergeHandler() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Value merge(Value a, Value b) {
        return join.apply(a, b);
      }

      @Override
      public String toString() {
        return "built-in merge handler '" + name + "'";
      }
    };
  }
}
