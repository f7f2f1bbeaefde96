package dev.lattice.edge.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One namespace the node serves.
 *
 * @param name the namespace, 1 to 64 of {@code [A-Za-z0-9_.-]} (the replica's rule)
 * @param schemaDir a directory of schema files ({@code SchemaLoader.loadDirectory}); empty for a
 *     schemaless namespace, where any collection and field may be written and every authenticated
 *     caller reads and writes everything
 * @param apiKeys keys that grant server claims on this namespace (peers, back ends, operators)
 */
public record NamespaceConfig(String name, Optional<Path> schemaDir, List<String> apiKeys) {
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  /** Printable ASCII without spaces: a key travels in an HTTP header. */
  static final Pattern API_KEY = Pattern.compile("[\\x21-\\x7e]{16,256}");

  /** @throws IllegalArgumentException naming the bad name or the index of the bad key */
  public NamespaceConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(schemaDir, "schemaDir");
    apiKeys = List.copyOf(apiKeys);
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("name must be 1 to 64 of [A-Za-z0-9_.-]: '" + name + "'");
    }
    for (int i = 0; i < apiKeys.size(); i++) {
      if (!API_KEY.matcher(apiKeys.get(i)).matches()) {
        throw new IllegalArgumentException("apiKeys[" + i + "] must be 16 to 256 printable ASCII characters"
            + " without spaces (it has " + apiKeys.get(i).length() + " characters)");
      }
    }
  }

  /** Like the record's, with the number of API keys instead of the keys. */
  @Override
  public String toString() {
    return "NamespaceConfig[name=" + name + ", schemaDir=" + schemaDir.map(Path::toString).orElse("(schemaless)")
        + ", apiKeys=" + apiKeys.size() + "]";
  }

  public static NamespaceConfig schemaless(String name, List<String> apiKeys) {
    return new NamespaceConfig(name, Optional.empty(), apiKeys);
  }
}
