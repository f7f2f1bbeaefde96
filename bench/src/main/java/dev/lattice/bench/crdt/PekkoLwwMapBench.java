package dev.lattice.bench.crdt;

import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
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
 * The reference for {@link OrMapUpdateBench}: Pekko Distributed Data's {@code LWWMap.put} on a map
 * of {@code n} = 100,000 entries, run in the same JVM setup so the ratio is measured in one run
 * rather than against a figure from another day. Same keys, values and key picks as
 * {@link LwwMapFixture} (the keys as plain strings, the values as their text); the base map is
 * built by eight writers, like the fixture, and its pending delta is reset once built.
 *
 * <ul>
 *   <li>{@link #putFixed}: {@code put} on the map as built; the result goes to the blackhole.
 *   <li>{@link #putGrowing}: the result replaces the map, as a replica keeps it. {@code put} also
 *       accumulates the delta a Pekko replicator would ship; the replicator resets it after each
 *       write is propagated, so this does too ({@code resetDelta}), or the delta would grow
 *       without bound over an iteration.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PekkoLwwMapBench {
  @Param("100000")
  int n;

  LwwMapFixture fixture;
  String[] values;
  LWWMap<String, String> base;
  LWWMap<String, String> map;
  SelfUniqueAddress local;
  int cursor;

  @Setup(Level.Trial)
  public void build() {
    fixture = new LwwMapFixture(n, 11);
    values = new String[LwwMapFixture.VALUES];
    for (int i = 0; i < values.length; i++) {
      values[i] = ((dev.lattice.crdt.value.Value.Str) fixture.values[i]).value();
    }
    SelfUniqueAddress[] writers = new SelfUniqueAddress[fixture.writers.length];
    for (int w = 0; w < writers.length; w++) {
      writers[w] = node(fixture.writers[w].value());
    }
    LWWMap<String, String> m = LWWMap.create();
    for (int i = 0; i < n; i++) {
      m = m.put(writers[i & 7], fixture.names[i], values[i & (LwwMapFixture.VALUES - 1)]);
    }
    base = m.resetDelta();
    if (base.size() != n) {
      throw new IllegalStateException("Pekko map has " + base.size() + " entries, not " + n);
    }
    local = node(Fixtures.replicas(1, 12)[0].value());
  }

  private static SelfUniqueAddress node(long uid) {
    return new SelfUniqueAddress(new UniqueAddress(new Address("pekko", "bench", "127.0.0.1", 2552), uid));
  }

  @Setup(Level.Iteration)
  public void reset() {
    map = base;
  }

  private LWWMap<String, String> put(LWWMap<String, String> target) {
    int c = cursor++;
    int i = fixture.picks[c & (LwwMapFixture.PICKS - 1)];
    return target.put(local, fixture.names[i], values[c & (LwwMapFixture.VALUES - 1)]);
  }

  /** {@code put} on a map that stays as built. */
  @Benchmark
  public LWWMap<String, String> putFixed() {
    return put(base);
  }

  /** {@code put}, keeping the result (and resetting its pending delta, as the replicator does). */
  @Benchmark
  public LWWMap<String, String> putGrowing() {
    map = put(map).resetDelta();
    return map;
  }
}
