package dev.lattice.schema;

import dev.lattice.crdt.merge.MergeHandler;
import dev.lattice.crdt.value.Value;

/** A "merge" that adds numbers: commutative and associative, but not idempotent, so not a join. */
public final class SumHandler implements MergeHandler {
  @Override
  public String name() {
    return "sum";
  }

  @Override
  public Value merge(Value a, Value b) {
    if (a instanceof Value.Int x && b instanceof Value.Int y) {
      return Value.of(x.value() + y.value());
    }
    return a.compareTo(b) >= 0 ? a : b;
  }
}
