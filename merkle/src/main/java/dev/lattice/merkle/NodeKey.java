package dev.lattice.merkle;

import dev.lattice.merkle.internal.Bytes;
import java.util.Arrays;

/**
 * Where a node of the Merkle trie sits (PROTOCOL.md §7.2): its partition, its depth, and the
 * first {@code depth} hex digits of the key hash shared by every key below it (left-aligned in
 * {@code prefix}, lower bits zero). The trees in {@link dev.lattice.merkle.tree} and the messages
 * in {@link dev.lattice.merkle.sync} both name nodes this way, so it lives beside {@link Scope}.
 */
public record NodeKey(byte[] partition, int depth, long prefix) {

  public NodeKey {
    if (depth < 0 || depth > MerkleConfig.MAX_DEPTH) {
      throw new IllegalArgumentException("depth " + depth + " outside [0, 16]");
    }
    if ((prefix & ~mask(depth)) != 0) {
      throw new IllegalArgumentException("prefix " + Long.toHexString(prefix)
          + " has bits below depth " + depth);
    }
  }

  /** The root of a partition's trie. */
  public static NodeKey root(byte[] partition) {
    return new NodeKey(partition, 0, 0L);
  }

  /** Bits of the key hash fixed at {@code depth}. */
  public static long mask(int depth) {
    return depth == 0 ? 0L : -1L << (64 - 4 * depth);
  }

  /** The hex digit of {@code keyHash} that picks the child at {@code depth}. */
  private static int nibble(long keyHash, int depth) {
    return (int) (keyHash >>> (60 - 4 * depth)) & 0xF;
  }

  public NodeKey child(int nibble) {
    return new NodeKey(partition, depth + 1, prefix | ((long) nibble << (60 - 4 * depth)));
  }

  /** The parent, or null for a root. */
  public NodeKey parent() {
    return depth == 0 ? null : new NodeKey(partition, depth - 1, prefix & mask(depth - 1));
  }

  /** Index of this node among its parent's children. */
  public int childIndex() {
    return nibble(prefix, depth - 1);
  }

  public boolean containsHash(long keyHash) {
    return (keyHash & mask(depth)) == prefix;
  }

  /** The partition array itself, not a copy. */
  public byte[] partitionRef() {
    return partition;
  }

  @Override
  public byte[] partition() {
    return partition.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NodeKey k && depth == k.depth && prefix == k.prefix
        && Arrays.equals(partition, k.partition);
  }

  @Override
  public int hashCode() {
    return (Arrays.hashCode(partition) * 31 + depth) * 31 + Long.hashCode(prefix);
  }

  @Override
  public String toString() {
    String digits = String.format("%016x", prefix).substring(0, depth);
    return Bytes.hex(partition) + "/" + digits;
  }
}
