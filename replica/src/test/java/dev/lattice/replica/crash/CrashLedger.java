package dev.lattice.replica.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.replica.Durability;
import dev.lattice.replica.Namespace;
import dev.lattice.replica.Replica;
import dev.lattice.replica.ReplicaOptions;
import dev.lattice.replica.Role;
import dev.lattice.replica.WriteReceipt;
import dev.lattice.replica.log.Delta;
import dev.lattice.replica.log.DeltaPage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.LongStream;

/**
 * What the parent of {@link CrashSafetyTest} knows across kill cycles, and the checks it runs on
 * the reopened store after each kill.
 *
 * <p>The child writes with one dot per write and prints {@code TRY} (with the dot) before the write
 * can be durable and {@code ACK} after {@code update} returned. A writer thread starts its next
 * write only after printing {@code ACK}, so after a kill each thread has at most one write that may
 * or may not be durable: its last {@code TRY} without {@code ACK}. That makes the expected store
 * exact, not just bounded:
 *
 * <ul>
 *   <li>the local vector entry is gap-free, {@code 1..max}, and the delta log holds exactly those
 *       dots, each naming the same document as when it was first seen (no dot reused);
 *   <li>every acknowledged dot is in it, and every other new dot is some thread's write in flight;
 *   <li>every document equals the replay of the acknowledged writes plus the in-flight writes the
 *       log shows durable (so a two-field write is whole or absent), and a scan finds exactly the
 *       documents the replay says exist;
 *   <li>the outbound queue holds, oldest first, every logged dot except those an upstream
 *       acknowledged: none the parent acknowledged (durably, at close), every one the child's
 *       uplink did not touch, never one that had already left, and {@code pendingCount} agrees.
 * </ul>
 *
 * Then the parent writes one probe (its dot must be {@code max + 1}, and it joins the queue's tail),
 * acknowledges a random part of the queue as an upstream would, and closes the store cleanly.
 */
final class CrashLedger {
  static final String PROBE = "probe";

  /** What one cycle saw. {@code openMax} and {@code openMillis} are -1 if the child died before the store was open. */
  record CycleReport(int cycle, int exitCode, long openMax, long openMillis, long firstTrySeq, List<WriteOp> acked,
      int durableInFlight, int lostInFlight, long durableMax, int pendingAfterReopen, long probeSeq,
      int parentAcks, int upacksOfEarlierDots) {
    @Override
    public String toString() {
      return "cycle " + cycle + ": exit " + exitCode + ", open max " + openMax + " in " + openMillis + " ms, acked " + acked.size()
          + ", in flight durable/lost " + durableInFlight + "/" + lostInFlight + ", durable max " + durableMax
          + ", pending after reopen " + pendingAfterReopen + ", probe " + probeSeq + ", parent acks " + parentAcks
          + ", uplink acks of pre-kill dots " + upacksOfEarlierDots;
    }
  }

  private final Path file;
  private final long seed;
  private ReplicaId id;
  /** The local vector max when the parent last closed the store: every seq up to it is durable. */
  private long knownMax;
  /** Every durable dot seen so far and the document it wrote. */
  private final Map<Long, String> docOfSeq = new HashMap<>();
  private final Map<String, DocModel> models = new TreeMap<>();
  /** Dots that left the outbound queue; they must never come back. */
  private final Set<Long> gone = new HashSet<>();

  CrashLedger(Path file, long seed) {
    this.file = file;
    this.seed = seed;
  }

  Path file() {
    return file;
  }

  long knownMax() {
    return knownMax;
  }

  ReplicaOptions options() {
    return ReplicaOptions.builder().role(Role.CLIENT).durability(Durability.SYNC)
        .random(new SplittableRandom(seed)).build();
  }

