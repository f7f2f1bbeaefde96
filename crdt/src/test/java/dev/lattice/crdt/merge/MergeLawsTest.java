package dev.lattice.crdt.merge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.crdt.value.Value;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MergeLawsTest {

  @Test
  void acceptsTheBuiltIns() {
    for (MergeHandler h : List.of(BuiltInHandlers.MAX, BuiltInHandlers.MIN, BuiltInHandlers.UNION)) {
      assertThat(MergeLaws.check(h, MergeLaws::anyValue, 5_000, 42)).as(h.name()).isEmpty();
      assertThat(BuiltInHandlers.byName(h.name())).contains(h);
    }
  }

  @Test
  void unionIsTheSortedSetUnion() {
    Value a = Value.ofList(List.of(Value.of(3), Value.of(1)));
    Value b = Value.ofList(List.of(Value.of(2), Value.of(3)));
    assertThat(BuiltInHandlers.UNION.merge(a, b))
        .isEqualTo(Value.ofList(List.of(Value.of(1), Value.of(2), Value.of(3))));
    assertThat(BuiltInHandlers.UNION.merge(Value.of(1), Value.of(1))).isEqualTo(Value.ofList(List.of(Value.of(1))));
  }

  @Test
  void refusesASumWithTheCounterexample() {
    MergeHandler sum = handler("sum", (a, b) -> Value.of(asLong(a) + asLong(b)));
    Optional<MergeLaws.Counterexample> found = MergeLaws.check(sum, r -> Value.of((long) r.nextInt(1, 9)), 100, 1);
    assertThat(found).isPresent();
    assertThat(found.get().law()).isEqualTo(MergeLaws.Law.IDEMPOTENT);
    assertThat(found.get().toString()).startsWith("not idempotent: merge(");
  }

  @Test
  void refusesTakingTheFirstArgument() {
    MergeHandler first = handler("first", (a, b) -> a);
    Optional<MergeLaws.Counterexample> found = MergeLaws.check(first, MergeLaws::anyValue, 100, 1);
    assertThat(found).get().extracting(MergeLaws.Counterexample::law).isEqualTo(MergeLaws.Law.COMMUTATIVE);
  }

  @Test
  void refusesANonAssociativeAverage() {
    MergeHandler avg = handler("avg", (a, b) -> a.equals(b) ? a : Value.of((asLong(a) + asLong(b)) / 2));
    Optional<MergeLaws.Counterexample> found = MergeLaws.check(avg, r -> Value.of((long) r.nextInt(0, 100)), 1_000, 3);
    assertThat(found).get().extracting(MergeLaws.Counterexample::law).isEqualTo(MergeLaws.Law.ASSOCIATIVE);
  }

  @Test
  void reportsAHandlerThatThrows() {
    MergeHandler partial = handler("ints-only", (a, b) -> Value.of(Math.max(asLong(a), asLong(b))));
    Optional<MergeLaws.Counterexample> found = MergeLaws.check(partial, MergeLaws::anyValue, 100, 1);
    assertThat(found).get().extracting(MergeLaws.Counterexample::law).isEqualTo(MergeLaws.Law.TOTAL);
  }

  private static long asLong(Value v) {
    return ((Value.Int) v).value();
  }

  private static MergeHandler handler(String name, java.util.function.BinaryOperator<Value> f) {
    return new MergeHandler() {
      public String name() {
        return name;
      }

      public Value merge(Value a, Value b) {
        return f.apply(a, b);
      }
    };
  }
}
