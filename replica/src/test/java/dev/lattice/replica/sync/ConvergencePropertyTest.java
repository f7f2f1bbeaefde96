package dev.lattice.replica.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.value.Value;
import dev.lattice.replica.RetentionPolicy;
import dev.lattice.replica.log.Delta;
import dev.lattice.replica.sync.SyncNet.Client;
import dev.lattice.replica.sync.SyncNet.Edge;
import dev.lattice.schema.Claims;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One edge and three clients, driven by a seed: random writes of every kind, random disconnects
 * (what is in flight is lost) and reconnects, transport back-pressure, log compaction (so some
 * reconnects are repairs), and a random interleaving of commits with deliveries. A connection is
 * FIFO and reliable while up. After everyone reconnects and the net settles, every client holds
 * the edge's visible state, that state is the join of every write ever made, and every outbox is
 * empty.
 */
class ConvergencePropertyTest {
  static final String NS = "ns";
  static final List<String> COLLECTIONS = List.of("tasks", "notes");

  static java.util.stream.LongStream seeds() {
    return SyncNet.seeds();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void oneEdgeAndThreeClientsConvergeThroughDisconnectsReconnectsAndCompaction(long seed) {
    run(seed);
  }

  /** Runs one seed; returns the net's trace. */
  static List<String> run(long seed) {
    try (SyncNet net = new SyncNet(seed)) {
      SplittableRandom random = new SplittableRandom(seed ^ 0x5eed);
      net.drainChance = 0.05 + random.nextDouble() * 0.5;
      Edge edge = net.edge("edge").serve(NS);
      List<Client> clients = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        edge.credential("k" + i, Claims.user("u" + i));
        clients.add(net.client("c" + i, NS));
      }
      List<Delta> written = new ArrayList<>();
      int steps = 40 + random.nextInt(80);
      for (int step = 0; step < steps; step++) {
        int k = random.nextInt(100);
        Client c = clients.get(random.nextInt(clients.size()));
        boolean connected = c.session != null && c.connection.isUp();
        if (k < 40) {
          write(c, random, written);
        } else if (k < 52) {
          if (connected) {
            c.disconnect();
          }
        } else if (k < 67) {
          if (!connected) {
            connect(net, edge, clients, c, random);
          }
        } else if (k < 72) {
          if (connected) {
            c.connection.b.setWritable(!c.connection.b.writable);
          }
        } else if (k < 75) {
          edge.replica.flush();
          edge.ns(NS).compactLog(new RetentionPolicy(random.nextInt(4), Duration.ofDays(365)));
        } else if (k < 77) {
          net.wall.addAndGet(random.nextInt(5_000));
        } else {
          net.runTasks(1 + random.nextInt(40));
        }
      }
      // Heal: everyone (re)connects, every transport drains; a client whose session the edge ends
      // (a repair overtaken by compaction says "reconnect") reconnects, as a SyncClient would.
      for (Client c : clients) {
        c.onClosed = () -> connect(net, edge, clients, c, random);
        if (c.session == null || !c.connection.isUp()) {
          connect(net, edge, clients, c, random);
        } else if (!c.connection.b.writable) {
          c.connection.b.setWritable(true);
        }
      }
      try {
        net.runUntil("every client synced", () -> clients.stream().allMatch(Client::synced));
      } catch (AssertionError e) {
        StringBuilder sb = new StringBuilder(e.getMessage());
        for (Client c : clients) {
          sb.append("\n  ").append(c.name).append(": up=").append(c.connection.isUp()).append(" open=")
              .append(c.session.isOpen()).append(" caughtUp=").append(c.session.isCaughtUp()).append(" outbox=")
              .append(c.ns().outbox().size()).append(" inFlight=").append(c.session.inFlight()).append(" errors=")
              .append(c.errors).append(" lastIn=").append(tail(c.connection.a.received)).append(" lastOut=")
              .append(tail(c.connection.a.sent));
        }
        throw new AssertionError(sb.toString(), e);
      }
      net.settle();

      Map<String, Map<String, Document>> expected = joinOf(written);
      for (String collection : COLLECTIONS) {
        net.assertSame(expected.getOrDefault(collection, Map.of()), edge.visible(NS, collection),
            "the edge's " + collection + " vs the join of every write");
      }
      net.assertConverged(edge, NS, COLLECTIONS, clients.toArray(new Client[0]));
      for (Client c : clients) {
        assertThat(c.ns().outbox().size()).as("seed %d: %s's outbox", seed, c.name).isZero();
        assertThat(c.ns().outbox().rejections()).as("seed %d: %s's rejections", seed, c.name).isEmpty();
        assertThat(c.errors).as("seed %d: errors at %s: %s", seed, c.name, c.errors)
            .allMatch(e -> e.code().equals(ErrorCode.INTERNAL.wire()) && e.message().contains("during a repair"));
        assertThat(edge.ns(NS).vector().isCoveredBy(c.ns().vector()))
            .as("seed %d: %s's vector covers the edge's", seed, c.name).isTrue();
      }
      return net.trace;
    }
  }

