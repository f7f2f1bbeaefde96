package dev.lattice.edge.presence;

import dev.lattice.edge.EdgeNode;
import dev.lattice.edge.config.EdgeConfig;
import dev.lattice.edge.config.Limits;
import dev.lattice.edge.http.SocketEndpoint;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Measurement;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Starting nodes with the presence endpoint, credentials, and reading the presence meters. */
final class PresenceTestKit {
  /** A fixed token secret, so tokens stay valid across a restart of the node. */
  static final String SECRET = "presence-tests-secret-0123456789abcdef";
  static final String NS = EdgeConfig.DEV_NAMESPACE;

  private PresenceTestKit() {}

  static EdgeConfig config(Path dir, int port, Limits limits) throws Exception {
    return EdgeConfig.embeddedDefaults(dir, port).toBuilder().tokenSecret(SECRET).limits(limits).build();
  }

  static EdgeConfig config(Path dir) throws Exception {
    return config(dir, 0, Limits.DEFAULT);
  }

  static EdgeNode start(Vertx vertx, EdgeConfig config, PresenceEndpoint endpoint) throws Exception {
    return await(EdgeNode.start(vertx, config, Map.<String, SocketEndpoint>of(PresenceEndpoint.PATH, endpoint)));
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** The API key of the embedded defaults' namespace. */
  static String key(EdgeConfig config) {
    return config.namespace(NS).orElseThrow().apiKeys().get(0);
  }

  static String token(EdgeNode node, String user) {
    return node.tokenSigner().issue(NS, user, List.of(), Duration.ofHours(1));
  }

  /** The sum of the first measurement of every meter named {@code name} with these tags (key, value, ...). */
  static double meter(EdgeNode node, String name, String... tags) {
    double sum = 0;
    for (Meter m : node.metrics().registry().find(name).tags(tags).meters()) {
      for (Measurement x : m.measure()) {
        sum += x.getValue();
        break;
      }
    }
    return sum;
  }

  /** A port nothing listens on now, for a node that must come back on the same address. */
  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String join(String room, String state) {
    return "{\"t\":\"p-join\",\"room\":\"" + room + "\",\"state\":" + state + "}";
  }

  static String set(String room, String state) {
    return "{\"t\":\"p-set\",\"room\":\"" + room + "\",\"state\":" + state + "}";
  }

  static String leave(String room) {
    return "{\"t\":\"p-leave\",\"room\":\"" + room + "\"}";
  }

  static String touch(String room) {
    return "{\"t\":\"p-touch\",\"room\":\"" + room + "\"}";
  }
}
