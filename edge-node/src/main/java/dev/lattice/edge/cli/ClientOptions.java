package dev.lattice.edge.cli;

import dev.lattice.edge.config.EdgeConfig;
import dev.lattice.replica.Replica;
import dev.lattice.replica.ReplicaOptions;
import dev.lattice.replica.Role;
import dev.lattice.replica.client.SyncClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * What every client command needs: where the edge is, the namespace, a credential, and the local
 * replica (in memory unless {@code --store} names a file, so that two terminals never contend for
 * one file lock).
 */
final class ClientOptions {
  @Option(names = "--url", paramLabel = "URL", description = "The edge, ws://host:port (default: ws://localhost:8080).")
  URI url = URI.create("ws://localhost:8080");

  @Option(names = {"-n", "--namespace"}, paramLabel = "NAME", description = "Namespace (default: dev).")
  String namespace = EdgeConfig.DEV_NAMESPACE;

  @Option(names = "--key", paramLabel = "CREDENTIAL",
      description = "API key or user token (default: the development key in ./data/dev-api-key).")
  String key;

  @Option(names = "--schema-version", paramLabel = "N",
      description = "The schema version this client speaks (default: 0, a schemaless namespace).")
  int schemaVersion;

  @Option(names = "--store", paramLabel = "FILE", description = "A local replica file (default: in memory).")
  Path store;

  @Option(names = "--json", description = "Use JSON text frames instead of CBOR.")
  boolean json;

  Replica openReplica() {
    ReplicaOptions options = ReplicaOptions.builder().role(Role.CLIENT).build();
    return store == null ? Replica.inMemory(options) : Replica.open(store, options);
  }

  SyncClient connect(Replica replica) throws IOException {
    return SyncClient.builder(replica, url.resolve("/v1/sync")).namespace(namespace).credential(credential())
        .schemaVersion(schemaVersion).json(json).build().start();
  }

  private String credential() throws IOException {
    if (key != null) {
      return key;
    }
    Path dev = EdgeConfig.DEFAULT_DATA_DIR.resolve(EdgeConfig.DEV_KEY_FILE);
    if (Files.isReadable(dev)) {
      return Files.readString(dev).trim();
    }
    throw new IllegalArgumentException("no credential: pass --key, or run from the directory holding ./data/"
        + EdgeConfig.DEV_KEY_FILE);
  }
}
