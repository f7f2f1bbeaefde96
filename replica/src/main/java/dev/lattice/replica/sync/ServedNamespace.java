package dev.lattice.replica.sync;

import dev.lattice.replica.Namespace;
import dev.lattice.schema.project.Projector;
import java.util.Objects;
import java.util.Optional;

/** A namespace an edge serves, with the projector of its schema (none for a schemaless namespace). */
public record ServedNamespace(Namespace namespace, Optional<Projector> projector) {
  public ServedNamespace {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(projector, "projector");
  }

  /** The schema version its data is stored in; 0 for a schemaless namespace. */
  public int schemaVersion() {
    return projector.map(p -> p.schema().currentVersion()).orElse(0);
  }
}
