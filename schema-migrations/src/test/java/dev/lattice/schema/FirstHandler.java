package dev.lattice.schema;

import dev.lattice.crdt.merge.MergeHandler;
import dev.lattice.crdt.value.Value;

/** The lesser value, offered through ServiceLoader under the name "first". */
public final class FirstHandler implements MergeHandler {
  @Override
  public String name() {
    return "first";
  }

  @Override
  public Value merge(Value a, Value b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
