package dev.lattice.merkle.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Arithmetic modulo 2^256 on sums held as four {@code long} limbs in a {@code long[]} at some
 * offset, least significant limb first. A 32-byte digest is read as an unsigned little-endian
 * integer: byte 0 is the least significant. Additive node digests (see
 * {@link dev.lattice.merkle.tree.DigestBuckets}) are these sums. Internal.
 */
public final class Sum256 {
  /** Limbs per sum. */
  public static final int LIMBS = 4;
  public static final int BYTES = 32;
  private static final VarHandle LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private Sum256() {}

  /** {@code acc[at, at + 4) += digest (mod 2^256)}; {@code digest} is 32 bytes. */
  public static void add(long[] acc, int at, byte[] digest) {
    long carry = 0;
    for (int i = 0; i < LIMBS; i++) {
      long a = acc[at + i];
      long b = (long) LE.get(digest, 8 * i);
      long s = a + b;
      long c1 = Long.compareUnsigned(s, a) < 0 ? 1 : 0;
      long t = s + carry;
      long c2 = Long.compareUnsigned(t, s) < 0 ? 1 : 0;
      acc[at + i] = t;
      carry = c1 | c2;
    }
  }

  /** {@code acc[at, at + 4) -= digest (mod 2^256)}; {@code digest} is 32 bytes. */
  public static void subtract(long[] acc, int at, byte[] digest) {
    long borrow = 0;
    for (int i = 0; i < LIMBS; i++) {
      long a = acc[at + i];
      long b = (long) LE.get(digest, 8 * i);
      long d = a - b;
      long b1 = Long.compareUnsigned(a, b) < 0 ? 1 : 0;
      long t = d - borrow;
      long b2 = Long.compareUnsigned(d, borrow) < 0 ? 1 : 0;
      acc[at + i] = t;
      borrow = b1 | b2;
    }
  }

  /** {@code out[outAt, +4) = x[xAt, +4) + y[yAt, +4) (mod 2^256)}. */
  public static void add(long[] out, int outAt, long[] x, int xAt, long[] y, int yAt) {
    long carry = 0;
    for (int i = 0; i < LIMBS; i++) {
      long a = x[xAt + i];
      long s = a + y[yAt + i];
      long c1 = Long.compareUnsigned(s, a) < 0 ? 1 : 0;
      long t = s + carry;
      long c2 = Long.compareUnsigned(t, s) < 0 ? 1 : 0;
      out[outAt + i] = t;
      carry = c1 | c2;
    }
  }

  /** The 32-byte digest of {@code x[xAt, +4) - y[yAt, +4) (mod 2^256)}: a range of prefix sums. */
  public static byte[] difference(long[] x, int xAt, long[] y, int yAt) {
    byte[] out = new byte[BYTES];
    long borrow = 0;
    for (int i = 0; i < LIMBS; i++) {
      long a = x[xAt + i];
      long b = y[yAt + i];
      long d = a - b;
      long b1 = Long.compareUnsigned(a, b) < 0 ? 1 : 0;
      long t = d - borrow;
      long b2 = Long.compareUnsigned(d, borrow) < 0 ? 1 : 0;
      LE.set(out, 8 * i, t);
      borrow = b1 | b2;
    }
    return out;
  }

  /** The 32-byte little-endian form of {@code acc[at, +4)}. */
  public static byte[] toBytes(long[] acc, int at) {
    byte[] out = new byte[BYTES];
    for (int i = 0; i < LIMBS; i++) {
      LE.set(out, 8 * i, acc[at + i]);
    }
    return out;
  }

  /** Reads a 32-byte little-endian sum from {@code in[from, +32)} into {@code acc[at, +4)}. */
  public static void read(byte[] in, int from, long[] acc, int at) {
    for (int i = 0; i < LIMBS; i++) {
      acc[at + i] = (long) LE.get(in, from + 8 * i);
    }
  }

  public static boolean isZero(long[] acc, int at) {
    return (acc[at] | acc[at + 1] | acc[at + 2] | acc[at + 3]) == 0;
  }
}
