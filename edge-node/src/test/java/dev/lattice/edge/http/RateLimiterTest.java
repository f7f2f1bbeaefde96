package dev.lattice.edge.http;

import static dev.lattice.edge.http.RateLimiter.Verdict.ALLOW;
import static dev.lattice.edge.http.RateLimiter.Verdict.DISCONNECT;
import static dev.lattice.edge.http.RateLimiter.Verdict.REJECT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.edge.config.Limits;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RateLimiterTest {
  private static final long MS = 1_000_000L;
  private final AtomicLong now = new AtomicLong(123 * MS);

  private List<RateLimiter.Verdict> take(RateLimiter limiter, int n) {
    List<RateLimiter.Verdict> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(limiter.acquire());
    }
    return out;
  }

  @Test
  void aFullBucketAllowsTheBurstThenRejects() {
    RateLimiter limiter = new RateLimiter(10, 5, now::get);
    assertThat(take(limiter, 5)).containsOnly(ALLOW);
    assertThat(limiter.acquire()).isEqualTo(REJECT);
  }

  @Test
  void tokensRefillAtTheRateUpToTheBurst() {
    RateLimiter limiter = new RateLimiter(10, 5, now::get);
    take(limiter, 5);
    now.addAndGet(100 * MS);  // one token at 10/s
    assertThat(limiter.acquire()).isEqualTo(ALLOW);
    assertThat(limiter.acquire()).isEqualTo(REJECT);
    now.addAndGet(60_000 * MS);  // a minute refills to the burst, no more
    assertThat(take(limiter, 5)).containsOnly(ALLOW);
    assertThat(limiter.acquire()).isEqualTo(REJECT);
  }

  @Test
  void sustainedExcessDisconnectsAfterBurstRejections() {
    RateLimiter limiter = new RateLimiter(10, 3, now::get);
    take(limiter, 3);
    // Rejections 1..3 are answered with errors; the 4th in a row without a calm second disconnects.
    assertThat(take(limiter, 3)).containsOnly(REJECT);
    assertThat(limiter.acquire()).isEqualTo(DISCONNECT);
    now.addAndGet(10_000 * MS);
    assertThat(limiter.acquire()).as("a disconnect verdict is final").isEqualTo(DISCONNECT);
  }

  @Test
  void aCalmSecondForgivesEarlierRejections() {
    RateLimiter limiter = new RateLimiter(1, 2, now::get);
    take(limiter, 2);
    assertThat(take(limiter, 2)).containsOnly(REJECT);
    now.addAndGet(999 * MS);  // refills 0.999 tokens: still over, and not a calm second yet
    assertThat(limiter.acquire()).isEqualTo(DISCONNECT);

    RateLimiter forgiving = new RateLimiter(1, 2, now::get);
    take(forgiving, 2);
    assertThat(take(forgiving, 2)).containsOnly(REJECT);
    now.addAndGet(1_000 * MS);  // one token back, and a calm second
    assertThat(forgiving.acquire()).isEqualTo(ALLOW);
    assertThat(take(forgiving, 2)).containsOnly(REJECT);
  }

  @Test
  void aClientAtTwiceTheRateIsDisconnectedWithinTwoBurstsWorthOfTime() {
    Limits limits = Limits.DEFAULT;  // 200/s, burst 400
    RateLimiter limiter = RateLimiter.of(limits, now::get);
    long start = now.get();
    RateLimiter.Verdict v = ALLOW;
    int sent = 0;
    while (v != DISCONNECT) {
      now.addAndGet(2_500_000L);  // 400 messages a second
      v = limiter.acquire();
      sent++;
    }
    double seconds = (now.get() - start) / 1e9;
    assertThat(seconds).isBetween(2.0, 5.0);
    assertThat(sent).isGreaterThan(limits.burst());
  }

  static List<Long> seeds() {
    return new SplittableRandom(42).longs(50).boxed().toList();
  }

  /** Over any schedule, allowed messages never exceed burst + rate x elapsed. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void neverAllowsMoreThanTheBucketHolds(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int rate = 1 + random.nextInt(100);
    int burst = 1 + random.nextInt(50);
    RateLimiter limiter = new RateLimiter(rate, burst, now::get);
    long start = now.get();
    int allowed = 0;
    for (int i = 0; i < 2_000; i++) {
      now.addAndGet(random.nextLong(50 * MS));
      if (limiter.acquire() == ALLOW) {
        allowed++;
      }
      double bound = burst + rate * (now.get() - start) / 1e9;
      assertThat((double) allowed).as("seed %d step %d", seed, i).isLessThanOrEqualTo(bound + 1e-9);
    }
  }

  @Test
  void ratesBelowOneAreRefused() {
    assertThatThrownBy(() -> new RateLimiter(0, 1, now::get)).hasMessageContaining("at least 1");
  }
}
