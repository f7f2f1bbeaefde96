package dev.lattice.crdt.merge;

import dev.lattice.crdt.value.Value;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Tests that a {@link MergeHandler} is a join: commutative, associative and idempotent over
 * values drawn from a generator. Sampling cannot prove the laws, but a handler that breaks them
 * on ordinary values is caught before any data depends on it, with the values that show it.
 */
public final class MergeLaws {
  private MergeLaws() {}

  /** Which law a counterexample breaks. */
  public enum Law { COMMUTATIVE, ASSOCIATIVE, IDEMPOTENT, TOTAL }

  /** Values that break a law, with both sides of the broken equation. */
  public record Counterexample(Law law, Value a, Value b, Value c, String left, String right) {
    @Override
    public String toString() {
      return switch (law) {
        case COMMUTATIVE -> "not commutative: merge(" + a + ", " + b + ") = " + left
            + " but merge(" + b + ", " + a + ") = " + right;
        case ASSOCIATIVE -> "not associative: merge(merge(" + a + ", " + b + "), " + c + ") = " + left
            + " but merge(" + a + ", merge(" + b + ", " + c + ")) = " + right;
        case IDEMPOTENT -> "not idempotent: merge(" + a + ", " + a + ") = " + left;
        case TOTAL -> "not total: merge(" + a + ", " + b + ") threw " + left;
      };
    }
  }

  /**
   * Checks the three laws on {@code samples} triples drawn from {@code generator}, each value
   * first made {@linkplain MergeHandler#canonical canonical}.
   *
   * @return the first counterexample found, or empty if every sample satisfied every law
   * @throws IllegalArgumentException if {@code samples} is not positive
   */
  public static Optional<Counterexample> check(
      MergeHandler handler, Function<SplittableRandom, Value> generator, int samples, long seed) {
    if (samples <= 0) {
      throw new IllegalArgumentException("samples must be positive: " + samples);
    }
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < samples; i++) {
      Value a = handler.canonical(generator.apply(random));
      Value b = random.nextInt(8) == 0 ? a : handler.canonical(generator.apply(random));
      Value c = handler.canonical(generator.apply(random));
      Optional<Counterexample> found = checkTriple(handler, a, b, c);
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  /** A generator of small values of every kind, the default for schema loading. */
  public static Value anyValue(SplittableRandom r) {
    return switch (r.nextInt(7)) {
      case 0 -> Value.NULL;
      case 1 -> Value.of(r.nextBoolean());
      case 2 -> Value.of((long) r.nextInt(-5, 6));
      case 3 -> Value.of(r.nextInt(-3, 4) / 2.0);
      case 4 -> Value.of(Character.toString('a' + r.nextInt(4)));
      case 5 -> Value.ofBytes(new byte[] {(byte) r.nextInt(3)});
      default -> {
        int n = r.nextInt(3);
        java.util.List<Value> items = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
          items.add(Value.of((long) r.nextInt(4)));
        }
        yield Value.ofList(items);
      }
    };
  }

  private static Optional<Counterexample> checkTriple(MergeHandler h, Value a, Value b, Value c) {
    try {
      Value ab = h.merge(a, b);
      Value ba = h.merge(b, a);
      if (!Objects.equals(ab, ba)) {
        return Optional.of(new Counterexample(Law.COMMUTATIVE, a, b, c, str(ab), str(ba)));
      }
      Value aa = h.merge(a, a);
      if (!Objects.equals(aa, a)) {
        return Optional.of(new Counterexample(Law.IDEMPOTENT, a, a, a, str(aa), str(a)));
      }
      Value left = h.merge(ab, c);
      Value right = h.merge(a, h.merge(b, c));
      if (!Objects.equals(left, right)) {
        return Optional.of(new Counterexample(Law.ASSOCIATIVE, a, b, c, str(left), str(right)));
      }
      return Optional.empty();
    } catch (RuntimeException e) {
      return Optional.of(new Counterexample(Law.TOTAL, a, b, c, e.toString(), ""));
    }
  }

  private static String str(Value v) {
    return String.valueOf(v);
  }
}
