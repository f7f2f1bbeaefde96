package dev.lattice.merkle;

import dev.lattice.merkle.internal.Bytes;
import java.util.Arrays;

/**
 * One key on which two replicas differ, seen from the local side.
 *
 * @param key the key
 * @param kind how it differs
 */
public record Difference(byte[] key, Kind kind) implements Comparable<Difference> {

  public enum Kind {
    /** Only the local side has the key. */
    ONLY_LOCAL,
    /** Only the remote side has the key. */
    ONLY_REMOTE,
    /** Both have the key, with different value digests. */
    DIGEST_DIFFERS
  }

  public Difference {
    key = key.clone();
  }

  @Override
  public byte[] key() {
    return key.clone();
  }

  /** The same difference seen from the other side. */
  public Difference mirrored() {
    return new Difference(key, switch (kind) {
      case ONLY_LOCAL -> Kind.ONLY_REMOTE;
      case ONLY_REMOTE -> Kind.ONLY_LOCAL;
      case DIGEST_DIFFERS -> Kind.DIGEST_DIFFERS;
    });
  }

  @Override
  public int compareTo(Difference o) {
    return Arrays.compareUnsigned(key, o.key);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Difference d && kind == d.kind && Arrays.equals(key, d.key);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(key) * 31 + kind.hashCode();
  }

  @Override
  public String toString() {
    return kind + ":" + Bytes.hex(key);
  }
}
