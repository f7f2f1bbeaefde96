package dev.lattice.merkle.sync;

import dev.lattice.merkle.NodeKey;
import java.util.List;

/**
 * What one side says about its node at a path. Views ask for an answer; the answer is a view of
 * the other side's node at the same path or its children, or a {@link Verdict}.
 */
public sealed interface NodeView
    permits NodeView.DigestOnly, NodeView.InnerView, NodeView.LeafView, NodeView.Empty {

  NodeKey path();

  /** Only the node's digest: how a partition root is announced in a {@link ReconcileMessage.Hello}. */
  record DigestOnly(NodeKey path, byte[] digest) implements NodeView {}

  /**
   * An inner node: which children exist and their digests.
   *
   * @param childDigests digests of the present children, in child-index order
   */
  record InnerView(NodeKey path, int childMask, List<byte[]> childDigests) implements NodeView {
    public InnerView {
      childDigests = List.copyOf(childDigests);
    }

    /** The digest of child {@code i}, or null if absent. */
    public byte[] childDigest(int i) {
      if ((childMask & (1 << i)) == 0) {
        return null;
      }
      return childDigests.get(Integer.bitCount(childMask & ((1 << i) - 1)));
    }
  }

  /** A leaf: every key under the path with its digest, in increasing key order. */
  record LeafView(NodeKey path, List<KeyDigest> entries) implements NodeView {
    public LeafView {
      entries = List.copyOf(entries);
    }
  }

  /** The sender has no key under the path. */
  record Empty(NodeKey path) implements NodeView {}
}
