package dev.lattice.crdt.causal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Version vectors checked against the plain set of dots they stand for. */
class VersionVectorTest {

  @Test
  void closesAGapWhenTheMissingDotArrives() {
    VersionVector v = VersionVector.of(Dot.of(1, 1), Dot.of(1, 2), Dot.of(1, 4), Dot.of(1, 6));
    assertThat(v.contiguous(new ReplicaId(1))).isEqualTo(2);
    assertThat(v.beyondGap(new ReplicaId(1))).containsExactly(4, 6);
    VersionVector closed = v.add(Dot.of(1, 3));
    assertThat(closed.contiguous(new ReplicaId(1))).isEqualTo(4);
    assertThat(closed.beyondGap(new ReplicaId(1))).containsExactly(6);
    assertThat(closed.max(new ReplicaId(1))).isEqualTo(6);
  }

  @Test
  void comparesCausalHistories() {
    VersionVector a = VersionVector.of(Dot.of(1, 1));
    VersionVector b = a.add(Dot.of(2, 1));
    VersionVector c = a.add(Dot.of(3, 1));
    assertThat(a.compare(b)).isEqualTo(VectorOrdering.BEFORE);
    assertThat(b.compare(a)).isEqualTo(VectorOrdering.AFTER);
    assertThat(b.compare(c)).isEqualTo(VectorOrdering.CONCURRENT);
    assertThat(b.compare(a.merge(b))).isEqualTo(VectorOrdering.EQUAL);
  }

  @Test
  void missingFromListsRangesInOrder() {
    VersionVector mine = VersionVector.ofEntry(new ReplicaId(1), 3, new long[] {6});
    VersionVector theirs = VersionVector.ofEntry(new ReplicaId(1), 8, new long[] {10, 11})
        .merge(VersionVector.ofEntry(new ReplicaId(2), 2, new long[0]));
    assertThat(mine.missingFrom(theirs)).containsExactly(
        new DotRange(new ReplicaId(1), 4, 5),
        new DotRange(new ReplicaId(1), 7, 8),
        new DotRange(new ReplicaId(1), 10, 11),
        new DotRange(new ReplicaId(2), 1, 2));
  }

  @Test
  void theLastSequenceNumberDoesNotOverflow() {
    VersionVector v = VersionVector.ofEntry(new ReplicaId(1), Long.MAX_VALUE - 1, new long[] {Long.MAX_VALUE});
    assertThat(v.contiguous(new ReplicaId(1))).isEqualTo(Long.MAX_VALUE);
    assertThat(v.beyondGap(new ReplicaId(1))).isEmpty();
    assertThat(v.minus(CausalContext.ALL)).isEqualTo(VersionVector.EMPTY);
    assertThat(v.minus(CausalContext.NONE)).isSameAs(v);
  }

  @Test
  void ofTakesDotsInAnyOrderWithRepeats() {
    VersionVector v = VersionVector.of(Dot.of(2, 3), Dot.of(1, 2), Dot.of(1, 1), Dot.of(2, 3), Dot.of(1, 5));
    assertThat(v.contiguous(new ReplicaId(1))).isEqualTo(2);
    assertThat(v.beyondGap(new ReplicaId(1))).containsExactly(5);
    assertThat(v.contiguous(new ReplicaId(2))).isZero();
    assertThat(v.beyondGap(new ReplicaId(2))).containsExactly(3);
    assertThat(v).isEqualTo(VersionVector.EMPTY.add(Dot.of(1, 1)).add(Dot.of(1, 2)).add(Dot.of(1, 5)).add(Dot.of(2, 3)));
  }

  /** The merge of a write's context into a delta's that covers it allocates nothing: it is the delta's. */
  @Test
  void mergeReturnsTheVectorThatCoversTheOther() {
    VersionVector small = VersionVector.of(Dot.of(1, 1));
    VersionVector big = VersionVector.of(Dot.of(1, 1), Dot.of(2, 4));
    assertThat(small.merge(big)).isSameAs(big);
    assertThat(big.merge(small)).isSameAs(big);
    assertThat(big.merge(VersionVector.of(Dot.of(1, 1), Dot.of(2, 4)))).isEqualTo(big);
  }

  @Test
  void replicasAreOrderedAsUnsignedNumbers() {
    VersionVector v = VersionVector.of(new Dot(new ReplicaId(-1), 1), Dot.of(5, 1));
    assertThat(v.replicas()).containsExactly(new ReplicaId(5), new ReplicaId(-1));
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.lattice.crdt.testkit.Seeds#seeds")
  void behavesLikeTheSetOfDotsItCovers(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<VersionVector> vectors = new ArrayList<>();
    List<TreeSet<Dot>> models = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      VersionVector v = VersionVector.EMPTY;
      TreeSet<Dot> m = new TreeSet<>();
      int n = r.nextInt(30);
      for (int k = 0; k < n; k++) {
        Dot d = Dot.of(r.nextInt(1, 4), r.nextInt(1, 12));
        v = v.add(d);
        m.add(d);
      }
      vectors.add(v);
      models.add(m);
    }
    for (int i = 0; i < vectors.size(); i++) {
      VersionVector v = vectors.get(i);
      TreeSet<Dot> m = models.get(i);
      assertThat(v).as("seed %d: built in another order", seed).isEqualTo(VersionVector.ofDots(m));
      assertThat(v.dotCount()).isEqualTo(m.size());
      List<Dot> listed = new ArrayList<>();
      v.forEachDot(listed::add);
      assertThat(listed).as("seed %d", seed).containsExactlyElementsOf(m);
      for (int j = 0; j < vectors.size(); j++) {
        VersionVector w = vectors.get(j);
        TreeSet<Dot> n = models.get(j);
        TreeSet<Dot> union = new TreeSet<>(m);
        union.addAll(n);
        assertThat(v.merge(w)).as("seed %d merge", seed).isEqualTo(VersionVector.ofDots(union));
        assertThat(v.merge(w)).isEqualTo(w.merge(v));
        assertThat(v.isCoveredBy(w)).as("seed %d: %s <= %s", seed, v, w).isEqualTo(n.containsAll(m));
        TreeSet<Dot> missing = new TreeSet<>(n);
        missing.removeAll(m);
        List<Dot> fromRanges = new ArrayList<>();
        for (DotRange range : v.missingFrom(w)) {
          for (long s = range.first(); s <= range.last(); s++) {
            fromRanges.add(new Dot(range.replica(), s));
          }
        }
        assertThat(fromRanges).as("seed %d: %s missing from %s", seed, v, w).containsExactlyElementsOf(missing);
        TreeSet<Dot> difference = new TreeSet<>(m);
        difference.removeAll(n);
        assertThat(v.minus(w)).as("seed %d: %s minus %s", seed, v, w).isEqualTo(VersionVector.ofDots(difference));
        assertThat(v.minus(w::covers)).isEqualTo(VersionVector.ofDots(difference));
      }
      for (int k = 0; k < 20; k++) {
        Dot d = Dot.of(r.nextInt(1, 5), r.nextInt(1, 14));
        assertThat(v.covers(d)).as("seed %d covers %s", seed, d).isEqualTo(m.contains(d));
      }
    }
  }
}
