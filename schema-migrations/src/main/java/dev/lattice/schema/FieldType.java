package dev.lattice.schema;

import dev.lattice.crdt.type.FieldKind;
import java.util.Locale;

/** The CRDT a schema field declares, and the {@link FieldKind} it is stored as. */
public enum FieldType {
  LWW(FieldKind.LWW),
  MVREG(FieldKind.MVREG),
  COUNTER(FieldKind.COUNTER),
  SET(FieldKind.SET),
  MAP(FieldKind.MAP),
  FLAG(FieldKind.FLAG),
  /** A multi-value register resolved by a named merge handler (see {@code MvRegister.resolve}). */
  CUSTOM(FieldKind.MVREG);

  private final FieldKind storage;

  FieldType(FieldKind storage) {
    this.storage = storage;
  }

  /** The kind under which the field's state is stored and sent. */
  public FieldKind storage() {
    return storage;
  }

  /** True for the kinds whose state is a set of values under dots: what converters can rewrite. */
  public boolean isRegister() {
    return this == LWW || this == MVREG || this == CUSTOM;
  }

  /** True if the kind holds values a value schema can check (registers, and set elements). */
  public boolean holdsValues() {
    return isRegister() || this == SET;
  }

  /** The name used in schema files. */
  public String fileName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The type named {@code name} in a schema file, or null. */
  public static FieldType ofFileName(String name) {
    for (FieldType t : values()) {
      if (t.fileName().equals(name)) {
        return t;
      }
    }
    return null;
  }
}
