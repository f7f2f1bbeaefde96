package dev.lattice.edge.cli;

import dev.lattice.replica.Durability;
import dev.lattice.replica.JsonLinesImport;
import dev.lattice.replica.Replica;
import dev.lattice.replica.ReplicaException;
import dev.lattice.replica.Subscription;
import dev.lattice.replica.client.SyncClient;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code lattice import tasks.jsonl}: writes every line of a JSON Lines file (the format of
 * {@link JsonLinesImport}) into the local replica, and waits until the edge has acknowledged
 * every write.
 *
 * <p>Steps: connect (the edge must welcome the session within {@code --timeout}, so a wrong port
 * or a refused credential ends the command before anything is read), import in batches of
 * {@value JsonLinesImport#BATCH_SIZE} (the client pushes while the import goes on), then wait
 * until the outbound queue is empty. That last wait fails only when no write has been
 * acknowledged for {@code --timeout} seconds, so a large file is not cut short by a fixed
 * deadline. A bad line stops the import as in {@link JsonLinesImport}; what came before it is
 * still sent and acknowledged, then the command reports the line and exits 1.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = {"Imports documents from a JSON Lines file, one per line:",
        "  {\"collection\":\"tasks\",\"id\":\"t1\",\"fields\":{\"title\":\"Buy milk\",\"votes\":3}}",
        "and waits until the edge acknowledges every write. Each field is a last-writer-wins field.",
        "Exit codes: 0 done; 1 a bad line or an unreadable file (documents before its batch are imported);"
            + " 2 bad usage, or the edge refused the session or some writes; 3 the edge did not answer within"
            + " --timeout."},
    sortOptions = false)
public final class ImportCommand implements Callable<Integer> {
  /** How often the wait for acknowledgements looks at the outbound queue. */
  private static final long POLL_MILLIS = 20;

  @Mixin
  ClientOptions client;

  @Parameters(index = "0", paramLabel = "FILE", description = "A JSON Lines file (UTF-8); '-' reads standard input.")
  String file;

