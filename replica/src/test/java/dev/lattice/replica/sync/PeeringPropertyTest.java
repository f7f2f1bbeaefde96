package dev.lattice.replica.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.crdt.type.Document;
import dev.lattice.replica.RetentionPolicy;
import dev.lattice.replica.log.Delta;
import dev.lattice.replica.sync.SyncNet.Client;
import dev.lattice.replica.sync.SyncNet.Edge;
import dev.lattice.replica.sync.SyncNet.Peering;
import dev.lattice.schema.Claims;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Three edges peered pairwise, a client on each, driven by a seed: client writes, links cut and
 * dialled again (by either edge), clients leaving and coming back, logs trimmed on any edge, and
 * anti-entropy started from either end of a live link, so repairs cross and overlap catch-ups.
 * After every link and client is back, one anti-entropy round ran on each link and each client
 * reconnected once more, every edge holds the join of every write and every client holds its
 * edge's documents; the only errors on the wire are "reconnect to resume".
 */
class PeeringPropertyTest {
  static final String NS = "ns";
  static final String PEER_KEY = "peer-key";
  static final List<String> COLLECTIONS = ConvergencePropertyTest.COLLECTIONS;

  static java.util.stream.LongStream seeds() {
    return SyncNet.seeds();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void threePeeredEdgesAndTheirClientsConvergeThroughCutsTrimsAndCrossingRepairs(long seed) {
    try (SyncNet net = new SyncNet(seed)) {
      SplittableRandom random = new SplittableRandom(seed ^ 0x9ee5);
      net.drainChance = 0.05 + random.nextDouble() * 0.5;
      List<Edge> edges = new ArrayList<>();
      List<Client> clients = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        edges.add(net.edge("e" + i).serve(NS).credential(PEER_KEY, Claims.ofServer()).credential("k", Claims.user("u" + i)));
        clients.add(net.client("c" + i, NS));
      }
      int[][] pairs = {{0, 1}, {1, 2}, {0, 2}};
      Peering[] links = new Peering[pairs.length];
      for (int p = 0; p < pairs.length; p++) {
        links[p] = dial(net, edges, pairs[p], random);
      }
      for (int i = 0; i < 3; i++) {
        clients.get(i).connect(edges.get(i), "k");
      }
      List<Delta> written = new ArrayList<>();
      int steps = 40 + random.nextInt(80);
      for (int step = 0; step < steps; step++) {
        int k = random.nextInt(100);
        int i = random.nextInt(3);
        Client c = clients.get(i);
        int p = random.nextInt(pairs.length);
        if (k < 35) {
          ConvergencePropertyTest.write(c, random, written);
        } else if (k < 43) {
          links[p].connection.cut();
        } else if (k < 51) {
          if (!links[p].connection.isUp()) {
            links[p] = dial(net, edges, pairs[p], random);
          }
        } else if (k < 57) {
          if (c.session != null && c.connection.isUp()) {
            c.disconnect();
          } else {
            c.connect(edges.get(i), "k");
          }
        } else if (k < 61) {
          Edge e = edges.get(i);
          e.replica.flush();
          e.ns(NS).compactLog(new RetentionPolicy(random.nextInt(3), Duration.ofDays(365)));
        } else if (k < 67) {
          antiEntropy(links[p], random);
        } else {
          net.runTasks(1 + random.nextInt(40));
        }
      }
      // Heal: every link and client back. A link or client the other side drops is dialled again by
      // itself, as the edge's peer connector and a SyncClient do (a repair overtaken by a trimmed
      // log, or by a vector learned from another peer meanwhile, ends the session with "reconnect").
      for (int p = 0; p < pairs.length; p++) {
        redialOnClose(net, edges, pairs, links, p, random);
        if (!links[p].connection.isUp()) {
          links[p] = dial(net, edges, pairs[p], random);
          redialOnClose(net, edges, pairs, links, p, random);
        }
      }
      for (int i = 0; i < 3; i++) {
        Client c = clients.get(i);
        Edge e = edges.get(i);
        c.onClosed = () -> c.connect(e, "k");
        if (c.session == null || !c.connection.isUp()) {
          c.connect(e, "k");
        }
      }
      Runnable waitLive = () -> net.runUntil("links and clients live", () -> clients.stream().allMatch(Client::synced)
          && java.util.Arrays.stream(links).allMatch(Peering::live));
      waitLive.run();
      net.settle();
      for (int p = 0; p < pairs.length; p++) {
        waitLive.run();
        net.settle();
        Peering link = links[p];
        assertThat(antiEntropy(link, random)).as("seed %d: anti-entropy on %s-%s", seed, link.from.name, link.to.name)
            .isTrue();
        net.settle();
      }
      waitLive.run();
      net.settle();
      // Clients reconnect once more: a live client can miss documents its edge joined from a peer's
      // states (PeeringTest#aClientConnectingAfterItsEdgeJoinedForwardedStatesGetsThem); a new
      // session is repaired from the edge's vector.
      for (int i = 0; i < 3; i++) {
        clients.get(i).connect(edges.get(i), "k");
      }
      waitLive.run();
      net.settle();

      Map<String, Map<String, Document>> expected = ConvergencePropertyTest.joinOf(written);
      for (Edge e : edges) {
        for (String collection : COLLECTIONS) {
          net.assertSame(expected.getOrDefault(collection, Map.of()), e.visible(NS, collection),
              "edge " + e.name + "'s " + collection + " vs the join of every write");
        }
      }
      for (int i = 0; i < 3; i++) {
        net.assertConverged(edges.get(i), NS, COLLECTIONS, clients.get(i));
        assertThat(clients.get(i).ns().outbox().size()).as("seed %d: c%d's outbox", seed, i).isZero();
      }
      for (Edge e : edges) {
        for (SyncNet.End end : e.ends) {
          assertThat(end.errorsIn).as("seed %d: errors sent to %s", seed, e.name).allMatch(PeeringPropertyTest::reconnect);
        }
      }
      for (Client c : clients) {
        assertThat(c.errors).as("seed %d: errors sent to %s", seed, c.name).allMatch(PeeringPropertyTest::reconnect);
      }
      assertThat(net.failures).isEmpty();
    }
  }

