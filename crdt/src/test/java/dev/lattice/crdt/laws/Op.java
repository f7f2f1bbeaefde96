package dev.lattice.crdt.laws;

import dev.lattice.crdt.type.FieldKey;
import dev.lattice.crdt.value.Value;

/**
 * One operation of a random history, before it is given a dot. {@code key} names the field for
 * map types and is null otherwise.
 */
record Op(Kind kind, FieldKey key, Value value, long amount) {

  enum Kind { ASSIGN, REMOVE, INC, ADD, REMOVE_ELEMENT, CLEAR, ENABLE, DISABLE, ASSIGN_NESTED, REMOVE_KEY, DELETE }

  static Op of(Kind kind) {
    return new Op(kind, null, null, 0);
  }

  static Op of(Kind kind, Value value) {
    return new Op(kind, null, value, 0);
  }

  static Op inc(long amount) {
    return new Op(Kind.INC, null, null, amount);
  }

  Op on(FieldKey field) {
    return new Op(kind, field, value, amount);
  }

  @Override
  public String toString() {
    return kind + (key == null ? "" : " " + key) + (value == null ? "" : " " + value)
        + (kind == Kind.INC ? " " + amount : "");
  }
}
