package dev.lattice.merkle.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Sums modulo 2^256 against {@link BigInteger}, with digests read little-endian. */
class Sum256Test {
  private static final BigInteger MOD = BigInteger.ONE.shiftLeft(256);

  private static BigInteger value(byte[] littleEndian) {
    byte[] be = new byte[33];
    for (int i = 0; i < 32; i++) {
      be[32 - i] = littleEndian[i];
    }
    return new BigInteger(be);
  }

  private static byte[] digest(SplittableRandom rng) {
    byte[] d = new byte[32];
    switch (rng.nextInt(4)) {
      case 0 -> java.util.Arrays.fill(d, (byte) 0xFF); // carries through every limb
      case 1 -> d[rng.nextInt(32)] = (byte) rng.nextInt(256);
      default -> rng.nextBytes(d);
    }
    return d;
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.lattice.merkle.Seeds#seeds")
  void matchesBigIntegerModulo2to256(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    long[] acc = new long[8];
    int at = 4 * rng.nextInt(2);
    BigInteger model = BigInteger.ZERO;
    long[] prefix = new long[4 * 41];
    BigInteger[] prefixModel = new BigInteger[41];
    prefixModel[0] = BigInteger.ZERO;
    for (int i = 0; i < 40; i++) {
      byte[] d = digest(rng);
      if (rng.nextInt(3) == 0) {
        Sum256.subtract(acc, at, d);
        model = model.subtract(value(d)).mod(MOD);
      } else {
        Sum256.add(acc, at, d);
        model = model.add(value(d)).mod(MOD);
      }
      assertThat(value(Sum256.toBytes(acc, at))).as("seed " + seed + " step " + i).isEqualTo(model);
      Sum256.read(d, 0, prefix, 4 * (i + 1));
      Sum256.add(prefix, 4 * (i + 1), prefix, 4 * i, prefix, 4 * (i + 1));
      prefixModel[i + 1] = prefixModel[i].add(value(d)).mod(MOD);
    }
    for (int k = 0; k < 20; k++) {
      int lo = rng.nextInt(41);
      int hi = lo + rng.nextInt(41 - lo);
      assertThat(value(Sum256.difference(prefix, 4 * hi, prefix, 4 * lo)))
          .as("seed " + seed + " range " + lo + ".." + hi)
          .isEqualTo(prefixModel[hi].subtract(prefixModel[lo]).mod(MOD));
    }
    assertThat(Sum256.isZero(new long[4], 0)).isTrue();
  }
}