  static String tail(List<SyncMessage> messages) {
    List<String> out = new ArrayList<>();
    for (SyncMessage m : messages.subList(Math.max(0, messages.size() - 6), messages.size())) {
      out.add(m instanceof SyncMessage.Ack a ? "Ack" + a.id() + a.acked() + a.rejected()
          : m instanceof SyncMessage.Push p ? "Push" + p.id() + p.deltas().stream().map(Delta::dot).toList()
          : m instanceof SyncMessage.Error e ? "Error(" + e.code() + ": " + e.message() + ")"
          : m.getClass().getSimpleName());
    }
    return out.toString();
  }

  static void connect(SyncNet net, Edge edge, List<Client> clients, Client c, SplittableRandom random) {
    c.connect(edge, "k" + clients.indexOf(c));
    c.connection.delay = random.nextInt(3) == 0 ? random.nextDouble() * 0.5 : 0;
  }

  static void write(Client c, SplittableRandom random, List<Delta> written) {
    String collection = COLLECTIONS.get(random.nextInt(COLLECTIONS.size()));
    String id = "d" + random.nextInt(6);
    int op = random.nextInt(10);
    long before = c.ns().outbox().size();
    c.write(collection, id, w -> {
      switch (op) {
        case 0 -> w.delete();
        case 1 -> w.removeField("title");
        case 2, 3 -> w.increment("votes", random.nextInt(-3, 6));
        case 4 -> w.add("tags", Value.of("t" + random.nextInt(3)));
        case 5 -> w.remove("tags", Value.of("t" + random.nextInt(3)));
        case 6 -> w.enable("done");
        case 7 -> w.disable("done").set("title", "undone");
        default -> w.set("title", c.name + "-" + random.nextInt(100));
      }
    });
    if (c.ns().outbox().size() > before) {
      // The write is the newest queued one (it may already be pushed, never acked yet: acks need the loop).
      List<Delta> pending = c.ns().outbox().pending(Integer.MAX_VALUE);
      written.add(pending.get(pending.size() - 1));
    }
  }

  static Map<String, Map<String, Document>> joinOf(List<Delta> written) {
    Map<String, Map<String, Document>> joined = new TreeMap<>();
    for (Delta d : written) {
      joined.computeIfAbsent(d.collection(), k -> new TreeMap<>()).merge(d.documentId(), d.change(), Document::merge);
    }
    Map<String, Map<String, Document>> visible = new TreeMap<>();
    joined.forEach((collection, docs) -> docs.forEach((id, doc) -> {
      if (doc.exists()) {
        visible.computeIfAbsent(collection, k -> new TreeMap<>()).put(id, doc.visible());
      }
    }));
    return visible;
  }
}
