package dev.lattice.bench.crdt;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.type.LwwRegister;
import dev.lattice.crdt.type.OrMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The target of issue 2 (at least 900,000 per second), raised by issue 11 to the rate of Pekko
 * Distributed Data's {@code LWWMap.put} at 100,000 keys on the same machine ({@link PekkoLwwMapBench},
 * run beside it): an {@link OrMap} of 100,000 LWW entries, update plus delta join. One operation is
 * what a local write does: pick a key, read its register
 * with {@code map.lww(name)}, make the assignment delta with a fresh dot and HLC timestamp, and
 * join {@code OrMap.of(key, delta)} into the map.
 *
 * <ul>
 *   <li>{@link #updateJoinFixed}: the map never changes, so every operation sees the same
 *       100,000 single-value registers; the result is returned to JMH's blackhole.
 *   <li>{@link #updateJoinGrowing}: the result replaces the map, as in a replica, so registers
 *       accumulate history (their causal contexts grow with every overwrite, and the tree is path
 *       copied). The map is rebuilt at the start of every iteration so iterations are alike; one
 *       one-second iteration at ~1M/s overwrites each key about ten times.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class OrMapUpdateBench {
  @Param("100000")
  int n;

  LwwMapFixture fixture;
  OrMap map;
  ReplicaId local;
  long seq;
  long hlc;
  int cursor;

  @Setup(Level.Trial)
  public void build() {
    fixture = new LwwMapFixture(n, 11);
    local = Fixtures.replicas(1, 12)[0];
  }

  @Setup(Level.Iteration)
  public void reset() {
    map = fixture.map;
    seq = 250_000;
    hlc = Fixtures.HLC_BASE + 86_400_000L * Fixtures.HLC_MILLI;
  }

  private OrMap updateAndJoin(OrMap target) {
    int c = cursor++;
    int i = fixture.picks[c & (LwwMapFixture.PICKS - 1)];
    LwwRegister delta = target.lww(fixture.names[i])
        .assign(fixture.values[c & (LwwMapFixture.VALUES - 1)], ++hlc, new Dot(local, ++seq));
    return target.merge(OrMap.of(fixture.keys[i], delta));
  }

  /** Update plus delta join on a map that stays as built. */
  @Benchmark
  public OrMap updateJoinFixed() {
    return updateAndJoin(map);
  }

  /** Update plus delta join, keeping the result: the map's registers accumulate history. */
  @Benchmark
  public OrMap updateJoinGrowing() {
    map = updateAndJoin(map);
    return map;
  }
}
