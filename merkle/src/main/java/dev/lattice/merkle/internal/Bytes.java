package dev.lattice.merkle.internal;

import java.util.Arrays;

/** Small byte-array helpers. Internal: not for use outside this module. */
public final class Bytes {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Bytes() {}

  /** Hex of at most the first 32 bytes, for error messages that must name a value. */
  public static String hex(byte[] b) {
    if (b == null) {
      return "null";
    }
    int n = Math.min(b.length, 32);
    StringBuilder sb = new StringBuilder(n * 2 + 8);
    for (int i = 0; i < n; i++) {
      sb.append(HEX[(b[i] >> 4) & 0xF]).append(HEX[b[i] & 0xF]);
    }
    if (n < b.length) {
      sb.append("…(").append(b.length).append(" bytes)");
    }
    return sb.toString();
  }

  /**
   * The smallest byte string above every string that starts with {@code prefix}, or null when
   * there is none (the prefix is empty or all {@code 0xFF}).
   */
  public static byte[] prefixSuccessor(byte[] prefix) {
    for (int i = prefix.length - 1; i >= 0; i--) {
      if (prefix[i] != (byte) 0xFF) {
        byte[] out = Arrays.copyOf(prefix, i + 1);
        out[i]++;
        return out;
      }
    }
    return null;
  }

  /** True if {@code a[0, len) == b[0, len)} and {@code b.length == len}. */
  public static boolean prefixEquals(byte[] a, int len, byte[] b) {
    return b.length == len && Arrays.equals(a, 0, len, b, 0, len);
  }
}
