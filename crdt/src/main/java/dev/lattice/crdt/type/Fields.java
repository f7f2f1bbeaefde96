package dev.lattice.crdt.type;

/** Checks shared by the field kinds. */
final class Fields {
  private Fields() {}

  static <T extends Field> T same(Field self, Field other, Class<T> type) {
    if (!type.isInstance(other)) {
      throw new IllegalArgumentException(
          "cannot merge a " + self.kind() + " field with a " + other.kind() + " field");
    }
    return type.cast(other);
  }
}
