package dev.lattice.merkle.store;

import java.util.Arrays;
import java.util.List;

/**
 * A stored trie node. Both cases are immutable values; the index writes a new value to change a
 * node. A null {@code digest} means "stale, recompute on flush" (the lazy dirty path).
 */
public sealed interface Node permits Node.Inner, Node.Leaf {

  /** The node digest, or null while stale. */
  byte[] digest();

  /** Keys below this node. */
  long count();

  /**
   * A node with more than {@code leafCapacity} keys below it.
   *
   * @param count keys below this node
   * @param childMask bit i set when child i exists
   * @param dirtyMask bit i set when child i changed since {@code childDigests[i]} was computed
   * @param childDigests 16 slots; slot i holds child i's digest when present and clean, else null
   * @param digest this node's digest, or null while stale
   */
  record Inner(long count, int childMask, int dirtyMask, byte[][] childDigests, byte[] digest)
      implements Node {

    public Inner {
      if (childDigests.length != 16) {
        throw new IllegalArgumentException("childDigests has " + childDigests.length + " slots");
      }
    }

    /** The child digest array itself, not a copy; callers must not modify it. */
    public byte[][] childDigestsRef() {
      return childDigests;
    }

    @Override
    public byte[][] childDigests() {
      byte[][] c = new byte[16][];
      for (int i = 0; i < 16; i++) {
        c[i] = childDigests[i] == null ? null : childDigests[i].clone();
      }
      return c;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Inner n && count == n.count && childMask == n.childMask
          && dirtyMask == n.dirtyMask && Arrays.deepEquals(childDigests, n.childDigests)
          && Arrays.equals(digest, n.digest);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(count) * 31 + childMask;
    }

    @Override
    public String toString() {
      return "Inner[count=" + count + ", mask=" + Integer.toHexString(childMask)
          + ", dirty=" + Integer.toHexString(dirtyMask) + ", clean=" + (digest != null) + "]";
    }
  }

  /**
   * A node holding its entries, sorted by key.
   *
   * @param entries immutable, strictly increasing by key
   * @param digest this node's digest, or null while stale
   */
  record Leaf(List<Entry> entries, byte[] digest) implements Node {
    public Leaf {
      entries = List.copyOf(entries);
    }

    @Override
    public long count() {
      return entries.size();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Leaf n && entries.equals(n.entries) && Arrays.equals(digest, n.digest);
    }

    @Override
    public int hashCode() {
      return entries.hashCode();
    }

    @Override
    public String toString() {
      return "Leaf" + entries;
    }
  }
}
