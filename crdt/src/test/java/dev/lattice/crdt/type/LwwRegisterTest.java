package dev.lattice.crdt.type;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.crdt.causal.CausalContext;
import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.DotKernel;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.codec.CrdtCodec;
import dev.lattice.crdt.value.Value;
import java.util.Comparator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The register's array representation and the fast paths of its join, against the map-based kernel. */
class LwwRegisterTest {

  @Test
  void aWriteDeltaJoinedIntoTheRegisterItWasMadeFromIsTheResult() {
    LwwRegister reg = LwwRegister.EMPTY.assign(Value.of("a"), 10, Dot.of(1, 7));
    LwwRegister delta = reg.assign(Value.of("b"), 11, Dot.of(2, 3));
    assertThat(reg.merge(delta)).isSameAs(delta);
    assertThat(delta.merge(reg)).isSameAs(delta);
    assertThat(reg.merge(reg)).isSameAs(reg);
  }

  /**
   * Before the array representation, a map with its own comparator kept that comparator (and so
   * that iteration and encoding order); entries are now always held in dot order, the canonical one.
   */
  @Test
  void aRegisterFromAMapWithAnotherComparatorHoldsItsEntriesInDotOrder() {
    NavigableMap<Dot, LwwRegister.Stamped> reversed = new TreeMap<>(Comparator.reverseOrder());
    NavigableMap<Dot, LwwRegister.Stamped> natural = new TreeMap<>();
    for (int s = 1; s <= 3; s++) {
      reversed.put(Dot.of(4, s), new LwwRegister.Stamped(s, Value.of(s)));
      natural.put(Dot.of(4, s), new LwwRegister.Stamped(s, Value.of(s)));
    }
    VersionVector ctx = VersionVector.of(Dot.of(4, 1), Dot.of(4, 2), Dot.of(4, 3));
    LwwRegister fromReversed = new LwwRegister(reversed, ctx);
    LwwRegister fromNatural = new LwwRegister(natural, ctx);
    assertThat(fromReversed.entries().keySet()).containsExactly(Dot.of(4, 1), Dot.of(4, 2), Dot.of(4, 3));
    assertThat(fromReversed).isEqualTo(fromNatural);
    assertThat(fromReversed.hashCode()).isEqualTo(fromNatural.hashCode());
    assertThat(CrdtCodec.encode(fromReversed)).isEqualTo(CrdtCodec.encode(fromNatural));
  }

  /** The first-write fast path: the register's context is its dot, so the join need not read it. */
  @Test
  void aFirstWriteJoinedWithAnOverwriteThatSawItIsTheOverwrite() {
    LwwRegister first = LwwRegister.EMPTY.assign(Value.of("a"), 10, Dot.of(1, 7));
    LwwRegister over = first.assign(Value.of("b"), 11, Dot.of(2, 3));
    LwwRegister concurrent = LwwRegister.EMPTY.assign(Value.of("c"), 12, Dot.of(3, 1));
    assertThat(first.merge(over)).isSameAs(over);
    LwwRegister both = first.merge(concurrent);
    assertThat(both.entries()).hasSize(2);
    assertThat(both.context()).isEqualTo(VersionVector.of(Dot.of(1, 7), Dot.of(3, 1)));
    assertThat(both.value()).contains(Value.of("c"));
    // Under an ambient context that covers the first write, its dot is dropped, as the kernel says.
    assertThat(concurrent.join(first, CausalContext.NONE, VersionVector.of(Dot.of(3, 1))).entries().keySet())
        .containsExactly(Dot.of(1, 7));
    assertThat(first.join(concurrent, VersionVector.of(Dot.of(3, 1)), CausalContext.NONE).entries().keySet())
        .containsExactly(Dot.of(1, 7));
  }

