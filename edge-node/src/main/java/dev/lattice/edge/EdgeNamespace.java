package dev.lattice.edge;

import dev.lattice.replica.Namespace;
import dev.lattice.schema.CollectionSpec;
import dev.lattice.schema.Schema;
import dev.lattice.schema.project.Projector;
import java.util.Objects;
import java.util.Optional;

/**
 * One namespace as the node serves it: its replica handle and, unless it is schemaless, its
 * schema and the projector that shapes data for each client's version and claims.
 *
 * <p>Schemaless means: any collection, any field, and every authenticated caller reads and writes
 * everything. A namespace with a schema serves only the collections its current version declares,
 * and a user sees only what {@link Projector#project} lets through.
 */
public record EdgeNamespace(String name, Optional<Schema> schema, Optional<Projector> projector, Namespace namespace) {

  public EdgeNamespace {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(projector, "projector");
    Objects.requireNonNull(namespace, "namespace");
    if (schema.isPresent() != projector.isPresent()) {
      throw new IllegalArgumentException("namespace '" + name + "': a schema and its projector come together");
    }
  }

  static EdgeNamespace of(Namespace namespace, Optional<Schema> schema) {
    return new EdgeNamespace(namespace.name(), schema, schema.map(Projector::new), namespace);
  }

  public boolean schemaless() {
    return schema.isEmpty();
  }

  /** The current schema version's declaration of {@code collection}; empty if schemaless or undeclared. */
  public Optional<CollectionSpec> collectionSpec(String collection) {
    return schema.flatMap(s -> s.current().collection(collection));
  }

  /** True if the namespace serves {@code collection}: always when schemaless, else if declared. */
  public boolean serves(String collection) {
    return schema.isEmpty() || collectionSpec(collection).isPresent();
  }
}