  @Option(names = "--timeout", paramLabel = "SECONDS",
      description = "How long to wait for the edge: to welcome the session, and for each next acknowledgement"
          + " (default: 30).")
  long timeoutSeconds = 30;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (timeoutSeconds <= 0) {
      throw new ParameterException(spec.commandLine(), "--timeout must be positive, got " + timeoutSeconds);
    }
    try {
      return run(out, err);
    } catch (ReplicaException e) {
      err.println("lattice import: " + e.getMessage());
      return 1;
    } catch (IllegalArgumentException e) {
      err.println("lattice import: " + e.getMessage());
      return 2;
    } finally {
      out.flush();
      err.flush();
    }
  }

  private int run(PrintWriter out, PrintWriter err) throws Exception {
    long started = System.nanoTime();
    Reader in;
    try {
      in = file.equals("-") ? new InputStreamReader(System.in, StandardCharsets.UTF_8.newDecoder())
          : Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      err.println("lattice import: no such file: " + file);
      return 1;
    } catch (IOException e) {
      err.println("lattice import: cannot read " + file + ": " + e);
      return 1;
    }
    try (in; Replica replica = client.openReplica(); SyncClient sync = client.connect(replica)) {
      String unreachable = awaitOnline(sync);
      if (unreachable != null) {
        err.println("lattice import: " + unreachable + "; nothing was imported");
        return sync.state() == SyncClient.State.FAILED ? 2 : 3;
      }
      AtomicLong rejected = new AtomicLong();
      AtomicReference<String> firstRejection = new AtomicReference<>();
      JsonLinesImport.Report report;
      JsonLinesImport.ImportException failure = null;
      try (Subscription s = replica.namespace(client.namespace).outbox().onRejected((write, code, message) -> {
        rejected.incrementAndGet();
        firstRejection.compareAndSet(null, write.collection() + "/" + write.documentId() + ": " + code + ": " + message);
      })) {
        try {
          report = JsonLinesImport.run(replica, client.namespace, in, Durability.COMMIT);
        } catch (JsonLinesImport.ImportException e) {
          failure = e;
          report = e.imported();
        }
        String stalled = awaitAcknowledged(sync);
        if (stalled != null) {
          err.println("lattice import: " + report.documents() + " documents imported locally, but " + stalled + "; "
              + (client.store == null ? "they are lost with this in-memory replica (use --store FILE to keep them)"
                  : "they stay queued in " + client.store + " and are sent by the next command using --store "
                      + client.store));
          if (failure != null) {
            err.println("lattice import: " + file + " " + failure.getMessage());
          }
          return sync.state() == SyncClient.State.FAILED ? 2 : 3;
        }
      }
      String took = String.format(Locale.ROOT, "%.2f s", (System.nanoTime() - started) / 1e9);
      out.println("imported " + report.documents() + " documents into namespace " + client.namespace + " in "
          + report.batches() + (report.batches() == 1 ? " batch, " : " batches, ") + took + (rejected.get() == 0
              ? "; the edge acknowledged every write" : "; the edge rejected " + rejected.get() + " of them"));
      if (failure != null) {
        err.println("lattice import: " + file + " " + failure.getMessage());
        return 1;
      }
      if (rejected.get() > 0) {
        err.println("lattice import: the edge rejected " + rejected.get() + " writes; the first: " + firstRejection.get());
        return 2;
      }
      return 0;
    }
  }

  /** Null once the edge welcomed the session, else why not (refused, or no answer in time). */
  private String awaitOnline(SyncClient sync) throws InterruptedException {
    CompletableFuture<SyncClient.State> settled = new CompletableFuture<>();
    try (Subscription s = sync.onStateChange(state -> {
      if (state == SyncClient.State.ONLINE || state == SyncClient.State.FAILED) {
        settled.complete(state);
      }
    })) {
      SyncClient.State now = sync.state();
      if (now == SyncClient.State.ONLINE || now == SyncClient.State.FAILED) {
        settled.complete(now);
      }
      try {
        if (settled.get(timeoutSeconds, TimeUnit.SECONDS) == SyncClient.State.ONLINE) {
          return null;
        }
        return refusal(sync);
      } catch (TimeoutException e) {
        return "could not connect to " + client.url + " within " + timeoutSeconds + " s (the client is "
            + sync.state().name().toLowerCase(Locale.ROOT) + "; is the address or port wrong, or the edge down?)"
            + lastError(sync);
      } catch (ExecutionException e) {
        return "connecting failed: " + e.getCause();
      }
    }
  }

  /**
   * Waits until every queued write is acknowledged (or rejected); null then, else why not: the edge
   * refused the session, or no write was acknowledged for the timeout.
   */
  private String awaitAcknowledged(SyncClient sync) throws InterruptedException {
    long last = sync.pending();
    long lastProgress = System.nanoTime();
    while (last > 0) {
      if (sync.state() == SyncClient.State.FAILED) {
        return last + " writes are not acknowledged: " + refusal(sync);
      }
      if (System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(timeoutSeconds)) {
        return last + " writes are not acknowledged: no acknowledgement within " + timeoutSeconds + " s (the client is "
            + sync.state().name().toLowerCase(Locale.ROOT) + ")" + lastError(sync);
      }
      Thread.sleep(POLL_MILLIS);
      long now = sync.pending();
      if (now < last) {
        lastProgress = System.nanoTime();
      }
      last = now;
    }
    return null;
  }

  private static String refusal(SyncClient sync) {
    var e = sync.lastError();
    return "the edge refused the session" + (e == null ? "" : ": " + e.code() + ": " + e.message());
  }

  private static String lastError(SyncClient sync) {
    var e = sync.lastError();
    return e == null ? "" : "; the edge last said " + e.code() + ": " + e.message();
  }
}
