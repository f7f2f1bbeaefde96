package dev.lattice.schema.migrate;

import dev.lattice.crdt.value.Value;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** Converters every schema may name without shipping code. */
public final class BuiltInConverters {
  private BuiltInConverters() {}

  private static final Map<String, ValueConverter> BY_NAME = new LinkedHashMap<>();

  static {
    add("number-to-string", v -> {
      if (v instanceof Value.Int i) {
        return Optional.of(Value.of(Long.toString(i.value())));
      }
      if (v instanceof Value.Float f && Double.isFinite(f.value())) {
        return Optional.of(Value.of(BigDecimal.valueOf(f.value()).stripTrailingZeros().toPlainString()));
      }
      return Optional.empty();
    });
    add("integer-to-string", v -> v instanceof Value.Int i ? Optional.of(Value.of(Long.toString(i.value()))) : Optional.empty());
    add("string-to-number", v -> {
      if (!(v instanceof Value.Str s)) {
        return Optional.empty();
      }
      String t = s.value().trim();
      try {
        return Optional.of(Value.of(Long.parseLong(t)));
      } catch (NumberFormatException notLong) {
        try {
          double d = Double.parseDouble(t);
          return Double.isFinite(d) ? Optional.of(Value.of(d)) : Optional.empty();
        } catch (NumberFormatException notNumber) {
          return Optional.empty();
        }
      }
    });
    add("string-to-integer", v -> {
      if (!(v instanceof Value.Str s)) {
        return Optional.empty();
      }
      try {
        return Optional.of(Value.of(Long.parseLong(s.value().trim())));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    });
    add("integer-to-number", v -> v instanceof Value.Int i ? Optional.of(Value.of((double) i.value())) : Optional.empty());
    // Rounds half away from zero; a float outside the long range has no integer counterpart.
    add("number-to-integer", v -> {
      if (v instanceof Value.Int) {
        return Optional.of(v);
      }
      if (v instanceof Value.Float f && Double.isFinite(f.value()) && Math.abs(f.value()) < 9.2e18) {
        return Optional.of(Value.of((long) (Math.signum(f.value()) * Math.floor(Math.abs(f.value()) + 0.5))));
      }
      return Optional.empty();
    });
    add("boolean-to-string", v -> v instanceof Value.Bool b ? Optional.of(Value.of(Boolean.toString(b.value()))) : Optional.empty());
    add("string-to-boolean", v -> {
      if (v instanceof Value.Str s && (s.value().equals("true") || s.value().equals("false"))) {
        return Optional.of(Value.of(Boolean.parseBoolean(s.value())));
      }
      return Optional.empty();
    });
  }

  private static void add(String name, Function<Value, Optional<Value>> f) {
    BY_NAME.put(name, new ValueConverter() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Optional<Value> convert(Value v) {
        return f.apply(v);
      }

      @Override
      public String toString() {
        return "built-in converter '" + name + "'";
      }
    });
  }

  public static Optional<ValueConverter> byName(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  /** The names, in a stable order, for error messages. */
  public static java.util.Set<String> names() {
    return java.util.Collections.unmodifiableSet(BY_NAME.keySet());
  }
}
