package dev.lattice.edge.cli;

import dev.lattice.crdt.type.Document;
import dev.lattice.edge.http.DocumentJson;
import dev.lattice.replica.Replica;
import dev.lattice.replica.client.SyncClient;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lattice get tasks [t1]}: syncs, then prints one document or the collection as JSON. */
@Command(name = "get", mixinStandardHelpOptions = true,
    description = "Syncs with the edge, then prints a document (or every document of the collection) as JSON.")
public final class GetCommand implements Callable<Integer> {
  @Mixin
  ClientOptions client;

  @Parameters(index = "0", paramLabel = "COLLECTION")
  String collection;

  @Parameters(index = "1", arity = "0..1", paramLabel = "ID")
  String id;

  @Option(names = "--limit", description = "At most this many documents when listing (default: 100).")
  int limit = 100;

  @Override
  public Integer call() throws Exception {
    try (Replica replica = client.openReplica(); SyncClient sync = client.connect(replica)) {
      sync.awaitSynced().get(60, TimeUnit.SECONDS);
      var docs = replica.namespace(client.namespace).collection(collection);
      if (id != null) {
        Optional<Document> d = docs.get(id);
        if (d.isEmpty()) {
          System.err.println(collection + "/" + id + " not found");
          return 1;
        }
        System.out.println(line(id, d.get()));
        return 0;
      }
      for (Map.Entry<String, Document> e : docs.scan("", limit)) {
        System.out.println(line(e.getKey(), e.getValue()));
      }
      return 0;
    }
  }

  static String line(String id, Document document) {
    return new JsonObject().put("id", id).put("fields", DocumentJson.render(document)).encode();
  }
}
