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
    int c = name.compareTo(o.name);
    return c != 0 ? c : Integer.compare(kind.tag, o.kind.tag);
  }

  @Override
  public String toString() {
    return name + ":" + kind.name().toLowerCase(java.util.Locale.ROOT);
  }
}