  /**
   * Checks the store after the child of {@code cycle} was killed, having printed {@code lines}.
   *
   * @throws AssertionError describing the first violated expectation
   */
  CycleReport verify(int cycle, List<String> lines, int exitCode, SplittableRandom rnd) {
    assertThat(exitCode).as("child exit code (137 = killed by SIGKILL)").isEqualTo(137);
    long openMax = -1;
    long openMillis = -1;
    long firstTrySeq = -1;
    Map<Integer, WriteOp> inFlight = new HashMap<>();
    Map<Long, WriteOp> acked = new TreeMap<>();
    List<WriteOp> ackOrder = new ArrayList<>();
    Set<Long> tried = new HashSet<>();
    Set<Long> upacked = new HashSet<>();
    for (String line : lines) {
      String[] p = line.split(" ");
      switch (p[0]) {
        case "OPEN" -> {
          ReplicaId opened = ReplicaId.parse(p[1]);
          if (id != null) {
            assertThat(opened).as("replica id after reopen (the file was not copied)").isEqualTo(id);
          }
          id = opened;
          openMax = Long.parseLong(p[2]);
          openMillis = Long.parseLong(p[4]);
          assertThat(openMax).as("vector max the child found on open vs what the parent closed with").isEqualTo(knownMax);
        }
        case "TRY" -> {
          WriteOp op = WriteOp.parse(line);
          assertThat(op.seq()).as("seq of a new write (dot reuse: everything up to %d is durable already)", knownMax)
              .isGreaterThan(knownMax);
          assertThat(tried.add(op.seq())).as("seq %d handed out twice in one process", op.seq()).isTrue();
          assertThat(inFlight.put(op.thread(), op)).as("thread %d started a write before the last returned", op.thread()).isNull();
          if (firstTrySeq < 0) {
            firstTrySeq = op.seq();
          }
        }
        case "ACK" -> {
          int thread = Integer.parseInt(p[1]);
          long seq = Long.parseLong(p[2]);
          WriteOp op = inFlight.remove(thread);
          assertThat(op).as("ACK %s without a TRY", line).isNotNull();
          assertThat(op.seq()).as("receipt dot vs the dot seen by the mutation (%s)", line).isEqualTo(seq);
          acked.put(seq, op);
          ackOrder.add(op);
        }
        case "BOOT" -> {
          // about to open the store
        }
        case "UPACK" -> {
          for (int i = 1; i < p.length; i++) {
            upacked.add(Long.parseLong(p[i]));
          }
        }
        case "ERR" -> fail("the child failed: " + line);
        default -> fail("unexpected line from the child: '" + line + "'");
      }
    }
    Map<Long, WriteOp> pending = new HashMap<>();
    inFlight.values().forEach(op -> pending.put(op.seq(), op));

    Replica replica;
    try {
      replica = Replica.open(file, options());
    } catch (RuntimeException e) {
      throw new AssertionError("the store did not open after the kill: " + e, e);
    }
    try (Replica r = replica) {
      if (id == null) {
        id = r.id(); // killed before the child's open finished; the parent's open names the replica
      }
      assertThat(r.id()).as("replica id after reopen").isEqualTo(id);
      Namespace ns = r.namespace(CrashWriter.NAMESPACE);

      // Vector: gap-free for our own writes, covering everything that returned.
      VersionVector vector = ns.vector();
      long max = vector.max(id);
      assertThat(vector.contiguous(id)).as("contiguous seq of %s in %s", id, vector).isEqualTo(max);
      assertThat(vector.beyondGap(id)).as("seqs beyond a gap in %s", vector).isEmpty();
      assertThat(vector.replicas()).as("replicas in %s", vector).isSubsetOf(id);
      assertThat(ns.committedVector()).as("committed vector after open").isEqualTo(vector);
      assertThat(max).as("vector max vs what the previous cycle closed with").isGreaterThanOrEqualTo(knownMax);
      for (long seq : acked.keySet()) {
        assertThat(vector.covers(new Dot(id, seq))).as("vector %s covers acknowledged dot %s:%d (%s)", vector, id, seq,
            acked.get(seq).line()).isTrue();
      }

      // Delta log: exactly 1..max, every dot naming the document it always named.
      DeltaPage page = ns.deltasSince(VersionVector.EMPTY, Integer.MAX_VALUE);
      assertThat(page).as("deltasSince(empty)").isInstanceOf(DeltaPage.Deltas.class);
      List<Delta> log = ((DeltaPage.Deltas) page).deltas();
      assertThat(((DeltaPage.Deltas) page).more()).isFalse();
      assertThat(log).extracting(Delta::dot)
          .as("delta log dots")
          .containsExactlyElementsOf(LongStream.rangeClosed(1, max).mapToObj(s -> new Dot(id, s)).toList());
      List<WriteOp> applied = new ArrayList<>(acked.values());
      int durableInFlight = 0;
      for (Delta d : log) {
        long seq = d.dot().seq();
        String key = d.collection() + "/" + d.documentId();
        if (seq <= knownMax) {
          assertThat(key).as("document of dot %d, durable since an earlier cycle", seq).isEqualTo(docOfSeq.get(seq));
          continue;
        }
        WriteOp op = acked.containsKey(seq) ? acked.get(seq) : pending.get(seq);
        if (op == null) {
          fail("dot " + seq + " (" + key + ") is durable but the child neither acknowledged it nor had it in flight");
        }
        assertThat(key).as("document of durable dot %d vs the child's %s", seq, op.line()).isEqualTo(op.key());
        if (!acked.containsKey(seq)) {
          applied.add(op);
          durableInFlight++;
        }
        docOfSeq.put(seq, key);
      }

      // Documents: exactly the replay of every durable write.
      applied.sort(Comparator.comparingLong(WriteOp::seq));
      for (WriteOp op : applied) {
        models.computeIfAbsent(op.key(), k -> new DocModel()).apply(op);
      }
      checkDocuments(ns);

      // Outbound queue: resumes with everything no upstream acknowledged.
      List<Delta> out = ns.outbox().pending(Integer.MAX_VALUE);
      List<Long> outSeqs = out.stream().map(d -> d.dot().seq()).toList();
      assertThat(outSeqs).as("outbound queue, oldest first").isSorted().doesNotHaveDuplicates();
      assertThat(out).extracting(d -> d.dot().replica()).as("outbound origins").allMatch(id::equals);
      assertThat(outSeqs.stream().filter(gone::contains).toList())
          .as("queued dots that had already left the queue (acknowledged upstream)").isEmpty();
      Set<Long> queued = new HashSet<>(outSeqs);
      List<Long> missing = LongStream.rangeClosed(1, max).filter(s -> !gone.contains(s) && !upacked.contains(s)
          && !queued.contains(s)).boxed().toList();
      assertThat(missing).as("durable writes no upstream acknowledged, missing from the queue").isEmpty();
      for (Delta d : out) {
        assertThat(d.collection() + "/" + d.documentId()).as("queued delta %s", d.dot()).isEqualTo(docOfSeq.get(d.dot().seq()));
      }
      assertThat(ns.outbox().size()).as("pendingCount vs outbound").isEqualTo(out.size());
      assertThat(ns.outbox().rejections()).as("rejected writes").isEmpty();
      int upacksOfEarlier = (int) upacked.stream().filter(s -> s <= knownMax).count();
      LongStream.rangeClosed(1, max).filter(s -> !queued.contains(s)).forEach(gone::add);

      // Probe: the next local write takes the next seq and joins the queue's tail.
      WriteOp probeOp = new WriteOp(-1, 0, PROBE, "p" + cycle, WriteOp.Kind.SET, cycle, 0, "-");
      WriteReceipt probe = ns.collection(PROBE).update(probeOp.doc(), probeOp::writeTo);
      assertThat(probe.dot()).as("dot of the first write after reopen").isEqualTo(new Dot(id, max + 1));
      assertThat(probe.durable()).as("SYNC receipt").isCompleted();
      List<Delta> after = ns.outbox().pending(Integer.MAX_VALUE);
      assertThat(after).isNotEmpty();
      assertThat(after.get(after.size() - 1).dot()).as("queue tail after the probe").isEqualTo(probe.dot());
      probeOp = probeOp.withSeq(max + 1);
      docOfSeq.put(probeOp.seq(), probeOp.key());
      models.computeIfAbsent(probeOp.key(), k -> new DocModel()).apply(probeOp);

      // An upstream acknowledges part of the queue, in no particular order; repeats are harmless.
      List<Dot> upstream = new ArrayList<>();
      for (Delta d : after) {
        if (rnd.nextInt(100) < 35) {
          upstream.add(d.dot());
        }
      }
      if (!upstream.isEmpty()) {
        upstream.add(upstream.get(0));
      }
      ns.outbox().acknowledge(upstream);
      ns.outbox().acknowledge(upstream);
      Set<Long> ackedNow = new TreeSet<>();
      upstream.forEach(d -> ackedNow.add(d.seq()));
      assertThat(ns.outbox().size()).as("pendingCount after acknowledging %d dots", ackedNow.size())
          .isEqualTo(after.size() - ackedNow.size());
      assertThat(ns.outbox().pending(Integer.MAX_VALUE).stream().filter(d -> ackedNow.contains(d.dot().seq())).toList())
          .as("acknowledged dots still queued").isEmpty();
      gone.addAll(ackedNow);
      knownMax = max + 1;
      return new CycleReport(cycle, exitCode, openMax, openMillis, firstTrySeq, List.copyOf(ackOrder), durableInFlight,
          pending.size() - durableInFlight, max, out.size(), probe.dot().seq(), ackedNow.size(), upacksOfEarlier);
    }
  }

