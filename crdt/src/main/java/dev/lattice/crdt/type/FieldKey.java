package dev.lattice.crdt.type;

import java.util.Objects;

/**
 * Names one field of a map: its name and its kind. The kind is part of the key so that two
 * replicas that (through a schema change) write different kinds under one name keep two
 * independent fields instead of a merge with no lawful answer; the schema decides which one is
 * read.
 */
public record FieldKey(String name, FieldKind kind) implements Comparable<FieldKey> {

  public FieldKey {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
  }

  @Override
  public int compareTo(FieldKey o) {
    // The same string object is common (a key built from the name the map already holds) and
    // spares reading the characters, the last cold line of a lookup.
    int c = name == o.name ? 0 : name.compareTo(o.name);
    return c != 0 ? c : Integer.compare(kind.tag, o.kind.tag);
  }

  /** Characters of the name that {@link #sortPrefix} packs, at 7 bits each (63 bits). */
  private static final int PREFIX_CHARS = 9;

  /**
   * The first nine characters of the name, 7 bits each, as a non-negative number that is
   * monotone in the key order: {@code a.sortPrefix() < b.sortPrefix()} only if {@code a < b}.
   * A shorter name is padded with 0; a character above U+007F, and every position after it,
   * saturates to 0x7F, so such names tie and are ordered by {@link #compareTo}. Nine characters
   * rather than the four of a 16-bit packing: keys often share a short prefix ("doc/", "user:"),
   * and four characters would leave every such key tied.
   */
  long sortPrefix() {
    long p = 0;
    int n = name.length();
    for (int i = 0; i < PREFIX_CHARS; i++) {
      int c = i < n ? name.charAt(i) : 0;
      if (c > 0x7F) {
        int rest = 7 * (PREFIX_CHARS - i);
        return (p << rest) | ((1L << rest) - 1);
      }
      p = (p << 7) | c;
    }
    return p;
  }

  @Override
  public String toString() {
    return name + ":" + kind.name().toLowerCase(java.util.Locale.ROOT);
  }
}
