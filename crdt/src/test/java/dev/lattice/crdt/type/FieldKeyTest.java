package dev.lattice.crdt.type;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FieldKeyTest {

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.lattice.crdt.testkit.Seeds#seeds")
  void ordersByNameThenKindExactlyAsStringsDo(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < 200; i++) {
      String a = name(r);
      String b = r.nextInt(4) == 0 ? a : name(r);
      FieldKind ka = FieldKind.values()[r.nextInt(FieldKind.values().length)];
      FieldKind kb = FieldKind.values()[r.nextInt(FieldKind.values().length)];
      int expected = a.equals(b) ? Integer.compare(ka.tag, kb.tag) : a.compareTo(b);
      assertThat(Integer.signum(new FieldKey(a, ka).compareTo(new FieldKey(b, kb))))
          .as("seed %d: '%s':%s vs '%s':%s", seed, a, ka, b, kb).isEqualTo(Integer.signum(expected));
    }
  }

  /** The prefix that map nodes cache must never order two keys against their own order. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.lattice.crdt.testkit.Seeds#seeds")
  void sortPrefixIsMonotoneInTheKeyOrder(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    char[] alphabet = {'\0', 'a', 'b', '\u007F', '\u0080', '\uFFFF'};
    for (int i = 0; i < 500; i++) {
      FieldKey a = new FieldKey(longName(r, alphabet), FieldKind.LWW);
      FieldKey b = new FieldKey(r.nextInt(4) == 0 ? a.name() + longName(r, alphabet) : longName(r, alphabet), FieldKind.MAP);
      assertThat(a.sortPrefix()).isNotNegative();
      if (a.sortPrefix() < b.sortPrefix()) {
        assertThat(a.compareTo(b)).as("seed %d: '%s' vs '%s'", seed, a.name(), b.name()).isNegative();
      } else if (a.sortPrefix() > b.sortPrefix()) {
        assertThat(a.compareTo(b)).as("seed %d: '%s' vs '%s'", seed, a.name(), b.name()).isPositive();
      }
    }
  }

  @org.junit.jupiter.api.Test
  void sortPrefixSeparatesKeysThatShareAShortPrefix() {
    assertThat(new FieldKey("doc/0001", FieldKind.LWW).sortPrefix())
        .isLessThan(new FieldKey("doc/0002", FieldKind.LWW).sortPrefix());
    assertThat(new FieldKey("é", FieldKind.LWW).sortPrefix())
        .isEqualTo(new FieldKey("ü", FieldKind.LWW).sortPrefix());
  }

  /** Names up to twelve characters, so both sides of the nine packed characters are exercised. */
  private static String longName(SplittableRandom r, char[] alphabet) {
    StringBuilder sb = new StringBuilder();
    int n = r.nextInt(13);
    for (int i = 0; i < n; i++) {
      sb.append(r.nextInt(3) == 0 ? alphabet[r.nextInt(alphabet.length)] : 'a');
    }
    return sb.toString();
  }

  /** Short names over a tiny alphabet with NUL and a high code unit, so prefixes tie often. */
  private static String name(SplittableRandom r) {
    char[] alphabet = {'\0', 'a', 'b', '\uFFFF'};
    StringBuilder sb = new StringBuilder();
    int n = r.nextInt(7);
    for (int i = 0; i < n; i++) {
      sb.append(alphabet[r.nextInt(alphabet.length)]);
    }
    return sb.toString();
  }
}
