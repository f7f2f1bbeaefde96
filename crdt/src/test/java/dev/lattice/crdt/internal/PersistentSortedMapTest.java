package dev.lattice.crdt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PersistentSortedMapTest {

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.lattice.crdt.testkit.Seeds#seeds")
  void matchesATreeMapAndOldVersionsStayIntact(long seed) {
    matchesATreeMap(seed, PersistentSortedMap.empty());
  }

  /** Prefixes that tie in runs of eight keys, so descents use both the prefix and the key. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.lattice.crdt.testkit.Seeds#seeds")
  void matchesATreeMapWithPrefixesThatTie(long seed) {
    matchesATreeMap(seed, PersistentSortedMap.empty(k -> k >> 3));
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.lattice.crdt.testkit.Seeds#seeds")
  void matchesATreeMapWithExactPrefixes(long seed) {
    matchesATreeMap(seed, PersistentSortedMap.empty(k -> k));
  }

  private static void matchesATreeMap(long seed, PersistentSortedMap<Integer, String> empty) {
    SplittableRandom r = new SplittableRandom(seed);
    PersistentSortedMap<Integer, String> map = empty;
    TreeMap<Integer, String> model = new TreeMap<>();
    List<PersistentSortedMap<Integer, String>> versions = new ArrayList<>();
    List<TreeMap<Integer, String>> snapshots = new ArrayList<>();
    int n = r.nextInt(1, 400);
    for (int i = 0; i < n; i++) {
      int key = r.nextInt(n);
      if (r.nextInt(4) == 0) {
        map = map.remove(key);
        model.remove(key);
      } else if (r.nextInt(3) == 0) {
        String suffix = r.nextBoolean() ? "+" : null;
        map = map.compute(key, old -> suffix == null ? null : (old == null ? "new" : old + suffix));
        model.compute(key, (k, old) -> suffix == null ? null : (old == null ? "new" : old + suffix));
      } else {
        String value = "v" + r.nextInt(5);
        map = map.put(key, value);
        model.put(key, value);
      }
      if (r.nextInt(20) == 0) {
        versions.add(map);
        snapshots.add(new TreeMap<>(model));
      }
    }
    assertContents(map, model, seed);
    for (int i = 0; i < versions.size(); i++) {
      assertContents(versions.get(i), snapshots.get(i), seed);
    }
    PersistentSortedMap<Integer, String> reversed = empty;
    for (Map.Entry<Integer, String> e : model.descendingMap().entrySet()) {
      reversed = reversed.put(e.getKey(), e.getValue());
    }
    assertThat(reversed).as("seed %d: equality ignores tree shape", seed).isEqualTo(map);
    assertThat(reversed.hashCode()).isEqualTo(map.hashCode());
  }

  private static void assertContents(PersistentSortedMap<Integer, String> map, TreeMap<Integer, String> model, long seed) {
    map.checkInvariants();
    assertThat(map.size()).as("seed %d size", seed).isEqualTo(model.size());
    List<Map.Entry<Integer, String>> entries = new ArrayList<>();
    map.forEach((k, v) -> entries.add(Map.entry(k, v)));
    assertThat(entries).as("seed %d in order", seed).containsExactlyElementsOf(model.entrySet());
    Map.Entry<Integer, String> first = map.firstEntry();
    assertThat(first == null ? null : Map.entry(first.getKey(), first.getValue()))
        .as("seed %d first entry", seed).isEqualTo(model.firstEntry() == null ? null : Map.entry(model.firstKey(), model.firstEntry().getValue()));
    for (int k = -1; k <= model.size() + 1; k++) {
      assertThat(map.get(k)).isEqualTo(model.get(k));
    }
  }
}
