package dev.lattice.replica;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.value.Value;
import dev.lattice.replica.log.Delta;
import dev.lattice.replica.log.DeltaPage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.time.Duration;
import dev.lattice.merkle.Scope;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Three to five replicas write concurrently and sync by pulling deltas through a simulated network
 * that delays, reorders, duplicates and loses messages and partitions replicas for a while, all
 * driven by one seed. After the partitions heal and the network drains, every replica must hold
 * the same vector, the same stored documents and Merkle roots, and exactly what the join of every
 * delta ever written says.
 */
class ReplicaSyncSimulationTest {
  static final List<String> COLLECTIONS = List.of("tasks", "notes");

  private record Message(int from, int to, List<Delta> deltas) {}

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.lattice.replica.Seeds#seeds")
  void replicasConvergeThroughALossyPartitionedNetwork(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int n = 3 + random.nextInt(3);
    List<Replica> replicas = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        replicas.add(Replica.inMemory(ReplicaOptions.builder().durability(Durability.COMMIT)
            .random(new SplittableRandom(seed * 31 + i)).build()));
      }
      List<Delta> written = new ArrayList<>();
      List<Message> inFlight = new ArrayList<>();
      boolean[][] cut = new boolean[n][n];
      int steps = 60 + random.nextInt(120);
      for (int step = 0; step < steps; step++) {
        int k = random.nextInt(100);
        if (k < 40) {
          write(replicas.get(random.nextInt(n)), random, written);
        } else if (k < 65) {
          int to = random.nextInt(n);
          int from = random.nextInt(n);
          if (from != to && !cut[from][to]) {
            pull(replicas, from, to, 1 + random.nextInt(2_000)).ifPresent(inFlight::add);
          }
        } else if (k < 88 && !inFlight.isEmpty()) {
          Message m = inFlight.remove(random.nextInt(inFlight.size()));
          if (random.nextInt(10) == 0) {
            inFlight.add(m); // duplicated: delivered now and again later
          }
          if (!cut[m.from()][m.to()] && random.nextInt(8) != 0) { // else lost
            replicas.get(m.to()).namespace("ns").applyRemote(m.deltas());
          }
        } else if (k < 97) {
          int a = random.nextInt(n);
          int b = random.nextInt(n);
          cut[a][b] = cut[b][a] = !cut[a][b];
        } else {
          // Trim a log hard: peers below its floor must be repaired, never misled.
          Replica r = replicas.get(random.nextInt(n));
          r.flush();
          r.namespace("ns").compactLog(new RetentionPolicy(random.nextInt(3), Duration.ofDays(365)));
        }
      }
      // Heal: no partition, deliver what is in flight, then pull until nobody learns anything.
      for (Message m : inFlight) {
        replicas.get(m.to()).namespace("ns").applyRemote(m.deltas());
      }
      boolean changed = true;
      while (changed) {
        changed = false;
        for (int to = 0; to < n; to++) {
          for (int from = 0; from < n; from++) {
            if (from != to) {
              replicas.get(from).flush();
              Optional<Message> m = pull(replicas, from, to, 64 * 1024);
              if (m.isEmpty()) {
                changed = true; // a repair ran
              } else {
                changed |= !replicas.get(to).namespace("ns").applyRemote(m.get().deltas()).applied().isEmpty();
              }
            }
          }
        }
      }
      replicas.forEach(Replica::flush);
      assertConverged(replicas, written, seed);
    } finally {
      replicas.forEach(Replica::close);
    }
  }

  /** A page of deltas in flight from {@code from} to {@code to}, or empty if a repair ran instead. */
  private static Optional<Message> pull(List<Replica> replicas, int from, int to, int maxBytes) {
    Namespace dst = replicas.get(to).namespace("ns");
    Namespace src = replicas.get(from).namespace("ns");
    DeltaPage page = src.deltasSince(dst.vector(), maxBytes);
    if (page instanceof DeltaPage.NeedsRepair) {
      RepairDriver.repair(dst, src, Scope.all());
      return Optional.empty();
    }
    return Optional.of(new Message(from, to, ((DeltaPage.Deltas) page).deltas()));
  }

  private static void write(Replica r, SplittableRandom random, List<Delta> written) {
    Collection c = r.namespace("ns").collection(COLLECTIONS.get(random.nextInt(COLLECTIONS.size())));
    String id = "d" + random.nextInt(8);
    int op = random.nextInt(10);
    VersionVector before = r.namespace("ns").vector();
    WriteReceipt receipt = c.update(id, doc -> {
      switch (op) {
        case 0 -> doc.delete();
        case 1 -> doc.removeField("title");
        case 2, 3 -> doc.increment("votes", random.nextInt(-3, 6));
        case 4 -> doc.add("tags", Value.of("t" + random.nextInt(4)));
        case 5 -> doc.remove("tags", Value.of("t" + random.nextInt(4)));
        case 6 -> doc.enable("done");
        case 7 -> doc.disable("done").set("title", "undone");
        default -> doc.set("title", "v" + random.nextInt(100));
      }
    });
    if (receipt.changed()) {
      written.addAll(((DeltaPage.Deltas) r.namespace("ns").deltasSince(before, Integer.MAX_VALUE)).deltas());
    }
  }

  private static void assertConverged(List<Replica> replicas, List<Delta> written, long seed) {
    Replica first = replicas.get(0);
    Map<String, Document> expected = new HashMap<>();
    for (Delta d : written) {
      expected.merge(d.collection() + "/" + d.documentId(), d.change(), Document::merge);
    }
    for (Replica r : replicas) {
      String who = "seed " + seed + ", replica " + r.id();
      assertThat(r.namespace("ns").vector()).as(who).isEqualTo(first.namespace("ns").vector());
      for (String collection : COLLECTIONS) {
        assertThat(r.namespace("ns").merkleRoot(collection)).as(who + " Merkle root of " + collection)
            .isEqualTo(first.namespace("ns").merkleRoot(collection));
        Map<String, Document> stored = new TreeMap<>();
        r.namespace("ns").collection(collection).scan("", Integer.MAX_VALUE).forEach(e -> stored.put(e.getKey(), e.getValue()));
        Map<String, Document> firstStored = new TreeMap<>();
        first.namespace("ns").collection(collection).scan("", Integer.MAX_VALUE).forEach(e -> firstStored.put(e.getKey(), e.getValue()));
        assertThat(stored).as(who + " stored documents of " + collection).isEqualTo(firstStored);
        Map<String, Document> visible = new TreeMap<>();
        stored.forEach((id, d) -> visible.put(id, d.visible()));
        Map<String, Document> want = new TreeMap<>();
        expected.forEach((key, d) -> {
          if (key.startsWith(collection + "/") && d.exists()) {
            want.put(key.substring(collection.length() + 1), d.visible());
          }
        });
        assertThat(visible).as(who + " equals the join of all deltas, in " + collection).isEqualTo(want);
      }
    }
  }
}