  static boolean reconnect(SyncMessage.Error e) {
    return e.code().equals(ErrorCode.INTERNAL.wire()) && e.message().contains("reconnect to resume");
  }

  static void redialOnClose(SyncNet net, List<Edge> edges, int[][] pairs, Peering[] links, int p,
      SplittableRandom random) {
    Peering current = links[p];
    current.onClosed = () -> {
      if (links[p] == current) {
        links[p] = dial(net, edges, pairs[p], random);
        redialOnClose(net, edges, pairs, links, p, random);
      }
    };
  }

  /** A new link between the pair, dialled by either edge. */
  static Peering dial(SyncNet net, List<Edge> edges, int[] pair, SplittableRandom random) {
    boolean flip = random.nextBoolean();
    Edge from = edges.get(flip ? pair[1] : pair[0]);
    Edge to = edges.get(flip ? pair[0] : pair[1]);
    Peering p = net.peer(from, to, NS, PEER_KEY);
    p.connection.delay = random.nextInt(3) == 0 ? random.nextDouble() * 0.5 : 0;
    return p;
  }

  /** Starts anti-entropy from one end of a live link (the dialling PeerLink or the accepting session). */
  static boolean antiEntropy(Peering link, SplittableRandom random) {
    if (!link.live()) {
      return false;
    }
    if (random.nextBoolean()) {
      return link.link.repairNow();
    }
    ServerSession mine = sessionOf(link);
    return mine != null ? mine.repairNow() : link.link.repairNow();
  }

  /** The accepting edge's session of this link. */
  static ServerSession sessionOf(Peering link) {
    return link.to.sessionByEnd.get(link.connection.b);
  }
}
