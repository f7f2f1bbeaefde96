package dev.lattice.replica;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.crdt.type.Document;
import dev.lattice.merkle.Scope;
import dev.lattice.replica.log.DeltaPage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Writers, delta sync, log compaction and repair all running at once on two replicas: whatever
 * the interleaving, once the writers stop and sync drains, both hold the same documents.
 */
class ReplicaConcurrencyTest {

  @Test
  void concurrentWritesSyncCompactionAndRepairConverge() throws Exception {
    try (Replica a = replica(1); Replica b = replica(2)) {
      List<Thread> writers = new ArrayList<>();
      for (Replica r : List.of(a, b)) {
        for (int t = 0; t < 3; t++) {
          SplittableRandom random = new SplittableRandom(t * 31L + r.id().value());
          writers.add(new Thread(() -> {
            for (int i = 0; i < 300; i++) {
              String id = "d" + random.nextInt(40);
              int op = random.nextInt(6);
              r.namespace("ns").collection("c").update(id, doc -> {
                switch (op) {
                  case 0 -> doc.delete();
                  case 1, 2 -> doc.increment("n", 1);
                  default -> doc.set("title", "v" + random.nextInt(1000));
                }
              });
            }
          }));
        }
      }
      AtomicBoolean writing = new AtomicBoolean(true);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread syncer = new Thread(() -> {
        try {
          int round = 0;
          while (writing.get()) {
            syncOnce(a, b);
            syncOnce(b, a);
            if (++round % 7 == 0) {
              a.namespace("ns").compactLog(new RetentionPolicy(5, Duration.ofDays(1)));
            }
          }
        } catch (Throwable e) {
          failure.set(e);
        }
      });
      writers.forEach(Thread::start);
      syncer.start();
      for (Thread w : writers) {
        w.join();
      }
      writing.set(false);
      syncer.join();
      assertThat(failure.get()).isNull();
      for (int i = 0; i < 5; i++) {
        a.flush();
        b.flush();
        syncOnce(a, b);
        syncOnce(b, a);
      }
      assertThat(a.namespace("ns").vector()).isEqualTo(b.namespace("ns").vector());
      assertThat(a.namespace("ns").merkleRoot("c")).isEqualTo(b.namespace("ns").merkleRoot("c"));
      assertThat(visible(a)).isEqualTo(visible(b));
      assertThat(a.metrics().localWrites() + b.metrics().localWrites()).isPositive();
    }
  }

  private static Replica replica(long seed) {
    return Replica.inMemory(ReplicaOptions.builder().durability(Durability.COMMIT).random(new SplittableRandom(seed)).build());
  }

  /** {@code to} pulls every page it is missing from {@code from}, repairing when told to. */
  private static void syncOnce(Replica from, Replica to) {
    while (true) {
      DeltaPage page = from.namespace("ns").deltasSince(to.namespace("ns").vector(), 32 * 1024);
      if (page instanceof DeltaPage.NeedsRepair) {
        RepairDriver.repair(to.namespace("ns"), from.namespace("ns"), Scope.all());
        continue;
      }
      DeltaPage.Deltas deltas = (DeltaPage.Deltas) page;
      to.namespace("ns").applyRemote(deltas.deltas());
      if (!deltas.more()) {
        return;
      }
    }
  }

  private static Map<String, Document> visible(Replica r) {
    Map<String, Document> out = new TreeMap<>();
    r.namespace("ns").collection("c").scan("", Integer.MAX_VALUE).forEach(e -> out.put(e.getKey(), e.getValue().visible()));
    return out;
  }
}
