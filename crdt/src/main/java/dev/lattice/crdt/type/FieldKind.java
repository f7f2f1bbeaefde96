package dev.lattice.crdt.type;

/**
 * The CRDT a field holds. The tag is part of the stored and wire encoding and never changes.
 * A {@code custom} field of the schema is stored as {@link #MVREG}: its handler folds the
 * concurrent values when read and when written, so merge itself needs no user code.
 */
public enum FieldKind {
  LWW(1), MVREG(2), GCOUNTER(3), COUNTER(4), SET(5), MAP(6), FLAG(7);

  public final int tag;

  FieldKind(int tag) {
    this.tag = tag;
  }

  /** The kind for a tag, or null if there is none. */
  public static FieldKind ofTag(int tag) {
    for (FieldKind k : values()) {
      if (k.tag == tag) {
        return k;
      }
    }
    return null;
  }
}
