package dev.lattice.replica.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.replica.Replica;
import dev.lattice.replica.ReplicaOptions;
import dev.lattice.replica.Role;
import dev.lattice.replica.sync.SyncNet.Client;
import dev.lattice.replica.sync.SyncNet.Connection;
import dev.lattice.replica.sync.SyncNet.Edge;
import dev.lattice.replica.sync.SyncNet.Fate;
import dev.lattice.schema.Claims;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An edge on disk is closed while a client's pushes are in flight (some acked, some processed but
 * unacked, some never delivered, some arriving after the close) and reopened: everything acked is
 * there, everything else is pushed again and arrives, and a retried write counts once.
 */
class EdgeRestartTest {
  static final String NS = "team";

  @TempDir Path dir;

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void anEdgeRestartedMidPushLosesNothingAcked(long seed) {
    Path file = dir.resolve("edge-" + seed + ".mv.db");
    try (SyncNet net = new SyncNet(seed)) {
      ReplicaOptions options = net.options(Role.EDGE).build();
      Edge edge = net.edge("edge", Replica.open(file, options)).serve(NS)
          .credential("k-alice", Claims.user("alice")).credential("k-bob", Claims.user("bob"));
      ReplicaId edgeId = edge.replica.id();
      Client alice = net.client("alice", NS);
      Client bob = net.client("bob", NS);
      Connection aliceConn = alice.connect(edge, "k-alice");
      Connection bobConn = bob.connect(edge, "k-bob");
      net.runUntil("both live", () -> alice.live() && bob.live());

      for (int i = 0; i < 10; i++) {
        alice.write("c", "before" + i, w -> w.increment("n", 1));
      }
      net.runUntil("alice synced", alice::synced);

      // Mid-push: from here, some acks are lost, then some pushes never arrive.
      SplittableRandom random = new SplittableRandom(seed);
      int acksLeft = random.nextInt(3);
      int pushesLeft = acksLeft + 1 + random.nextInt(3);
      int[] counts = {0, 0};
      aliceConn.fate = m -> {
        if (m instanceof SyncMessage.Ack) {
          return counts[0]++ < acksLeft ? Fate.DELIVER : Fate.DROP;
        }
        if (m instanceof SyncMessage.Push) {
          return counts[1]++ < pushesLeft ? Fate.DELIVER : Fate.DROP;
        }
        return Fate.DELIVER;
      };
      for (int i = 0; i < 12; i++) {
        alice.write("c", "during" + (i % 5), w -> w.increment("n", 1).set("last", "x"));
        net.runTasks(random.nextInt(4));
      }
      net.runTasks(random.nextInt(20));
      // The edge goes down with the connections still up: whatever arrives now meets a closed replica.
      net.closeReplica(edge.replica);
      net.settle();
      aliceConn.cut();
      bobConn.cut();

      Set<Dot> acked = new HashSet<>();
      alice.acks.forEach(a -> acked.addAll(a.acked()));
      assertThat(acked).as("some writes were acked before the restart").hasSizeGreaterThanOrEqualTo(10);
      assertThat(alice.ns().outbox().size()).as("some were not").isPositive();

      edge.restart(Replica.open(file, options));
      assertThat(edge.replica.id()).isEqualTo(edgeId);
      for (Dot dot : acked) {
        assertThat(edge.ns(NS).vector().covers(dot)).as("acked %s survives the restart", dot).isTrue();
      }

      Connection again = alice.connect(edge, "k-alice");
      bob.connect(edge, "k-bob");
      net.runUntil("both synced after the restart", () -> alice.synced() && bob.synced());
      net.settle();
      assertThat(again.a.sent).as("unacked writes are pushed again").anyMatch(m -> m instanceof SyncMessage.Push);
      net.assertConverged(edge, NS, List.of("c"), alice, bob);
      long total = 0;
      for (var e : edge.visible(NS, "c").entrySet()) {
        total += e.getValue().fields().counter("n").value();
      }
      assertThat(total).as("22 increments, each counted once").isEqualTo(22);
      assertThat(net.failures).isEmpty();
    }
  }
}
