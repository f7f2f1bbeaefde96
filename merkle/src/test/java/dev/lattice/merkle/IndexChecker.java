package dev.lattice.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.merkle.internal.NodeHasher;
import dev.lattice.merkle.store.Entry;
import dev.lattice.merkle.store.Node;
import dev.lattice.merkle.store.NodeKey;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/** Validates every structural invariant of a flushed index against a model map. */
public final class IndexChecker {
  private IndexChecker() {}

  public static void check(MerkleIndex index, Map<byte[], byte[]> model, String context) {
    index.flush();
    TreeMap<byte[], byte[]> seen = new TreeMap<>(Arrays::compareUnsigned);
    NodeHasher hasher = new NodeHasher();
    for (byte[] p : index.partitions(Scope.all())) {
      checkNode(index, hasher, NodeKey.root(p), seen, context);
    }
    assertThat(seen.size()).as(context + ": key count").isEqualTo(model.size());
    for (Map.Entry<byte[], byte[]> e : model.entrySet()) {
      assertThat(seen.get(e.getKey())).as(context + ": digest of key").isEqualTo(e.getValue());
    }
  }

  private static long checkNode(MerkleIndex index, NodeHasher hasher, NodeKey at,
      TreeMap<byte[], byte[]> seen, String context) {
    Node node = index.node(at);
    assertThat(node).as(context + ": node at " + at).isNotNull();
    assertThat(node.digest()).as(context + ": flushed digest at " + at).isNotNull();
    int capacity = index.config().leafCapacity();
    if (node instanceof Node.Leaf leaf) {
      assertThat(leaf.entries()).as(context + ": leaf at " + at).isNotEmpty();
      if (at.depth() < MerkleConfig.MAX_DEPTH) {
        assertThat(leaf.entries().size()).as(context + ": leaf size at " + at)
            .isLessThanOrEqualTo(capacity);
      }
      byte[] previous = null;
      for (Entry e : leaf.entries()) {
        if (previous != null) {
          assertThat(Arrays.compareUnsigned(previous, e.keyRef())).as(context + ": order").isNegative();
        }
        previous = e.keyRef();
        assertThat(e.keyHash()).as(context + ": cached hash").isEqualTo(hasher.keyHash(e.keyRef()));
        assertThat(index.placedUnder(e.keyRef(), at)).as(context + ": placement " + at).isTrue();
        assertThat(seen.put(e.keyRef(), e.valueDigestRef())).as(context + ": duplicate").isNull();
      }
      assertThat(leaf.digest()).as(context + ": leaf digest at " + at)
          .isEqualTo(hasher.leafDigest(leaf.entries()));
      return leaf.entries().size();
    }
    Node.Inner in = (Node.Inner) node;
    assertThat(in.count()).as(context + ": inner count at " + at).isGreaterThan(capacity);
    assertThat(in.dirtyMask()).as(context + ": dirty mask at " + at).isZero();
    long total = 0;
    byte[][] ds = new byte[16][];
    for (int i = 0; i < 16; i++) {
      NodeKey c = at.child(i);
      if ((in.childMask() & (1 << i)) != 0) {
        total += checkNode(index, hasher, c, seen, context);
        ds[i] = index.node(c).digest();
        assertThat(in.childDigestsRef()[i]).as(context + ": child digest " + c).isEqualTo(ds[i]);
      } else {
        assertThat(index.node(c)).as(context + ": orphan node " + c).isNull();
      }
    }
    assertThat(total).as(context + ": count at " + at).isEqualTo(in.count());
    assertThat(in.digest()).as(context + ": inner digest at " + at)
        .isEqualTo(hasher.innerDigest(in.childMask(), ds));
    return total;
  }
}
