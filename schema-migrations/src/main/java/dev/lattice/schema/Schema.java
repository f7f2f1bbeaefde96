package dev.lattice.schema;

import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * All versions of one namespace's schema, 1 to {@link #currentVersion()}, checked against each
 * other by the loader. The newest version is the one the server stores documents in; clients may
 * use any version from {@link #minimumClientVersion()} up.
 */
public final class Schema {
  private final String namespace;
  private final List<SchemaVersion> versions;
  private final int minimumClientVersion;

  /**
   * @throws IllegalArgumentException if versions are not 1..n of one namespace, or the minimum is
   *     outside 1..n
   */
  public Schema(List<SchemaVersion> versions, int minimumClientVersion) {
    if (versions.isEmpty()) {
      throw new IllegalArgumentException("a schema needs at least one version");
    }
    this.namespace = versions.get(0).namespace();
    for (int i = 0; i < versions.size(); i++) {
      SchemaVersion v = versions.get(i);
      if (v.version() != i + 1 || !v.namespace().equals(namespace)) {
        throw new IllegalArgumentException("version " + (i + 1) + " of '" + namespace + "' expected, got version "
            + v.version() + " of '" + v.namespace() + "'");
      }
    }
    if (minimumClientVersion < 1 || minimumClientVersion > versions.size()) {
      throw new IllegalArgumentException("minimum client version " + minimumClientVersion + " is outside 1.." + versions.size());
    }
    this.versions = Collections.unmodifiableList(List.copyOf(versions));
    this.minimumClientVersion = minimumClientVersion;
  }

  public String namespace() {
    return namespace;
  }

  public int currentVersion() {
    return versions.size();
  }

  public SchemaVersion current() {
    return versions.get(versions.size() - 1);
  }

  public int minimumClientVersion() {
    return minimumClientVersion;
  }

  /** True if {@code version} is one of this schema's. */
  public boolean has(int version) {
    return version >= 1 && version <= versions.size();
  }

  /** @throws IllegalArgumentException if there is no such version */
  public SchemaVersion version(int version) {
    if (!has(version)) {
      throw new IllegalArgumentException("namespace '" + namespace + "' has no schema version " + version
          + " (it has 1.." + versions.size() + ")");
    }
    return versions.get(version - 1);
  }

  public List<SchemaVersion> versions() {
    return versions;
  }

  /**
   * Checks a client's version before any data flows.
   *
   * @throws RejectedException with {@code UPGRADE_REQUIRED} below the minimum, {@code UNKNOWN_VERSION}
   *     above the newest (a client ahead of its server) or below 1
   */
  public void requireUsable(int clientVersion) {
    if (clientVersion > versions.size() || clientVersion < 1) {
      throw new RejectedException(RejectedException.Reason.UNKNOWN_VERSION, null, null, null,
          "schema version " + clientVersion + " of namespace '" + namespace + "' is unknown; this server knows 1.."
              + versions.size());
    }
    if (clientVersion < minimumClientVersion) {
      throw new RejectedException(RejectedException.Reason.UPGRADE_REQUIRED, null, null, null,
          "schema version " + clientVersion + " of namespace '" + namespace + "' is below the minimum "
              + minimumClientVersion + "; upgrade the client to version " + minimumClientVersion + " or later");
    }
  }

  @Override
  public String toString() {
    return "Schema[" + namespace + " v1.." + versions.size() + ", clients from v" + minimumClientVersion + "]";
  }
}
