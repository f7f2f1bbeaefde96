package dev.lattice.merkle.internal;

import dev.lattice.merkle.MerkleCodecException;
import dev.lattice.merkle.MerkleCodecException.Reason;
import java.util.Arrays;

/**
 * Bounds-checked reader. Every length and count is checked against its limit and against the
 * bytes that remain before anything is allocated, so a decoder never allocates more than the
 * input justifies. Internal.
 */
public final class ByteReader {
  private final byte[] in;
  private int pos;

  public ByteReader(byte[] in) {
    this.in = in;
  }

  public int position() {
    return pos;
  }

  public int remaining() {
    return in.length - pos;
  }

  public MerkleCodecException error(Reason reason, String message) {
    return new MerkleCodecException(reason, pos, message);
  }

  private void need(int n, String what) throws MerkleCodecException {
    if (n > remaining()) {
      throw error(Reason.TRUNCATED, what + " needs " + n + " bytes, " + remaining() + " left");
    }
  }

  public int u8(String what) throws MerkleCodecException {
    need(1, what);
    return in[pos++] & 0xFF;
  }

  public int u16(String what) throws MerkleCodecException {
    need(2, what);
    int v = ((in[pos] & 0xFF) << 8) | (in[pos + 1] & 0xFF);
    pos += 2;
    return v;
  }

  public long u64(String what) throws MerkleCodecException {
    need(8, what);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (in[pos++] & 0xFF);
    }
    return v;
  }

  /** Unsigned LEB128 up to 63 bits; rejects over-long and non-minimal encodings. */
  public long varint(String what) throws MerkleCodecException {
    long v = 0;
    for (int shift = 0; shift < 63; shift += 7) {
      int b = u8(what);
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        if (b == 0 && shift > 0) {
          throw error(Reason.NOT_CANONICAL, what + " varint has a redundant zero byte");
        }
        return v;
      }
    }
    throw error(Reason.VARINT_OVERFLOW, what + " varint is wider than 63 bits");
  }

  /** A count in {@code [min, max]} of elements each at least {@code minElementBytes} long. */
  public int count(String what, int min, int max, int minElementBytes) throws MerkleCodecException {
    int at = pos;
    long n = varint(what);
    if (n < min || n > max) {
      throw new MerkleCodecException(
          Reason.LENGTH_OUT_OF_RANGE, at, what + " " + n + " outside [" + min + ", " + max + "]");
    }
    if (n * (long) minElementBytes > remaining()) {
      throw new MerkleCodecException(
          Reason.LENGTH_OUT_OF_RANGE, at,
          what + " " + n + " cannot fit in the " + remaining() + " bytes left");
    }
    return (int) n;
  }

  /** varint(length) ‖ bytes with length in {@code [min, max]}. */
  public byte[] bytes(String what, int min, int max) throws MerkleCodecException {
    int n = count(what + " length", min, max, 1);
    return raw(what, n);
  }

  public byte[] raw(String what, int n) throws MerkleCodecException {
    need(n, what);
    byte[] out = Arrays.copyOfRange(in, pos, pos + n);
    pos += n;
    return out;
  }

  public void expectEnd() throws MerkleCodecException {
    if (remaining() != 0) {
      throw error(Reason.TRAILING_BYTES, remaining() + " bytes after the end");
    }
  }
}
