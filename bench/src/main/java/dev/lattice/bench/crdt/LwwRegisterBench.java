package dev.lattice.bench.crdt;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.type.LwwRegister;
import dev.lattice.crdt.value.Value;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * LWW register: applying an assignment delta, making one and applying it (the local write path),
 * and the full-state merge of two registers assigned concurrently.
 *
 * <p>The register holds one value, written by another replica, as almost every field does. The
 * deltas come from a pool of 1,024 built in setup, each from a different replica and dot, and the
 * benchmark cycles through them, so no two consecutive invocations see the same input and the JIT
 * cannot fold the merge into a constant.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LwwRegisterBench {
  private static final int POOL = 1024;

  LwwRegister state;
  LwwRegister[] deltas;
  LwwRegister left;
  LwwRegister right;
  Value[] values;
  ReplicaId local;
  long seq;
  long hlc;
  int cursor;

  @Setup
  public void setup() {
    ReplicaId[] replicas = Fixtures.replicas(12, 1);
    SplittableRandom r = Fixtures.random(2);
    values = new Value[POOL];
    for (int i = 0; i < POOL; i++) {
      values[i] = Value.of(Fixtures.text(r, 32));
    }
    state = LwwRegister.EMPTY.assign(values[0], Fixtures.HLC_BASE, new Dot(replicas[0], 3_217));
    deltas = new LwwRegister[POOL];
    for (int i = 0; i < POOL; i++) {
      ReplicaId who = replicas[1 + i % 11];
      deltas[i] = state.assign(values[i], Fixtures.HLC_BASE + (i + 1) * Fixtures.HLC_MILLI,
          new Dot(who, 4_000 + i));
    }
    // Two replicas that both saw `state` and then assigned concurrently.
    left = state.merge(state.assign(values[1], Fixtures.HLC_BASE + 5 * Fixtures.HLC_MILLI, new Dot(replicas[1], 5_001)));
    right = state.merge(state.assign(values[2], Fixtures.HLC_BASE + 7 * Fixtures.HLC_MILLI, new Dot(replicas[2], 6_042)));
    local = replicas[11];
    seq = 7_000;
    hlc = Fixtures.HLC_BASE + 10_000 * Fixtures.HLC_MILLI;
  }

  /** A remote assignment arrives: join the delta into the register. */
  @Benchmark
  public LwwRegister applyDelta() {
    return state.merge(deltas[cursor++ & (POOL - 1)]);
  }

  /** A local write: make the assignment delta from the current state, then join it. */
  @Benchmark
  public LwwRegister assignAndApply() {
    int i = cursor++ & (POOL - 1);
    LwwRegister delta = state.assign(values[i], ++hlc, new Dot(local, ++seq));
    return state.merge(delta);
  }

  /** Anti-entropy: the full states of two registers assigned concurrently (result holds both). */
  @Benchmark
  public LwwRegister mergeState() {
    return left.merge(right);
  }
}
