package dev.lattice.merkle.sync;

import dev.lattice.merkle.MerkleConfig;
import dev.lattice.merkle.MerkleIndex;
import dev.lattice.merkle.Scope;
import dev.lattice.merkle.store.Entry;
import dev.lattice.merkle.store.Node;
import dev.lattice.merkle.store.NodeKey;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * A {@link MerkleIndex} (the legacy path: node digests are hashes of children) seen as a
 * {@link TreeView}. Its shape follows the same rule as the additive trees, so the same messages
 * flow; only its digests differ, so it reconciles only with another legacy index.
 */
final class LegacyIndexView implements TreeView {
  private final MerkleIndex index;

  private LegacyIndexView(MerkleIndex index) {
    this.index = index;
  }

  /** Brings every digest of {@code index} up to date and views it. */
  static LegacyIndexView of(MerkleIndex index) {
    index.flush();
    return new LegacyIndexView(index);
  }

  @Override
  public MerkleConfig config() {
    return index.config();
  }

  @Override
  public List<byte[]> partitions(Scope scope) {
    return index.partitions(scope);
  }

  @Override
  public long count(NodeKey at) {
    Node node = index.node(at);
    return node == null ? 0 : node.count();
  }

  @Override
  public byte[] digest(NodeKey at) {
    Node node = index.node(at);
    return node == null ? null : node.digest();
  }

  @Override
  public NodeView node(NodeKey at) {
    Node node = index.node(at);
    if (node == null) {
      return null;
    }
    if (node instanceof Node.Inner in) {
      List<byte[]> ds = new ArrayList<>(Integer.bitCount(in.childMask()));
      for (int i = 0; i < 16; i++) {
        if ((in.childMask() & (1 << i)) != 0) {
          ds.add(in.childDigestsRef()[i]);
        }
      }
      return new NodeView.InnerView(at, in.childMask(), ds);
    }
    List<Entry> entries = ((Node.Leaf) node).entries();
    List<KeyDigest> kds = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      kds.add(new KeyDigest(e.keyRef(), e.valueDigestRef()));
    }
    return new NodeView.LeafView(at, kds);
  }

  @Override
  public void forEachEntry(NodeKey at, BiConsumer<byte[], byte[]> action) {
    index.forEachEntry(at, e -> action.accept(e.keyRef(), e.valueDigestRef()));
  }
}