  @Test
  void onEqualTimestampsTheGreaterDotWins() {
    NavigableMap<Dot, LwwRegister.Stamped> m = new TreeMap<>();
    m.put(Dot.of(1, 5), new LwwRegister.Stamped(9, Value.of("low")));
    m.put(Dot.of(2, 1), new LwwRegister.Stamped(9, Value.of("high")));
    m.put(Dot.of(3, 1), new LwwRegister.Stamped(8, Value.of("older")));
    LwwRegister reg = new LwwRegister(m, VersionVector.of(Dot.of(1, 5), Dot.of(2, 1), Dot.of(3, 1)));
    assertThat(reg.value()).contains(Value.of("high"));
    assertThat(reg.winner().orElseThrow().getKey()).isEqualTo(Dot.of(2, 1));
    assertThat(reg.winner()).isEqualTo(reg.entries().entrySet().stream().max(LwwRegister.WRITE_ORDER));
    assertThat(reg.losers()).isEqualTo(2);
  }

  /** The join of any two registers under any ambient contexts equals the map-based dot kernel's. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.lattice.crdt.testkit.Seeds#seeds")
  void joinMatchesTheDotKernel(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    for (int round = 0; round < 50; round++) {
      LwwRegister a = randomRegister(r);
      LwwRegister b = r.nextInt(8) == 0 ? a : randomRegister(r);
      CausalContext ambientA = r.nextBoolean() ? CausalContext.NONE : randomVector(r);
      CausalContext ambientB = r.nextBoolean() ? CausalContext.NONE : randomVector(r);
      LwwRegister expected = new LwwRegister(
          DotKernel.join(a.entries(), CausalContext.union(a.context(), ambientA),
              b.entries(), CausalContext.union(b.context(), ambientB)),
          a.context().merge(b.context()));
      LwwRegister joined = a.join(b, ambientA, ambientB);
      assertThat(joined).as("seed %d round %d: %s join %s", seed, round, a, b).isEqualTo(expected);
      assertThat(joined.hashCode()).isEqualTo(31 * expected.entries().hashCode() + expected.context().hashCode());
      assertThat(joined.value()).isEqualTo(expected.entries().entrySet().stream()
          .max(LwwRegister.WRITE_ORDER).map(e -> e.getValue().value()));
    }
  }

  /**
   * Each dot's stamp is a function of the dot, as in real states (a dot is written once). Some
   * registers are made by writes, as a replica makes them: a first write's register knows its
   * context is exactly its dot, which the join uses instead of reading the context.
   */
  private static LwwRegister randomRegister(SplittableRandom r) {
    if (r.nextInt(3) == 0) {
      LwwRegister reg = LwwRegister.EMPTY;
      for (int writes = r.nextInt(1, 3); writes > 0; writes--) {
        Dot d = Dot.of(r.nextInt(1, 4), r.nextInt(1, 6));
        reg = reg.assign(Value.of(d.toString()), d.seq() * 3 % 5, d);
      }
      return reg;
    }
    TreeMap<Dot, LwwRegister.Stamped> entries = new TreeMap<>();
    int n = r.nextInt(4);
    for (int i = 0; i < n; i++) {
      Dot d = Dot.of(r.nextInt(1, 4), r.nextInt(1, 6));
      entries.put(d, new LwwRegister.Stamped(d.seq() * 3 % 5, Value.of(d.toString())));
    }
    VersionVector ctx = VersionVector.ofDots(entries.keySet()).merge(randomVector(r));
    return new LwwRegister(entries, ctx);
  }

  private static VersionVector randomVector(SplittableRandom r) {
    VersionVector v = VersionVector.EMPTY;
    int n = r.nextInt(5);
    for (int i = 0; i < n; i++) {
      v = v.add(Dot.of(r.nextInt(1, 4), r.nextInt(1, 6)));
    }
    return v;
  }

  @Test
  void entriesIsOneViewBuiltOnce() {
    LwwRegister reg = LwwRegister.EMPTY.assign(Value.of("a"), 10, Dot.of(1, 7));
    assertThat(reg.entries()).isSameAs(reg.entries());
    assertThat(reg.entries()).containsExactly(Map.entry(Dot.of(1, 7), new LwwRegister.Stamped(10, Value.of("a"))));
  }
}
