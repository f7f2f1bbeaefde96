package dev.lattice.merkle.sync;

import dev.lattice.merkle.internal.Bytes;

/** A key with its value digest, as sent in a {@link NodeView.LeafView}. Arrays are not copied. */
public record KeyDigest(byte[] key, byte[] digest) {
  @Override
  public String toString() {
    return Bytes.hex(key) + "=" + Bytes.hex(digest);
  }
}
