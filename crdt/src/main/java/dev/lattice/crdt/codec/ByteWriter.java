package dev.lattice.crdt.codec;

import java.util.Arrays;

/** A growable byte buffer with the primitive encodings of the format. Not thread-safe; one per encode. */
final class ByteWriter {
  private byte[] buf;
  private int size;

  ByteWriter(int capacity) {
    buf = new byte[Math.max(16, capacity)];
  }

  int size() {
    return size;
  }

  void writeByte(int b) {
    ensure(1);
    buf[size++] = (byte) b;
  }

  /** Unsigned LEB128: seven bits per byte, low bits first, high bit set on every byte but the last. */
  void writeVarint(long v) {
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      buf[size++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[size++] = (byte) v;
  }

  /** Eight bytes, big-endian, so fixed-width ids sort the same as bytes and as unsigned numbers. */
  void writeFixed64(long v) {
    ensure(8);
    for (int shift = 56; shift >= 0; shift -= 8) {
      buf[size++] = (byte) (v >>> shift);
    }
  }

  void writeBytes(byte[] bytes) {
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buf, size, bytes.length);
    size += bytes.length;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  private void ensure(int more) {
    if (buf.length - size < more) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
    }
  }
}
