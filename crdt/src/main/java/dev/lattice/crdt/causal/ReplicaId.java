package dev.lattice.crdt.causal;

import java.util.random.RandomGenerator;

/**
 * A replica's 64-bit identity, drawn at random once and persisted. Edges and clients alike have
 * one. Ordered as unsigned numbers so the order matches the hex form.
 */
public record ReplicaId(long value) implements Comparable<ReplicaId> {

  /** A fresh random id; 0 is reserved so an unset field can never pass for a real replica. */
  public static ReplicaId random(RandomGenerator random) {
    long v;
    do {
      v = random.nextLong();
    } while (v == 0);
    return new ReplicaId(v);
  }

  /**
   * @throws IllegalArgumentException if {@code hex} is not 1 to 16 hex digits
   */
  public static ReplicaId parse(String hex) {
    if (hex.isEmpty() || hex.length() > 16) {
      throw new IllegalArgumentException("replica id must be 1 to 16 hex digits: '" + hex + "'");
    }
    try {
      return new ReplicaId(Long.parseUnsignedLong(hex, 16));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("replica id must be 1 to 16 hex digits: '" + hex + "'", e);
    }
  }

  @Override
  public int compareTo(ReplicaId o) {
    return Long.compareUnsigned(value, o.value);
  }

  @Override
  public String toString() {
    return String.format("%016x", value);
  }
}
