package dev.lattice.bench.crdt;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.type.OrSet;
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
 * Add-wins OR-set of 100 elements: applying an add delta, applying a remove delta, and the
 * full-state merge of two 100-element sets that diverged from a common state.
 *
 * <p>The elements are 16-character strings added by ten replicas with dots in the thousands; a
 * tenth of them were added twice concurrently, so they carry two dots. Add deltas alternate
 * between new elements and re-adds of present ones (which retire the observed dots); remove
 * deltas remove present elements. Each pool holds 1,024 deltas, cycled.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class OrSetBench {
  private static final int POOL = 1024;
  private static final int SIZE = 100;

  OrSet state;
  OrSet[] adds;
  OrSet[] removes;
  OrSet left;
  OrSet right;
  int cursor;

  @Setup
  public void setup() {
    ReplicaId[] replicas = Fixtures.replicas(12, 4);
    SplittableRandom r = Fixtures.random(5);
    Value[] present = new Value[SIZE];
    OrSet s = OrSet.EMPTY;
    for (int i = 0; i < SIZE; i++) {
      present[i] = Value.of(Fixtures.text(r, 16));
      s = s.merge(s.add(present[i], new Dot(replicas[i % 10], 2_000 + 31L * i)));
      if (i % 10 == 0) {
        // A concurrent add of the same element by another replica: two dots survive.
        s = s.merge(OrSet.EMPTY.add(present[i], new Dot(replicas[(i + 1) % 10], 9_000 + i)));
      }
    }
    if (s.size() != SIZE) {
      throw new IllegalStateException("fixture set has " + s.size() + " elements, not " + SIZE);
    }
    state = s;
    ReplicaId writer = replicas[10];
    adds = new OrSet[POOL];
    removes = new OrSet[POOL];
    for (int i = 0; i < POOL; i++) {
      Value element = (i % 2 == 0) ? Value.of(Fixtures.text(r, 16)) : present[(i * 7) % SIZE];
      adds[i] = state.add(element, new Dot(writer, 12_000 + i));
      removes[i] = state.remove(present[(i * 13) % SIZE], new Dot(writer, 14_000 + i));
    }
    // Two replicas start from `state`; each adds five new elements and removes five others.
    OrSet l = state;
    OrSet rr = state;
    for (int i = 0; i < 5; i++) {
      l = l.merge(l.add(Value.of(Fixtures.text(r, 16)), new Dot(replicas[10], 20_000 + i)));
      l = l.merge(l.remove(present[i * 3], new Dot(replicas[10], 20_100 + i)));
      rr = rr.merge(rr.add(Value.of(Fixtures.text(r, 16)), new Dot(replicas[11], 30_000 + i)));
      rr = rr.merge(rr.remove(present[50 + i * 3], new Dot(replicas[11], 30_100 + i)));
    }
    left = l;
    right = rr;
  }

  /** An add arrives: join the add delta into the set. */
  @Benchmark
  public OrSet applyAddDelta() {
    return state.merge(adds[cursor++ & (POOL - 1)]);
  }

  /** A remove arrives: join the remove delta (an empty store with the observed dots) into the set. */
  @Benchmark
  public OrSet applyRemoveDelta() {
    return state.merge(removes[cursor++ & (POOL - 1)]);
  }

  /** Anti-entropy: the full states of two diverged 100-element sets. */
  @Benchmark
  public OrSet mergeState() {
    return left.merge(right);
  }
}
