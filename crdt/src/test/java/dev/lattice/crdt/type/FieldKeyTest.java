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
