package dev.lattice.edge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lattice.replica.DocumentWriter;
import dev.lattice.replica.Replica;
import dev.lattice.replica.WriteReceipt;
import dev.lattice.replica.client.SyncClient;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lattice put tasks t1 title="Buy milk" done=false votes+=1}: one write, confirmed by the edge. */
@Command(name = "put", mixinStandardHelpOptions = true,
    description = "Writes one document's fields and waits until the edge acknowledges the write.")
public final class PutCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Mixin
  ClientOptions client;

  @Parameters(index = "0", paramLabel = "COLLECTION")
  String collection;

  @Parameters(index = "1", paramLabel = "ID")
  String id;

  @Parameters(index = "2..*", paramLabel = "FIELD=VALUE",
      description = "field=value sets a field (value parsed as JSON if it is a JSON number, true, false or"
          + " \"string\"; otherwise taken as text); field+=N increments a counter.")
  List<String> assignments = List.of();

  @Option(names = "--delete", description = "Delete the document instead.")
  boolean delete;

  @Option(names = "--timeout", paramLabel = "SECONDS", description = "How long to wait for the ack (default: 30).")
  long timeoutSeconds = 30;

  @Override
  public Integer call() throws Exception {
    if (!delete && assignments.isEmpty()) {
      throw new IllegalArgumentException("nothing to write: give field=value pairs or --delete");
    }
    try (Replica replica = client.openReplica(); SyncClient sync = client.connect(replica)) {
      var docs = replica.namespace(client.namespace).collection(collection);
      WriteReceipt receipt = delete ? docs.delete(id) : docs.update(id, doc -> assignments.forEach(a -> apply(doc, a)));
      try {
        sync.confirmation(receipt).get(timeoutSeconds, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        System.err.println(e.getCause().getMessage());
        return 2;
      } catch (TimeoutException e) {
        System.err.println("no ack within " + timeoutSeconds + " s" + (sync.lastError() == null ? ""
            : "; the edge said " + sync.lastError().code() + ": " + sync.lastError().message()));
        return 3;
      }
      System.out.println("ok " + receipt.dot());
      return 0;
    }
  }

  static void apply(DocumentWriter doc, String assignment) {
    int plus = assignment.indexOf("+=");
    int eq = assignment.indexOf('=');
    if (plus > 0 && plus < eq) {
      doc.increment(assignment.substring(0, plus), Long.parseLong(assignment.substring(plus + 2).trim()));
      return;
    }
    if (eq < 1) {
      throw new IllegalArgumentException("expected field=value or field+=N, got '" + assignment + "'");
    }
    String field = assignment.substring(0, eq);
    String raw = assignment.substring(eq + 1);
    JsonNode parsed = null;
    try {
      parsed = JSON.readTree(raw);
    } catch (Exception notJson) {
      // plain text
    }
    if (parsed != null && parsed.isIntegralNumber() && parsed.canConvertToLong()) {
      doc.set(field, parsed.asLong());
    } else if (parsed != null && parsed.isNumber()) {
      doc.set(field, parsed.asDouble());
    } else if (parsed != null && parsed.isBoolean()) {
      doc.set(field, parsed.asBoolean());
    } else if (parsed != null && parsed.isTextual()) {
      doc.set(field, parsed.asText());
    } else {
      doc.set(field, raw);
    }
  }
}
