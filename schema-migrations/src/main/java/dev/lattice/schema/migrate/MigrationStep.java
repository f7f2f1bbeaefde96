package dev.lattice.schema.migrate;

import java.util.Objects;

/**
 * One change of one collection from version N to N+1, as written under {@code migrate} in the
 * file of version N+1. Steps apply in file order; names in a step are the names at that point.
 */
public sealed interface MigrationStep {

  /** The 1-based line of the step in its file, for messages. */
  int line();

  /** A field new in this version. Readers see its declared default until it is written. */
  record Add(String field, int line) implements MigrationStep {
    public Add {
      Objects.requireNonNull(field, "field");
    }
  }

  /** A field renamed; its state moves to the new name with its dots, so nothing is lost. */
  record Rename(String from, String to, int line) implements MigrationStep {
    public Rename {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
    }
  }

  /** A field dropped: its state is discarded from stored documents and from old clients' writes. */
  record Remove(String field, int line) implements MigrationStep {
    public Remove {
      Objects.requireNonNull(field, "field");
    }
  }

  /**
   * A register field's type changed: values are rewritten by {@code converter}, and, when
   * {@code inverse} is given, clients on older versions keep seeing the field through it.
   */
  record Convert(String field, ValueConverter converter, ValueConverter inverse, int line) implements MigrationStep {
    public Convert {
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(converter, "converter");
    }
  }
}
