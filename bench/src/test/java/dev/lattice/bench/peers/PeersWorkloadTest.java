package dev.lattice.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The values must be byte for byte those of {@code bench/peers/peers.mjs}. The expected strings
 * and fingerprints below were printed by that script ({@code workload(n)}, and {@code fingerprint}
 * in serve mode), so this pins the Java generator to it without running Node.
 */
class PeersWorkloadTest {

  @Test
  void valuesAreThoseTheNodeScriptBuilds() {
    PeersWorkload w = PeersWorkload.of(100_000);

    assertThat(w.key(0)).isEqualTo("k0");
    assertThat(w.key(99_999)).isEqualTo("k99999");
    assertThat(w.value(0)).isEqualTo(
        "{\"id\":\"k0\",\"title\":\"OJ6y9FiLyHxZK8yEDDOpIxhXNfgIxa\",\"body\":\"cRsTxYsVMzZG7X74\",\"n\":401045,\"done\":false}");
    assertThat(w.value(99_999)).isEqualTo(
        "{\"id\":\"k99999\",\"title\":\"BroM8Q7nuDNVwqFV6XYGVMKsIaWnGs\",\"body\":\"EwDzj1P1UaxBQITC\",\"n\":256370,"
            + "\"done\":false}");
    assertThat(w.fingerprint()).containsExactly(10_527_494L, 116_778_244L);
    assertThat(PeersWorkload.of(1000).fingerprint()).containsExactly(103_280L, 1_879_414_825L);
  }

  @Test
  void valueBytesAreTheUtf8OfTheValues() {
    PeersWorkload w = PeersWorkload.of(10);

    assertThat(new String(w.valueBytes(3), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(w.value(3));
  }

  @Test
  void hotWritesNeverRepeatTheValueTheirKeyHolds() {
    for (int keys : new int[] {1000, 1500, 100_000}) {
      PeersWorkload w = PeersWorkload.of(keys);
      int hotKeys = 1000;
      int[] held = new int[hotKeys];
      java.util.Arrays.fill(held, -1);
      for (long i = 0; i < 20_000; i++) {
        int k = PeersWorkload.hotKey(i, hotKeys);
        int v = w.hotValue(i, hotKeys);
        assertThat(v).as("keys=%d, write %d", keys, i).isNotEqualTo(held[k]);
        held[k] = v;
      }
    }
  }
}
