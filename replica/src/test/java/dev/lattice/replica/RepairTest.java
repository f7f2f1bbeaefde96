package dev.lattice.replica;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.merkle.Scope;
import dev.lattice.replica.log.DeltaPage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RepairTest {

  private static Replica replica(long seed) {
    return Replica.inMemory(ReplicaOptions.builder().durability(Durability.COMMIT).random(new SplittableRandom(seed)).build());
  }

  @Test
  void aPeerBelowTheCompactionFloorIsToldToRepairAndRepairBringsItUpToDate() {
    try (Replica a = replica(1); Replica b = replica(2)) {
      Collection ca = a.namespace("ns").collection("c");
      for (int i = 0; i < 300; i++) {
        int n = i;
        ca.update("d" + (i % 40), doc -> doc.set("v", (long) n).increment("count", 1));
      }
      b.namespace("ns").collection("c").update("mine", doc -> doc.set("v", "from b"));
      a.flush();
      assertThat(a.namespace("ns").compactLog(new RetentionPolicy(10, Duration.ofDays(365)))).isEqualTo(290);
      assertThat(a.namespace("ns").floor(a.id())).isEqualTo(290);

      DeltaPage page = a.namespace("ns").deltasSince(b.namespace("ns").vector(), 1 << 20);
      assertThat(page).isInstanceOf(DeltaPage.NeedsRepair.class);
      assertThat(((DeltaPage.NeedsRepair) page).missingFrom()).isEqualTo(1);

      RepairDriver.repair(b.namespace("ns"), a.namespace("ns"), Scope.all());
      a.flush();
      b.flush();
      DeltaPage after = a.namespace("ns").deltasSince(b.namespace("ns").vector(), 1 << 20);
      assertThat(after).as("after repair, delta sync resumes").isInstanceOf(DeltaPage.Deltas.class);
      assertThat(((DeltaPage.Deltas) after).deltas()).isEmpty();
      assertThat(b.namespace("ns").merkleRoot("c")).isEqualTo(a.namespace("ns").merkleRoot("c"));
      assertThat(b.namespace("ns").collection("c").get("d7").orElseThrow().fields().counter("count").value())
          .isEqualTo(a.namespace("ns").collection("c").get("d7").orElseThrow().fields().counter("count").value());
      assertThat(a.namespace("ns").collection("c").get("mine")).as("repair goes both ways").isPresent();
      assertThat(b.namespace("ns").vector().isCoveredBy(a.namespace("ns").vector())).isTrue();

      // b cannot serve a's trimmed deltas it learned by repair either: it says so.
      try (Replica c = replica(3)) {
        assertThat(b.namespace("ns").deltasSince(c.namespace("ns").vector(), 1 << 20))
            .isInstanceOf(DeltaPage.NeedsRepair.class);
      }
    }
  }

  @Test
  void aRepairScopedToOneCollectionTouchesOnlyItAndAdoptsNoVector() {
    try (Replica a = replica(1); Replica b = replica(2)) {
      a.namespace("ns").collection("public").update("p", doc -> doc.set("v", 1L));
      a.namespace("ns").collection("private").update("q", doc -> doc.set("v", 2L));
      Scope onlyPublic = Scope.partition("public\0".getBytes(StandardCharsets.UTF_8));
      RepairDriver.repair(b.namespace("ns"), a.namespace("ns"), onlyPublic);
      assertThat(b.namespace("ns").collection("public").get("p")).isPresent();
      assertThat(b.namespace("ns").collection("private").get("q")).isEmpty();
      assertThat(b.namespace("ns").vector()).isEqualTo(VersionVector.EMPTY);
    }
  }

  @Test
  void aRepairStateFromASkewedClockIsRefusedWhole() {
    long[] wall = {1_000_000};
    try (Replica fast = Replica.inMemory(ReplicaOptions.builder().durability(Durability.COMMIT).wallClock(() -> wall[0] + 120_000).build());
        Replica b = Replica.inMemory(ReplicaOptions.builder().durability(Durability.COMMIT).wallClock(() -> wall[0]).build())) {
      fast.namespace("ns").collection("c").update("x", doc -> doc.set("v", "from the future"));
      b.namespace("ns").collection("c").update("y", doc -> doc.set("v", "here"));
      RepairStates states = fast.namespace("ns").repairStates(java.util.List.of("c\0x"));
      byte[] rootBefore = b.namespace("ns").merkleRoot("c");
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.namespace("ns").applyRepair(states, VersionVector.EMPTY))
          .isInstanceOf(ReplicaException.class).hasMessageContaining("c/x")
          .extracting(e -> ((ReplicaException) e).reason()).isEqualTo(ReplicaException.Reason.CLOCK_SKEW);
      assertThat(b.namespace("ns").collection("c").get("x")).isEmpty();
      assertThat(b.namespace("ns").merkleRoot("c")).isEqualTo(rootBefore);
    }
  }

  @Test
  void repairSendsBytesInProportionToTheDifferences() {
    try (Replica a = replica(1); Replica b = replica(2)) {
      for (int i = 0; i < 2_000; i++) {
        int n = i;
        a.namespace("ns").collection("c").update("d" + i, doc -> doc.set("v", (long) n));
      }
      a.flush();
      b.namespace("ns").applyRemote(((DeltaPage.Deltas) a.namespace("ns").deltasSince(VersionVector.EMPTY, Integer.MAX_VALUE)).deltas());
      a.namespace("ns").collection("c").update("d5", doc -> doc.set("v", "changed"));
      RepairSession s = b.namespace("ns").openRepair(Scope.all());
      RepairSession r = a.namespace("ns").answerRepair(Scope.all());
      long bytes = 0;
      while (!(s.isDone() && r.isDone())) {
        byte[] m1 = s.nextMessage().orElse(null);
        if (m1 != null) {
          bytes += m1.length;
          r.receive(m1);
        }
        byte[] m2 = r.nextMessage().orElse(null);
        if (m2 != null) {
          bytes += m2.length;
          s.receive(m2);
        }
      }
      assertThat(s.differingKeys()).containsExactly("c\0d5");
      assertThat(bytes).as("one difference among 2,000 documents").isLessThan(4_000);
    }
  }
}
