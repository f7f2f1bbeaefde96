package dev.lattice.edge.cli;

import dev.lattice.replica.Replica;
import dev.lattice.replica.Subscription;
import dev.lattice.replica.client.SyncClient;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code lattice watch tasks}: prints each document of the collection as it changes, until Ctrl-C. */
@Command(name = "watch", mixinStandardHelpOptions = true,
    description = "Prints every document of a collection, then each one again whenever it changes (Ctrl-C stops).")
public final class WatchCommand implements Callable<Integer> {
  @Mixin
  ClientOptions client;

  @Parameters(index = "0", paramLabel = "COLLECTION")
  String collection;

  @Override
  public Integer call() throws Exception {
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
    try (Replica replica = client.openReplica(); SyncClient sync = client.connect(replica)) {
      var docs = replica.namespace(client.namespace).collection(collection);
      sync.onStateChange(state -> System.err.println("-- " + state.name().toLowerCase(java.util.Locale.ROOT)));
      try (Subscription s = docs.listen(batch -> {
        for (String id : batch.documentIds()) {
          System.out.println(docs.get(id).map(d -> GetCommand.line(id, d))
              .orElse("{\"id\":\"" + id.replace("\"", "\\\"") + "\",\"deleted\":true}"));
        }
      })) {
        stop.await();
      }
      return 0;
    }
  }
}
