package dev.lattice.edge.cli;

import static dev.lattice.edge.EdgeNodeTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.value.Value;
import dev.lattice.edge.EdgeNode;
import dev.lattice.edge.config.EdgeConfig;
import dev.lattice.replica.Collection;
import dev.lattice.replica.Replica;
import dev.lattice.replica.ReplicaOptions;
import dev.lattice.replica.Role;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code lattice import} run in-process against a real edge on port 0. */
@ExtendWith(VertxExtension.class)
class ImportCommandTest {
  @TempDir Path dir;
  private EdgeNode node;
  private String key;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void startEdge(Vertx vertx) throws Exception {
    EdgeCommand edge = new EdgeCommand();
    new CommandLine(edge).parseArgs("--data", dir.resolve("edge").toString(), "--port", "0");
    node = await(edge.start(vertx, new PrintWriter(new StringWriter())));
    key = Files.readString(dir.resolve("edge").resolve(EdgeConfig.DEV_KEY_FILE)).strip();
  }

  @AfterEach
  void stopEdge() {
    await(node.close());
  }

  private int lattice(String... args) {
    return new CommandLine(new LatticeCli()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
        .execute(args);
  }

  private String url() {
    return "ws://localhost:" + node.port();
  }

  private Path file(int count, int badLine, String bad) throws Exception {
    StringBuilder b = new StringBuilder();
    for (int i = 1; i <= count; i++) {
      b.append(i == badLine ? bad : "{\"collection\":\"tasks\",\"id\":\"t" + i + "\",\"fields\":{\"title\":\"task " + i
          + "\",\"votes\":" + i + ",\"done\":" + (i % 2 == 0) + ",\"tags\":[\"a\",1.5,null]}}").append('\n');
    }
    Path file = dir.resolve("tasks.jsonl");
    Files.writeString(file, b);
    return file;
  }

  private Collection edgeTasks() {
    return node.replica().namespace(EdgeConfig.DEV_NAMESPACE).collection("tasks");
  }

  @Test
  void importsEveryLineAndReturnsOnceTheEdgeAcknowledgedThem() throws Exception {
    Path file = file(2_500, -1, null);
    int code = lattice("import", file.toString(), "--url", url(), "--key", key, "--timeout", "20");
    assertThat(code).as("out: %s%nerr: %s", out, err).isZero();
    assertThat(out.toString()).containsPattern("imported 2500 documents into namespace dev in 3 batches, [0-9.]+ s;"
        + " the edge acknowledged every write");
    // Acknowledged means durable at the edge: every document is there now, without waiting.
    assertThat(edgeTasks().scan("", 10_000)).hasSize(2_500);
    Document t42 = edgeTasks().get("t42").orElseThrow();
    assertThat(t42.string("title")).contains("task 42");
    assertThat(t42.integer("votes")).hasValue(42);
    assertThat(t42.bool("done")).contains(true);
    assertThat(t42.value("tags")).contains(Value.ofList(List.of(Value.of("a"), Value.of(1.5), Value.NULL)));
  }

  @Test
  void withAStoreTheWritesAreKeptInTheFileToo() throws Exception {
    Path store = dir.resolve("client.mv.db");
    int code = lattice("import", file(10, -1, null).toString(), "--url", url(), "--key", key, "--store",
        store.toString(), "-n", "dev");
    assertThat(code).as("err: %s", err).isZero();
    assertThat(edgeTasks().scan("", 100)).hasSize(10);
    try (Replica local = Replica.open(store, ReplicaOptions.builder().role(Role.CLIENT).build())) {
      assertThat(local.namespace("dev").collection("tasks").scan("", 100)).hasSize(10);
      assertThat(local.namespace("dev").outbox().size()).as("all acknowledged").isZero();
    }
  }

  @Test
  void aBadLineIsNamedAndTheBatchesBeforeItReachTheEdge() throws Exception {
    Path file = file(2_500, 1_503, "{\"collection\":\"tasks\",\"id\":\"bad\",\"fields\":{\"nested\":{\"a\":1}}}");
    int code = lattice("import", file.toString(), "--url", url(), "--key", key);
    assertThat(code).isEqualTo(1);
    assertThat(out.toString()).contains("imported 1000 documents into namespace dev in 1 batch");
    assertThat(err.toString()).contains(file + " line 1503: field \"nested\" is an object",
        "imported before it: 1000 documents in 1 batch");
    assertThat(edgeTasks().scan("", 10_000)).hasSize(1_000);
    assertThat(edgeTasks().get("t1001")).isEmpty();
  }

  @Test
  void aWrongPortFailsWithinTheTimeoutAndReadsNothing() throws Exception {
    int free;
    try (ServerSocket s = new ServerSocket(0)) {
      free = s.getLocalPort();
    }
    long started = System.nanoTime();
    int code = lattice("import", file(3, -1, null).toString(), "--url", "ws://localhost:" + free, "--key", key,
        "--timeout", "2");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
    assertThat(code).isEqualTo(3);
    assertThat(err.toString()).contains("could not connect to ws://localhost:" + free + " within 2 s",
        "nothing was imported");
  }

  @Test
  void aRefusedCredentialFailsAtOnce() throws Exception {
    long started = System.nanoTime();
    int code = lattice("import", file(3, -1, null).toString(), "--url", url(), "--key", "not-a-key-of-this-edge",
        "--timeout", "20");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).as("refused, not timed out")
        .isLessThan(Duration.ofSeconds(15));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("the edge refused the session: ", "nothing was imported");
    assertThat(edgeTasks().scan("", 100)).isEmpty();
  }

  @Test
  void aMissingFileOrBadTimeoutIsReportedWithoutConnecting() {
    assertThat(lattice("import", dir.resolve("absent.jsonl").toString(), "--url", url(), "--key", key)).isEqualTo(1);
    assertThat(err.toString()).contains("no such file: " + dir.resolve("absent.jsonl"));
    assertThat(lattice("import", "x.jsonl", "--timeout", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--timeout must be positive");
    assertThat(lattice("--help")).isZero();
    assertThat(out.toString()).contains("import");
    assertThat(lattice("import", "--help")).isZero();
    assertThat(out.toString()).contains("JSON Lines", "--timeout", "--store", "Exit codes");
  }
}
