package dev.lattice.merkle.sync;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Byte-level mutations for decoder fuzzing. */
public final class Fuzz {
  private Fuzz() {}

  public static byte[] mutate(SplittableRandom rng, byte[] valid) {
    byte[] b = valid.clone();
    switch (rng.nextInt(8)) {
      case 0 -> { // pure noise
        b = new byte[rng.nextInt(64)];
        rng.nextBytes(b);
      }
      case 1 -> { // truncate
        b = Arrays.copyOf(b, b.length == 0 ? 0 : rng.nextInt(b.length));
      }
      case 2 -> { // append garbage
        byte[] tail = new byte[1 + rng.nextInt(8)];
        rng.nextBytes(tail);
        b = Arrays.copyOf(b, b.length + tail.length);
        System.arraycopy(tail, 0, b, b.length - tail.length, tail.length);
      }
      case 3 -> { // set a byte to an extreme (lengths, counts, depths, flags)
        if (b.length > 0) {
          int[] extremes = {0x00, 0x01, 0x7F, 0x80, 0xFF, 0x10, 0x11};
          b[rng.nextInt(b.length)] = (byte) extremes[rng.nextInt(extremes.length)];
        }
      }
      case 4 -> { // insert a long varint somewhere
        int at = b.length == 0 ? 0 : rng.nextInt(b.length);
        byte[] v = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F};
        byte[] out = new byte[b.length + v.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(v, 0, out, at, v.length);
        System.arraycopy(b, at, out, at + v.length, b.length - at);
        b = out;
      }
      default -> { // flip a few bits
        int flips = 1 + rng.nextInt(4);
        for (int i = 0; i < flips && b.length > 0; i++) {
          b[rng.nextInt(b.length)] ^= (byte) (1 << rng.nextInt(8));
        }
      }
    }
    return b;
  }
}
