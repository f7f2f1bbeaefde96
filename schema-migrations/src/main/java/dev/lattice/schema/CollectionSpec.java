package dev.lattice.schema;

import dev.lattice.schema.access.AccessRules;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One collection in one schema version: its fields, access rules, and the fields the replication
 * manifest keeps on the server.
 *
 * @param name the collection's name
 * @param fields the declared fields by name, sorted
 * @param access who may read and write its documents
 * @param serverOnlyFields fields never sent to clients nor accepted from them
 */
public record CollectionSpec(String name, Map<String, FieldSpec> fields, AccessRules access, Set<String> serverOnlyFields) {

  public CollectionSpec {
    Objects.requireNonNull(name, "name");
    fields = Collections.unmodifiableMap(new TreeMap<>(fields));
    Objects.requireNonNull(access, "access");
    serverOnlyFields = Collections.unmodifiableSet(new TreeSet<>(serverOnlyFields));
  }

  public Optional<FieldSpec> field(String fieldName) {
    return Optional.ofNullable(fields.get(fieldName));
  }

  public boolean isServerOnly(String fieldName) {
    return serverOnlyFields.contains(fieldName);
  }
}