  private void checkDocuments(Namespace ns) {
    List<String> wrong = new ArrayList<>();
    Map<String, Set<String>> existing = new TreeMap<>();
    for (Map.Entry<String, DocModel> e : models.entrySet()) {
      String[] cd = e.getKey().split("/", 2);
      String problem = e.getValue().mismatch(ns.collection(cd[0]).get(cd[1]));
      if (problem != null) {
        wrong.add(e.getKey() + ": " + problem);
      }
      Set<String> ids = existing.computeIfAbsent(cd[0], c -> new TreeSet<>());
      if (e.getValue().exists()) {
        ids.add(cd[1]);
      }
    }
    assertThat(wrong).as("documents that differ from the replay of every durable write").isEmpty();
    for (String collection : List.of("c0", "c1", PROBE)) {
      Set<String> scanned = new TreeSet<>();
      ns.collection(collection).scan("", Integer.MAX_VALUE).forEach(e -> scanned.add(e.getKey()));
      assertThat(scanned).as("documents a scan of %s finds", collection)
          .isEqualTo(existing.getOrDefault(collection, Set.of()));
    }
  }

  /** The acknowledged (seq, document) pairs ever recorded; for end-of-test cross-checks. */
  Map<Long, String> durableDocs() {
    return Map.copyOf(docOfSeq);
  }
}
