package dev.lattice.replica.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.replica.Namespace;
import dev.lattice.replica.Replica;
import dev.lattice.replica.log.Delta;
import dev.lattice.replica.log.DeltaPage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Crash safety of a {@code SYNC} client replica (issue 4): a child JVM ({@link CrashWriter}) writes
 * with several threads and is killed with SIGKILL at a random moment; the parent then reopens the
 * same file and checks it exactly against what the child reported (see {@link CrashLedger}): the
 * store opens every time, every write whose {@code update} returned is there, nothing else is,
 * and the outbound queue picks up where it stopped. Then the next cycle starts on the same file.
 *
 * <p>4 seeds x 6 cycles plus 5 cycles of the resume test: 29 kills. The seed fixes the child's
 * writes, the kill delays and the parent's acknowledgements; where the kill lands in the child's
 * work is up to the scheduler, so a failure names the seed and cycle and prints what the child did.
 */
@EnabledOnOs(value = {OS.LINUX, OS.MAC}, disabledReason = "kills the child with SIGKILL")
class CrashSafetyTest {
  private static final int CYCLES_PER_SEED = 6;

  @TempDir Path dir;
  @TempDir static Path classPathSnapshot;
  private static String childClassPath;

  @BeforeAll
  static void snapshotClassPath() throws Exception {
    childClassPath = ChildRun.snapshotClassPath(classPathSnapshot);
  }

  /**
   * @param threads writer threads in the child
   * @param uplink whether the child acknowledges queued writes as an upstream would
   * @param minDelayMillis shortest delay from the child's first ACK to the kill
   * @param maxDelayMillis longest such delay
   * @param openKillPercent how often the kill is aimed at the open instead: 0 to 700 ms after
   *     the child says it is about to open the store (a child takes about 0.5 to 1 s to open it,
   *     so this lands mostly in the open and now and then in the first writes)
   */
  private record KillPlan(int threads, boolean uplink, long minDelayMillis, long maxDelayMillis, int openKillPercent) {}

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {0x5EED1L, 0x5EED2L, 0x5EED3L, 0x5EED4L})
  void acknowledgedWritesSurviveSigkillAndTheQueueResumes(long seed) throws Exception {
    CrashLedger ledger = new CrashLedger(dir.resolve("replica.mv.db"), seed);
    SplittableRandom rnd = new SplittableRandom(seed);
    // 3 writers and an uplink; kill 50-400 ms after the first ACK, or 1 time in 6 around the open.
    KillPlan plan = new KillPlan(3, true, 50, 400, 17);
    List<CrashLedger.CycleReport> reports = new ArrayList<>();
    for (int cycle = 0; cycle < CYCLES_PER_SEED; cycle++) {
      reports.add(runCycle(ledger, seed, cycle, plan, rnd));
    }
    assertThat(reports.stream().mapToInt(r -> r.acked().size()).sum())
        .as("seed %d: acknowledged writes over all cycles", seed).isGreaterThan(0);
    assertThat(reports.stream().mapToLong(CrashLedger.CycleReport::pendingAfterReopen).max().orElse(0))
        .as("seed %d: the queue held writes across a kill at least once", seed).isGreaterThan(0);
  }

  /**
   * The writer resumes after a kill: one writer thread, so the dots it acknowledges in a cycle are
   * exactly the run {@code openMax+1, openMax+2, ...}; the first dot after reopen is above every dot
   * acknowledged before, and no dot ever names two documents.
   */
  @Test
  void writerResumesWithFreshContiguousDotsAfterEachKill() throws Exception {
    long seed = 0xD07L;
    Path file = dir.resolve("resume.mv.db");
    CrashLedger ledger = new CrashLedger(file, seed);
    SplittableRandom rnd = new SplittableRandom(seed);
    KillPlan plan = new KillPlan(1, false, 20, 200, 0);
    Map<Long, String> ackedDocs = new HashMap<>();
    long highestAcked = 0;
    for (int cycle = 0; cycle < 5; cycle++) {
      long closedAt = ledger.knownMax();
      CrashLedger.CycleReport report = runCycle(ledger, seed, cycle, plan, rnd);
      String where = "seed " + seed + " cycle " + cycle + ": ";
      List<Long> acked = report.acked().stream().map(WriteOp::seq).toList();
      assertThat(report.openMax()).as(where + "vector max at the child's open").isEqualTo(closedAt);
      assertThat(acked).as(where + "acknowledged dots").isNotEmpty();
      assertThat(report.firstTrySeq()).as(where + "first dot after reopen").isEqualTo(closedAt + 1)
          .isGreaterThan(highestAcked);
      for (int i = 0; i < acked.size(); i++) {
        assertThat(acked.get(i)).as(where + "acknowledged dot #%d of the cycle", i).isEqualTo(closedAt + 1 + i);
      }
      for (WriteOp op : report.acked()) {
        String before = ackedDocs.putIfAbsent(op.seq(), op.key());
        assertThat(before).as(where + "dot %d acknowledged again, now for %s", op.seq(), op.key()).isNull();
      }
      assertThat(report.probeSeq()).as(where + "parent's first dot after reopen").isEqualTo(report.durableMax() + 1);
      highestAcked = acked.get(acked.size() - 1);
    }
    // Across all cycles, the log still names the document each acknowledged dot wrote.
    try (Replica r = Replica.open(file, ledger.options())) {
      Namespace ns = r.namespace(CrashWriter.NAMESPACE);
      DeltaPage page = ns.deltasSince(VersionVector.EMPTY, Integer.MAX_VALUE);
      Map<Long, String> logged = new HashMap<>();
      for (Delta d : ((DeltaPage.Deltas) page).deltas()) {
        logged.put(d.dot().seq(), d.collection() + "/" + d.documentId());
      }
      assertThat(logged).as("seed %d: log after all cycles", seed).containsAllEntriesOf(ackedDocs);
      assertThat(ns.vector().covers(new Dot(r.id(), highestAcked))).isTrue();
    }
  }

  private CrashLedger.CycleReport runCycle(CrashLedger ledger, long seed, int cycle, KillPlan plan,
      SplittableRandom rnd) throws Exception {
    boolean atOpen = rnd.nextInt(100) < plan.openKillPercent();
    long delay = atOpen ? rnd.nextLong(0, 701) : rnd.nextLong(plan.minDelayMillis(), plan.maxDelayMillis() + 1);
    String when = delay + (atOpen ? " ms after BOOT" : " ms after the first ACK");
    try (ChildRun child = ChildRun.start(childClassPath, ledger.file(), seed, cycle, plan.threads(), plan.uplink(), dir)) {
      try {
        if (atOpen) {
          child.awaitBoot();
        } else {
          child.awaitFirstAck();
        }
        Thread.sleep(delay); // the deliberate random moment of the kill
        child.ensureAlive();
        List<String> lines = child.kill();
        CrashLedger.CycleReport report = ledger.verify(cycle, lines, child.exitValue(), rnd);
        System.out.println("seed " + seed + " kill " + when + ": " + report);
        return report;
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("seed " + seed + " cycle " + cycle + " (kill " + when + "): " + e.getMessage()
            + "\nlast child lines: " + child.tail(8) + "\nchild stderr:\n" + child.stderr(), e);
      }
    }
  }
}
