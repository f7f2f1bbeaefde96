package dev.lattice.bench.crdt;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.type.OrMap;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * How joining a delta of k entries into an {@link OrMap} of n LWW entries scales: the target is
 * O(k log n), never O(n) (one JVM library scans the whole map per delta entry, 270 ms for one entry
 * into 100,000). Reported as average time per join.
 *
 * <p>{@link #joinByMapSize} sweeps n over 1,000 to 1,000,000 with a one-entry delta; the time
 * should grow with log n (plus cache misses as the tree outgrows the caches), nowhere near 1,000x.
 * {@link #joinByDeltaSize} sweeps k over 1, 10, 100 at n = 100,000 and should grow about linearly
 * in k. Deltas are remote overwrites of existing keys (the join merges each entry with the
 * present register), one dot per entry, at random keys, from a pool of about 65,536 entries in
 * all (65,536 one-entry deltas, 4,096 of ten, 512 of a hundred), so a small k does not keep
 * re-visiting a few cache-hot paths; the map is fixed, so n stays exactly as stated.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class OrMapJoinBench {
  /** Delta entries per pool: enough distinct keys that the touched paths are not all in cache. */
  private static final int POOL_ENTRIES = 1 << 16;

  /** A map of n entries and a pool of k-entry deltas for it. */
  abstract static class Fixture {
    OrMap map;
    OrMap[] deltas;
    int mask;
    int cursor;

    void build(int n, int k) {
      if (k > n) {
        throw new IllegalArgumentException("delta of " + k + " entries into a map of " + n);
      }
      LwwMapFixture f = new LwwMapFixture(n, 31);
      map = f.map;
      ReplicaId remote = Fixtures.replicas(1, 32)[0];
      SplittableRandom r = Fixtures.random(33);
      long seq = 400_000;
      long hlc = Fixtures.HLC_BASE + 86_400_000L * Fixtures.HLC_MILLI;
      // A power of two of at least 64 deltas, about 65,536 entries in all.
      int pool = Math.max(64, Integer.highestOneBit(POOL_ENTRIES / k));
      mask = pool - 1;
      deltas = new OrMap[pool];
      for (int d = 0; d < pool; d++) {
        OrMap delta = OrMap.EMPTY;
        while (delta.entryCount() < k) {
          int i = r.nextInt(n);
          delta = delta.with(f.keys[i], map.lww(f.names[i])
              .assign(f.values[r.nextInt(LwwMapFixture.VALUES)], ++hlc, new Dot(remote, ++seq)));
        }
        deltas[d] = delta;
      }
    }

    OrMap next() {
      return deltas[cursor++ & mask];
    }
  }

  /** n from 1,000 to 1,000,000, one-entry deltas. */
  @State(Scope.Thread)
  public static class ByMapSize extends Fixture {
    @Param({"1000", "10000", "100000", "1000000"})
    int n;

    @Param("1")
    int k;

    @Setup
    public void setup() {
      build(n, k);
    }
  }

  /** k of 1, 10, 100 into n = 100,000. */
  @State(Scope.Thread)
  public static class ByDeltaSize extends Fixture {
    @Param("100000")
    int n;

    @Param({"1", "10", "100"})
    int k;

    @Setup
    public void setup() {
      build(n, k);
    }
  }

  @Benchmark
  public OrMap joinByMapSize(ByMapSize s) {
    return s.map.merge(s.next());
  }

  @Benchmark
  public OrMap joinByDeltaSize(ByDeltaSize s) {
    return s.map.merge(s.next());
  }
}
