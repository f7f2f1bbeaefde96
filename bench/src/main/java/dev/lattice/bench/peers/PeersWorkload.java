package dev.lattice.bench.peers;

import java.nio.charset.StandardCharsets;

/**
 * The workload every side of the {@code peers} suite writes, built before any timing: keys
 * {@code k0..k(n-1)} and one value per key, a JSON object text of about 105 ASCII bytes.
 *
 * <p>The values come from Marsaglia's xorshift32 (shifts 13, 17, 5; "Xorshift RNGs", J. Stat.
 * Software 8(14), 2003) from a fixed seed, each draw taken unsigned modulo its range. The Node
 * script ({@code bench/peers/peers.mjs}, {@code workload}) runs the same generator: JavaScript's
 * bitwise operators act on 32-bit two's complement integers exactly as Java's {@code int} does, so
 * both build the same strings. {@link #fingerprint} lets the suite check that at run time.
 */
public final class PeersWorkload {
  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  private static final int SEED = 0x2545f491;

  private final String[] keys;
  private final String[] values;
  private final byte[][] valueBytes;

  private PeersWorkload(String[] keys, String[] values) {
    this.keys = keys;
    this.values = values;
    this.valueBytes = new byte[values.length][];
    for (int i = 0; i < values.length; i++) {
      valueBytes[i] = values[i].getBytes(StandardCharsets.UTF_8);
    }
  }

  /**
   * Builds the keys and values of an {@code n}-key workload.
   *
   * @throws IllegalArgumentException if {@code n} is not positive
   */
  public static PeersWorkload of(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("keys must be positive: " + n);
    }
    Xorshift32 next = new Xorshift32(SEED);
    String[] keys = new String[n];
    String[] values = new String[n];
    StringBuilder sb = new StringBuilder(128);
    for (int i = 0; i < n; i++) {
      keys[i] = "k" + i;
      sb.setLength(0);
      sb.append("{\"id\":\"k").append(i).append("\",\"title\":\"");
      text(next, 30, sb);
      sb.append("\",\"body\":\"");
      text(next, 16, sb);
      sb.append("\",\"n\":").append(next.below(1_000_000));
      sb.append(",\"done\":").append(next.below(2) == 1).append('}');
      values[i] = sb.toString();
    }
    return new PeersWorkload(keys, values);
  }

  private static void text(Xorshift32 next, int n, StringBuilder sb) {
    for (int j = 0; j < n; j++) {
      sb.append(ALPHABET.charAt(next.below(ALPHABET.length())));
    }
  }

  public int size() {
    return keys.length;
  }

  public String key(int i) {
    return keys[i];
  }

  public String value(int i) {
    return values[i];
  }

  public byte[] valueBytes(int i) {
    return valueBytes[i];
  }

  /** Overwrite {@code i} of the hot-keys figure writes key {@code i mod hotKeys}. */
  public static int hotKey(long i, int hotKeys) {
    return (int) (i % hotKeys);
  }

  /**
   * Overwrite {@code i} writes value {@code (i + floor(i / hotKeys)) mod keys}, so a key never gets
   * the value it already holds (which some sides would skip as no change), whatever the sizes.
   */
  public int hotValue(long i, int hotKeys) {
    return (int) ((i + i / hotKeys) % values.length);
  }

  /** Total value bytes and their 32-bit FNV-1a hash (over the UTF-16 code units, all ASCII here). */
  public long[] fingerprint() {
    long bytes = 0;
    int h = 0x811c9dc5;
    for (String v : values) {
      for (int j = 0; j < v.length(); j++) {
        h = (h ^ v.charAt(j)) * 0x01000193;
      }
      bytes += v.length();
    }
    return new long[] {bytes, Integer.toUnsignedLong(h)};
  }

  /** xorshift32 on an {@code int} state; {@link #below} is the draw reduced to {@code [0, range)}. */
  private static final class Xorshift32 {
    private int x;

    Xorshift32(int seed) {
      this.x = seed;
    }

    int below(int range) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (int) (Integer.toUnsignedLong(x) % range);
    }
  }
}
