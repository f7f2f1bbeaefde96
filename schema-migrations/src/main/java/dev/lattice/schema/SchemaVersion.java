package dev.lattice.schema;

import dev.lattice.schema.migrate.MigrationStep;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One version of a namespace's schema, as one file declares it: every collection in full, and
 * how the previous version's documents become this version's.
 *
 * @param namespace the namespace
 * @param version 1, 2, 3...
 * @param file the file it was loaded from, for messages
 * @param collections the collections by name
 * @param migration the steps from version - 1, by collection; empty for version 1
 * @param minimumClientVersion the oldest version clients may still use, as this file states it, or
 *     null if it states none
 */
public record SchemaVersion(
    String namespace, int version, String file, Map<String, CollectionSpec> collections,
    Map<String, List<MigrationStep>> migration, Integer minimumClientVersion) {

  public SchemaVersion {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(file, "file");
    collections = Collections.unmodifiableMap(new TreeMap<>(collections));
    TreeMap<String, List<MigrationStep>> steps = new TreeMap<>();
    migration.forEach((c, s) -> steps.put(c, List.copyOf(s)));
    migration = Collections.unmodifiableMap(steps);
  }

  public Optional<CollectionSpec> collection(String name) {
    return Optional.ofNullable(collections.get(name));
  }

  /** The steps that bring {@code collection} from the previous version to this one. */
  public List<MigrationStep> steps(String collection) {
    return migration.getOrDefault(collection, List.of());
  }
}
