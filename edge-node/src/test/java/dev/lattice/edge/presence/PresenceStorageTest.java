package dev.lattice.edge.presence;

import static dev.lattice.edge.presence.PresenceTestKit.NS;
import static dev.lattice.edge.presence.PresenceTestKit.await;
import static dev.lattice.edge.presence.PresenceTestKit.join;
import static dev.lattice.edge.presence.PresenceTestKit.leave;
import static dev.lattice.edge.presence.PresenceTestKit.meter;
import static dev.lattice.edge.presence.PresenceTestKit.set;
import static dev.lattice.edge.presence.PresenceTestKit.token;
import static dev.lattice.edge.presence.PresenceTestKit.touch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lattice.edge.EdgeNode;
import dev.lattice.edge.config.EdgeConfig;
import dev.lattice.presence.PresenceConfig;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.replica.Namespace;
import dev.lattice.replica.log.DeltaPage;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Presence never reaches storage: across a burst of presence traffic the node's data directory
 * (the replica file included) stays byte-for-byte the same, the replica makes no commit, and no
 * namespace's committed vector, documents or delta log change.
 *
 * <p>Why the files are hashed while the node runs, after a flush: the replica writes a new chunk
 * each time it opens ({@code meta.format}) and closes (the clock), so hashes taken after two closes
 * differ even with nothing done in between. While the node is open, the only writer to the file is
 * the replica's committer (MVStore's background writer is off, log compaction runs hourly), so once
 * a flush has returned the file holds still; the commit counter then shows that nothing asked the
 * committer for a write during the traffic.
 */
@ExtendWith(VertxExtension.class)
class PresenceStorageTest {
  @TempDir
  Path dir;

  @Test
  void presenceTrafficLeavesTheStoreByteForByteUnchanged(Vertx vertx) throws Exception {
    Path data = dir.resolve("edge");
    EdgeConfig config = PresenceTestKit.config(data);
    PresenceEndpoint endpoint = new PresenceEndpoint(PresenceConfig.builder().tick(Duration.ofMillis(20)).build());

    EdgeNode node = PresenceTestKit.start(vertx, config, endpoint);
    Namespace ns = node.replica().namespace(NS);
    // Some stored data first, so there is something to disturb; then everything on disk.
    for (int i = 0; i < 20; i++) {
      int n = i;
      ns.collection("notes").update("n" + i, d -> d.set("title", "note " + n));
    }
    node.replica().flush();
    String before = hashes(data);
    assertThat(before).contains(EdgeNode.REPLICA_FILE);
    String vector = ns.committedVector().toString();
    int documents = ns.collection("notes").scan("", 10_000).size();
    DeltaPage log = ns.deltasSince(VersionVector.EMPTY, 1 << 20);
    double commits = meter(node, "lattice.replica.commits");
    double writes = meter(node, "lattice.replica.local.writes");

    List<PresenceWire> wires = new ArrayList<>();
    try {
      for (int i = 0; i < 5; i++) {
        wires.add(PresenceWire.welcomed(vertx, node.port(), NS, token(node, "user" + i)));
      }
      wires.add(PresenceWire.welcomed(vertx, node.port(), NS, PresenceTestKit.key(config)));
      for (PresenceWire w : wires) {
        // Room and collection names alike, to tempt any confusion of the two.
        w.send(join("notes", "{\"cursor\":[0,0]}"));
        w.send(join("n1", "{}"));
      }
      for (int k = 0; k < 30; k++) {
        for (PresenceWire w : wires) {
          w.send(set("notes", "{\"cursor\":[" + k + ",1],\"title\":\"note 1\"}"));
        }
        wires.get(k % wires.size()).send(touch("n1"));
      }
      wires.get(0).send(leave("n1"));
      wires.get(1).send("{\"t\":\"p-set\",\"room\":\"notes\",\"state\":{},\"user\":\"x\"}"); // refused
      wires.remove(2).close();
      PresenceWire watcher = wires.get(3);
      await().atMost(Duration.ofSeconds(20)).until(() -> watcher.frames.stream().map(PresenceWire.Arrival::frame)
          .filter(f -> f.room().equals("notes")).flatMap(f -> f.members().stream())
          .anyMatch(e -> e.state().contains("[29,1]")));
      await().atMost(Duration.ofSeconds(20)).until(() -> meter(node, PresenceMetrics.MEMBERS) == 9);

      assertThat(ns.committedVector().toString()).isEqualTo(vector);
      assertThat(ns.collection("notes").scan("", 10_000)).hasSize(documents);
      assertThat(ns.collection("n1").scan("", 10)).isEmpty();
      assertThat(ns.deltasSince(VersionVector.EMPTY, 1 << 20)).isEqualTo(log);
      assertThat(meter(node, "lattice.replica.commits")).isEqualTo(commits);
      assertThat(meter(node, "lattice.replica.local.writes")).isEqualTo(writes);
      wires.forEach(PresenceWire::close);
      await().atMost(Duration.ofSeconds(20)).until(() -> meter(node, PresenceMetrics.CONNECTIONS) == 0);
      assertThat(hashes(data)).as("the data directory after presence traffic").isEqualTo(before);
      assertThat(meter(node, "lattice.replica.commits")).isEqualTo(commits);
    } finally {
      wires.forEach(PresenceWire::close);
      await(node.close());
    }
  }

  /** Every file of the directory with its size and SHA-256, in name order. */
  private static String hashes(Path dir) throws Exception {
    StringBuilder b = new StringBuilder();
    try (var files = Files.walk(dir)) {
      for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
        byte[] bytes = Files.readAllBytes(p);
        b.append(dir.relativize(p)).append(' ').append(bytes.length).append(' ')
            .append(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes))).append('\n');
      }
    }
    return b.toString();
  }
}
