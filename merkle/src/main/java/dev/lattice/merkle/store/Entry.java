package dev.lattice.merkle.store;

import dev.lattice.merkle.internal.Bytes;
import java.util.Arrays;

/**
 * One indexed key with its value digest and its 64-bit key hash (the key's path in the trie,
 * kept so splits and lookups never rehash). Treat as immutable: the arrays are not copied on the
 * hot path, and nothing in this module writes to them after construction.
 *
 * @param keyHash first 64 bits of the key's BLAKE3 hash (see {@code NodeHasher.keyHash})
 */
public record Entry(byte[] key, byte[] valueDigest, long keyHash) implements Comparable<Entry> {

  /** The key array itself, not a copy; callers must not modify it. */
  public byte[] keyRef() {
    return key;
  }

  /** The value digest array itself, not a copy; callers must not modify it. */
  public byte[] valueDigestRef() {
    return valueDigest;
  }

  @Override
  public byte[] key() {
    return key.clone();
  }

  @Override
  public byte[] valueDigest() {
    return valueDigest.clone();
  }

  /** Entries in a leaf are ordered by key, unsigned lexicographically. */
  @Override
  public int compareTo(Entry o) {
    return Arrays.compareUnsigned(key, o.key);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Entry e && keyHash == e.keyHash && Arrays.equals(key, e.key)
        && Arrays.equals(valueDigest, e.valueDigest);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(key) * 31 + Arrays.hashCode(valueDigest);
  }

  @Override
  public String toString() {
    return Bytes.hex(key) + "=" + Bytes.hex(valueDigest);
  }
}
