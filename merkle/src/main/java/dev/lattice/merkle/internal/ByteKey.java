package dev.lattice.merkle.internal;

import java.util.Arrays;

/** A byte array with value equality, for use as a hash key (a partition name, a key in a set). */
public record ByteKey(byte[] bytes) {
  @Override
  public boolean equals(Object o) {
    return o instanceof ByteKey k && Arrays.equals(bytes, k.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return Bytes.hex(bytes);
  }
}
