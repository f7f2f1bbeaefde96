package dev.lattice.schema.load;

import dev.lattice.crdt.merge.MergeLaws;
import dev.lattice.crdt.value.Value;
import dev.lattice.schema.ValueSchema;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Values to test a merge handler's laws with, drawn from the field's value schema so the check
 * exercises what the field will hold (a handler need only be a join on its own domain). Domains
 * are kept small on purpose: collisions (equal values, values at the bounds) are what break
 * idempotence and associativity.
 */
final class ValueGenerators {
  private ValueGenerators() {}

  static Function<SplittableRandom, Value> of(ValueSchema schema) {
    if (schema == null) {
      return MergeLaws::anyValue;
    }
    Function<SplittableRandom, Value> base = base(schema);
    return r -> {
      if (schema.nullable() && r.nextInt(10) == 0) {
        return Value.NULL;
      }
      // Pattern and tightly mixed bounds may reject a draw; retry, then fall back to any valid draw.
      for (int i = 0; i < 20; i++) {
        Value v = base.apply(r);
        if (schema.accepts(v)) {
          return v;
        }
      }
      return base.apply(r);
    };
  }

  private static Function<SplittableRandom, Value> base(ValueSchema s) {
    switch (s.type()) {
      case BOOLEAN:
        return r -> Value.of(r.nextBoolean());
      case INTEGER: {
        long lo = s.min() == null ? -5 : (long) Math.ceil(s.min());
        long hi = s.max() == null ? Math.max(lo, 0) + 5 : (long) Math.floor(s.max());
        return r -> Value.of(pick(r, lo, hi));
      }
      case NUMBER: {
        double lo = s.min() == null ? -5 : s.min();
        double hi = s.max() == null ? Math.max(lo, 0) + 5 : s.max();
        return r -> {
          switch (r.nextInt(4)) {
            case 0:
              return Value.of(lo);
            case 1:
              return Value.of(hi);
            case 2:
              return Value.of(lo + (hi - lo) * r.nextInt(5) / 4.0);
            default:
              return Value.of(pick(r, (long) Math.ceil(lo), (long) Math.floor(hi)));
          }
        };
      }
      case JSON: {
        String[] samples = {"1", "\"a\"", "[1,2]", "{\"a\":1}", "null", "true", "{}", "[]"};
        return r -> Value.of(samples[r.nextInt(samples.length)]);
      }
      case STRING: {
        int lo = s.minLength() == null ? 0 : s.minLength();
        int hi = s.maxLength() == null ? lo + 4 : Math.min(s.maxLength(), lo + 4);
        return r -> {
          int n = hi <= lo ? lo : lo + r.nextInt(hi - lo + 1);
          StringBuilder b = new StringBuilder(n);
          for (int i = 0; i < n; i++) {
            b.append((char) ('a' + r.nextInt(3)));
          }
          return Value.of(b.toString());
        };
      }
      default:
        throw new AssertionError(s.type());
    }
  }

  /** A value in [lo, hi], biased to the ends and a handful of points in between. */
  private static long pick(SplittableRandom r, long lo, long hi) {
    if (hi <= lo) {
      return lo;
    }
    switch (r.nextInt(4)) {
      case 0:
        return lo;
      case 1:
        return hi;
      default:
        long span = hi - lo < 0 ? 8 : Math.min(hi - lo, 8);
        return lo + r.nextLong(span + 1);
    }
  }
}
