package dev.lattice.edge.sync;

import static dev.lattice.edge.sync.EdgeTestKit.await;
import static dev.lattice.edge.sync.EdgeTestKit.client;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lattice.edge.config.EdgeConfig;
import dev.lattice.replica.Replica;
import dev.lattice.replica.ReplicaOptions;
import dev.lattice.replica.Role;
import dev.lattice.replica.client.SyncClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The WebSocket surface of {@code /v1/sync}: the {@code Origin} check, per-message deflate left
 * off whatever a client offers, and the Prometheus meters a sync moves.
 */
class EdgeWebSocketHygieneTest {
  private static final String NS = EdgeConfig.DEV_NAMESPACE;

  @TempDir
  Path dir;

  private Vertx vertx;
  private SyncService edge;
  private int port;
  private String key;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    Path data = dir.resolve("edge");
    edge = EdgeTestKit.startEdge(vertx, EdgeConfig.embeddedDefaults(data, 0).toBuilder().host("127.0.0.1").build());
    port = edge.node().port();
    key = Files.readString(data.resolve(EdgeConfig.DEV_KEY_FILE)).trim();
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    await(edge.node().close());
    await(vertx.close());
  }

  private <T extends AutoCloseable> T closeLater(T c) {
    closeables.add(c);
    return c;
  }

  @Test
  void anUpgradeFromAForeignOriginIsRefusedWith403() throws Exception {
    Throwable refused = WireClient.tryUpgrade(vertx, port, Map.of("Origin", "https://evil.example"))
        .toCompletionStage().toCompletableFuture().handle((ws, failure) -> failure).get();
    assertThat(refused).isInstanceOf(UpgradeRejectedException.class);
    assertThat(((UpgradeRejectedException) refused).getStatus()).isEqualTo(403);

    // The node's own origin and a native client (no Origin) are let in.
    WebSocket own = await(WireClient.tryUpgrade(vertx, port, Map.of("Origin", "http://localhost:" + port)));
    assertThat(own).isNotNull();
    assertThat(await(WireClient.tryUpgrade(vertx, port, Map.of()))).isNotNull();
    assertThat(edge.node().metrics().scrape())
        .containsPattern("lattice_websocket_refused_total\\{reason=\"origin\"\\} 1.0");
  }

  @Test
  void aClientOfferingPerMessageDeflateGetsNoDeflate() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout((int) EdgeTestKit.TIMEOUT.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + SyncEndpoint.PATH + " HTTP/1.1\r\n"
          + "Host: localhost:" + port + "\r\n"
          + "Upgrade: websocket\r\n"
          + "Connection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Sec-WebSocket-Version: 13\r\n"
          + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, x-webkit-deflate-frame\r\n"
          + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String head = readHead(socket.getInputStream());
      List<String> lines = Arrays.asList(head.split("\r\n"));
      assertThat(lines.get(0)).as(head).startsWith("HTTP/1.1 101");
      assertThat(lines).as(head).anyMatch(l -> l.toLowerCase(Locale.ROOT).startsWith("sec-websocket-accept:"));
      assertThat(lines).as(head).noneMatch(l -> l.toLowerCase(Locale.ROOT).startsWith("sec-websocket-extensions"));
      assertThat(head.toLowerCase(Locale.ROOT)).doesNotContain("deflate");
    }
  }

  /** The response head, up to the blank line. */
  private static String readHead(InputStream in) throws Exception {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < end.length) {
      int b = in.read();
      assertThat(b).as("the response head ends before the stream: %s", head).isNotNegative();
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  @Test
  void metricsAfterASyncShowDeltasOutAndSessions() throws Exception {
    String scrape = syncTwoClientsAndScrape();
    assertThat(meter(scrape, "lattice_deltas_out_total", NS)).as(scrape).isGreaterThan(0);
    assertThat(meter(scrape, "lattice_sessions", NS)).as(scrape).isEqualTo(2);
    assertThat(meter(scrape, "lattice_websocket_connections", null)).as(scrape).isEqualTo(2);
    assertThat(meter(scrape, "lattice_ws_received_bytes_total", null)).as(scrape).isGreaterThan(0);
    assertThat(meter(scrape, "lattice_ws_sent_bytes_total", null)).as(scrape).isGreaterThan(0);
    assertThat(meter(scrape, "lattice_ack_latency_seconds_count", null)).as(scrape).isGreaterThan(0);

    // The gauges come back down when the clients leave.
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.remove(i).close();
    }
    await().atMost(EdgeTestKit.TIMEOUT).untilAsserted(() -> {
      String after = EdgeTestKit.get(port, "/metrics").body();
      assertThat(meter(after, "lattice_sessions", NS)).isZero();
      assertThat(meter(after, "lattice_websocket_connections", null)).isZero();
    });
  }

  @Test
  void metricsAfterASyncCountTheDeltasClientsPushed() throws Exception {
    String scrape = syncTwoClientsAndScrape();
    assertThat(meter(scrape, "lattice_deltas_in_total", NS)).as(scrape).isEqualTo(3);
  }

  /** Client a pushes three writes, client b receives them; the scrape while both are connected. */
  private String syncTwoClientsAndScrape() throws Exception {
    Replica a = closeLater(Replica.inMemory(ReplicaOptions.builder().role(Role.CLIENT).build()));
    Replica b = closeLater(Replica.inMemory(ReplicaOptions.builder().role(Role.CLIENT).build()));
    SyncClient ca = closeLater(client(a, port, NS, key).build().start());
    SyncClient cb = closeLater(client(b, port, NS, key).json(true).build().start());
    await(ca.awaitSynced());
    await(cb.awaitSynced());
    for (int i = 0; i < 3; i++) {
      int n = i;
      await(ca.confirmation(a.namespace(NS).collection("tasks").update("t" + i, d -> d.set("n", n))));
    }
    await().atMost(EdgeTestKit.TIMEOUT).until(() -> b.namespace(NS).collection("tasks").scan("", 10).size() == 3);
    var response = EdgeTestKit.get(port, "/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  /** The value of a Prometheus sample, by name and (if not null) its namespace label. */
  private static double meter(String scrape, String name, String namespace) {
    Pattern p = Pattern.compile("^" + Pattern.quote(name) + "(\\{([^}]*)\\})? (\\S+)$", Pattern.MULTILINE);
    Matcher m = p.matcher(scrape);
    while (m.find()) {
      String labels = m.group(2) == null ? "" : m.group(2);
      if (namespace == null || labels.contains("namespace=\"" + namespace + "\"")) {
        return Double.parseDouble(m.group(3));
      }
    }
    throw new AssertionError("no sample " + name + (namespace == null ? "" : "{namespace=" + namespace + "}"));
  }
}
