package dev.lattice.bench.crdt;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.type.PnCounter;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * PN counter with ten replicas' entries: applying an increment delta, making one and applying it,
 * and the full-state merge of two counters that diverged (each replica incremented on one side).
 *
 * <p>Each replica incremented and decremented a few times before the benchmark, so each holds one
 * cumulative entry under a dot in the thousands. Deltas come from a pool of 1,024 (each of the ten
 * replicas' next increment, with varying amounts), cycled.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PnCounterBench {
  private static final int POOL = 1024;
  private static final int REPLICAS = 10;

  PnCounter state;
  PnCounter[] deltas;
  PnCounter left;
  PnCounter right;
  ReplicaId[] replicas;
  long[] amounts;
  long[] seqs;
  int cursor;

  @Setup
  public void setup() {
    replicas = Fixtures.replicas(REPLICAS, 3);
    seqs = new long[REPLICAS];
    PnCounter c = PnCounter.EMPTY;
    for (int round = 0; round < 5; round++) {
      for (int r = 0; r < REPLICAS; r++) {
        seqs[r] = 1_000 + 977L * r + 13L * round;
        long amount = (round % 2 == 0) ? 3 + r : -(1 + r);
        c = c.merge(c.increment(amount, new Dot(replicas[r], seqs[r])));
      }
    }
    state = c;
    amounts = new long[POOL];
    deltas = new PnCounter[POOL];
    for (int i = 0; i < POOL; i++) {
      int r = i % REPLICAS;
      amounts[i] = (i % 3 == 0) ? -(i % 7 + 1) : (i % 11 + 1);
      deltas[i] = state.increment(amounts[i], new Dot(replicas[r], seqs[r] + 1 + i / REPLICAS));
    }
    PnCounter l = state;
    PnCounter rr = state;
    for (int r = 0; r < REPLICAS; r++) {
      if (r % 2 == 0) {
        l = l.merge(l.increment(5, new Dot(replicas[r], seqs[r] + 100)));
      } else {
        rr = rr.merge(rr.increment(-2, new Dot(replicas[r], seqs[r] + 100)));
      }
    }
    left = l;
    right = rr;
  }

  /** A remote increment arrives: join its delta into the counter. */
  @Benchmark
  public PnCounter applyDelta() {
    return state.merge(deltas[cursor++ & (POOL - 1)]);
  }

  /** A local increment: make the delta from the current state (finding the own entry), then join it. */
  @Benchmark
  public PnCounter incrementAndApply() {
    int i = cursor++ & (POOL - 1);
    int r = i % REPLICAS;
    PnCounter delta = state.increment(amounts[i], new Dot(replicas[r], seqs[r] + 1 + i / REPLICAS));
    return state.merge(delta);
  }

  /** Anti-entropy: the full states of two counters, five replicas having moved on each side. */
  @Benchmark
  public PnCounter mergeState() {
    return left.merge(right);
  }
}
