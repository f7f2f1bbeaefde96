package dev.lattice.crdt.clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.crdt.testkit.Seeds;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class HlcTest {
  private final AtomicLong wall = new AtomicLong(1_700_000_000_000L);
  private final Hlc clock = new Hlc(wall::get, Duration.ofSeconds(60));

  @Test
  void packsMillisAndLogicalCounter() {
    long t = HlcTimestamp.pack(1_700_000_000_123L, 7);
    assertThat(HlcTimestamp.millis(t)).isEqualTo(1_700_000_000_123L);
    assertThat(HlcTimestamp.logical(t)).isEqualTo(7);
    assertThat(HlcTimestamp.pack(5, 0)).isGreaterThan(HlcTimestamp.pack(4, 0xFFFF));
    assertThatThrownBy(() -> HlcTimestamp.pack(1L << 48, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(Long.toString(1L << 48));
  }

  @Test
  void followsTheWallClockWhenItAdvances() {
    long a = clock.now();
    wall.addAndGet(5);
    long b = clock.now();
    assertThat(HlcTimestamp.millis(b)).isEqualTo(wall.get());
    assertThat(HlcTimestamp.logical(b)).isZero();
    assertThat(b).isGreaterThan(a);
  }

  @Test
  void neverGoesBackwardsWhenTheWallClockDoes() {
    long before = clock.now();
    wall.addAndGet(-10_000);
    long after = clock.now();
    assertThat(after).isGreaterThan(before);
    assertThat(HlcTimestamp.millis(after)).isEqualTo(HlcTimestamp.millis(before));
    assertThat(HlcTimestamp.logical(after)).isEqualTo(HlcTimestamp.logical(before) + 1);
  }

  @Test
  void logicalOverflowCarriesIntoTheMillisecond() {
    long start = clock.now();
    long t = start;
    for (int i = 0; i < 0x10000; i++) {
      t = clock.now();
    }
    assertThat(HlcTimestamp.millis(t)).isEqualTo(HlcTimestamp.millis(start) + 1);
    assertThat(HlcTimestamp.logical(t)).isZero();
  }

  @Test
  void receiveMovesPastTheRemoteTimestamp() throws Exception {
    long remote = HlcTimestamp.pack(wall.get() + 30_000, 4);
    long t = clock.receive(remote);
    assertThat(t).isEqualTo(remote + 1);
    assertThat(clock.now()).isGreaterThan(t);
  }

  @Test
  void refusesARemoteTimestampBeyondTheSkewBoundAndStaysUnchanged() {
    long before = clock.now();
    long remote = HlcTimestamp.pack(wall.get() + 60_001, 0);
    assertThatThrownBy(() -> clock.receive(remote))
        .isInstanceOf(ClockSkewException.class)
        .hasMessageContaining(HlcTimestamp.format(remote))
        .hasMessageContaining(Long.toString(wall.get()))
        .hasMessageContaining("60000 ms");
    assertThat(clock.current()).isEqualTo(before);
    assertThat(clock.now()).isEqualTo(before + 1);
  }

  @Test
  void acceptsExactlyTheSkewBound() throws Exception {
    long remote = HlcTimestamp.pack(wall.get() + 60_000, 0);
    assertThat(clock.receive(remote)).isGreaterThan(remote);
  }

  @Test
  void advanceToRestoresAPersistedTimestamp() {
    long persisted = HlcTimestamp.pack(wall.get() + 5, 3);
    clock.advanceTo(persisted);
    assertThat(clock.now()).isGreaterThan(persisted);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.lattice.crdt.testkit.Seeds#seeds")
  void everyTimestampIssuedIsGreaterThanAllBeforeItWhateverTheWallClockDoes(long seed) throws Exception {
    SplittableRandom r = new SplittableRandom(seed);
    long last = 0;
    for (int i = 0; i < 500; i++) {
      wall.addAndGet(r.nextInt(-50, 51));
      long t;
      if (r.nextBoolean()) {
        t = clock.now();
      } else {
        long remote = HlcTimestamp.pack(Math.max(0, wall.get() + r.nextInt(-5000, 5000)), r.nextInt(0x10000));
        t = clock.receive(remote);
        assertThat(t).as("seed %d: receive exceeds the remote", seed).isGreaterThan(remote);
      }
      assertThat(t).as("seed %d step %d", seed, i).isGreaterThan(last);
      last = t;
    }
    assertThat(Seeds.count()).isPositive();
  }
}
