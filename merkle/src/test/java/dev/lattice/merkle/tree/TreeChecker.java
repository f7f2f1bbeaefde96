package dev.lattice.merkle.tree;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.merkle.MerkleConfig;
import dev.lattice.merkle.NodeKey;
import dev.lattice.merkle.Scope;
import dev.lattice.merkle.internal.Bytes;
import dev.lattice.merkle.internal.Sum256;
import dev.lattice.merkle.sync.KeyDigest;
import dev.lattice.merkle.sync.NodeView;
import dev.lattice.merkle.sync.TreeView;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/** Compares two {@link TreeView}s node for node, and a view with its entries. */
public final class TreeChecker {
  private TreeChecker() {}

  /**
   * Walks every node of {@code expected} (or, in big subtrees, a random sample of them) and
   * checks that {@code actual} answers each method identically. With {@code batched}, the walk
   * first runs as {@code actual}'s prefetch dry run, as a reconciler's would.
   */
  public static void sameTree(TreeView expected, TreeView actual, SplittableRandom rng,
      boolean batched, String context) {
    List<byte[]> partitions = expected.partitions(Scope.all());
    assertThat(actual.partitions(Scope.all())).as(context + ": partitions")
        .usingElementComparator(Arrays::compareUnsigned).containsExactlyElementsOf(partitions);
    long walkSeed = rng.nextLong();
    if (batched) {
      actual.prefetch(() -> {
        SplittableRandom same = new SplittableRandom(walkSeed);
        for (byte[] p : partitions) {
          walk(expected, actual, NodeKey.root(p), same, false, context);
        }
      });
    }
    SplittableRandom walkRng = new SplittableRandom(walkSeed);
    for (byte[] p : partitions) {
      walk(expected, actual, NodeKey.root(p), walkRng, true, context);
    }
  }

  /** The nodes visited depend only on {@code expected} and {@code rng}, checked or not. */
  private static void walk(TreeView expected, TreeView actual, NodeKey at, SplittableRandom rng,
      boolean check, String context) {
    long count = expected.count(at);
    long actualCount = actual.count(at);
    byte[] actualDigest = actual.digest(at);
    NodeView e = expected.node(at);
    NodeView a = actual.node(at);
    // Descriptions are built only on a mismatch: this runs for every node of large trees.
    if (check && (actualCount != count || !Arrays.equals(actualDigest, expected.digest(at))
        || !sameView(a, e))) {
      String ctx = context + ": node " + at;
      assertThat(actualCount).as(ctx + " count").isEqualTo(count);
      assertThat(actualDigest).as(ctx + " digest").isEqualTo(expected.digest(at));
      assertThat(describe(a)).as(ctx + " view").isEqualTo(describe(e));
    }
    if (count <= 64 || rng.nextInt(8) == 0) {
      TreeMap<byte[], byte[]> actualEntries = entryMap(actual, at);
      if (check) {
        TreeMap<byte[], byte[]> expectedEntries = entryMap(expected, at);
        if (!sameEntries(actualEntries, expectedEntries)) {
          assertThat(entries(actual, at)).as(context + ": node " + at + " entries")
              .isEqualTo(entries(expected, at));
        }
      }
    }
    if (e instanceof NodeView.InnerView in) {
      // Whole trees up to a few thousand keys; beyond, a sample of the children.
      boolean all = count <= 5_000;
      for (int i = 0; i < 16; i++) {
        boolean present = (in.childMask() & (1 << i)) != 0;
        if (!present) {
          long absentCount = actual.count(at.child(i));
          NodeView absent = actual.node(at.child(i));
          if (check && (absentCount != 0 || absent != null)) {
            throw new AssertionError(context + ": node " + at.child(i) + " should be absent, is "
                + describe(absent) + " with count " + absentCount);
          }
        } else if (all || rng.nextInt(8) == 0) {
          walk(expected, actual, at.child(i), rng, check, context);
        }
      }
    }
  }

  private static boolean sameView(NodeView a, NodeView b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (!a.path().equals(b.path())) {
      return false;
    }
    if (a instanceof NodeView.InnerView x && b instanceof NodeView.InnerView y) {
      if (x.childMask() != y.childMask()) {
        return false;
      }
      for (int i = 0; i < x.childDigests().size(); i++) {
        if (!Arrays.equals(x.childDigests().get(i), y.childDigests().get(i))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof NodeView.LeafView x && b instanceof NodeView.LeafView y) {
      if (x.entries().size() != y.entries().size()) {
        return false;
      }
      for (int i = 0; i < x.entries().size(); i++) {
        if (!Arrays.equals(x.entries().get(i).key(), y.entries().get(i).key())
            || !Arrays.equals(x.entries().get(i).digest(), y.entries().get(i).digest())) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  private static TreeMap<byte[], byte[]> entryMap(TreeView view, NodeKey at) {
    TreeMap<byte[], byte[]> m = new TreeMap<>(Arrays::compareUnsigned);
    view.forEachEntry(at, (k, d) -> {
      if (m.put(k, d) != null) {
        throw new AssertionError("key " + Bytes.hex(k) + " listed twice under " + at);
      }
    });
    return m;
  }

  private static boolean sameEntries(TreeMap<byte[], byte[]> a, TreeMap<byte[], byte[]> b) {
    if (a.size() != b.size()) {
      return false;
    }
    var i = b.entrySet().iterator();
    for (Map.Entry<byte[], byte[]> x : a.entrySet()) {
      Map.Entry<byte[], byte[]> y = i.next();
      if (!Arrays.equals(x.getKey(), y.getKey()) || !Arrays.equals(x.getValue(), y.getValue())) {
        return false;
      }
    }
    return true;
  }

  /** A comparable text of a view: kind, path, and every digest and key in hex. */
  public static String describe(NodeView v) {
    if (v == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder(v.getClass().getSimpleName()).append(' ')
        .append(v.path());
    if (v instanceof NodeView.InnerView in) {
      sb.append(" mask=").append(Integer.toHexString(in.childMask()));
      for (byte[] d : in.childDigests()) {
        sb.append(' ').append(Bytes.hex(d));
      }
    } else if (v instanceof NodeView.LeafView leaf) {
      for (KeyDigest kd : leaf.entries()) {
        sb.append(' ').append(kd);
      }
    }
    return sb.toString();
  }

  /** Entries under {@code at} as sorted hex text. */
  public static String entries(TreeView view, NodeKey at) {
    TreeMap<String, String> m = new TreeMap<>();
    view.forEachEntry(at, (k, d) -> {
      String prev = m.put(Bytes.hex(k) + "/" + k.length, Bytes.hex(d));
      assertThat(prev).as("key listed twice under " + at).isNull();
    });
    return m.toString();
  }

  /** Checks that {@code view} holds exactly {@code model} and follows the shape rule. */
  public static void holds(TreeView view, Map<byte[], byte[]> model, String context) {
    TreeMap<byte[], byte[]> seen = new TreeMap<>(Arrays::compareUnsigned);
    for (byte[] p : view.partitions(Scope.all())) {
      NodeKey root = NodeKey.root(p);
      view.forEachEntry(root, (k, d) -> seen.put(k, d));
      checkShape(view, root, context);
    }
    assertThat(seen.size()).as(context + ": keys").isEqualTo(model.size());
    for (Map.Entry<byte[], byte[]> e : model.entrySet()) {
      assertThat(seen.get(e.getKey())).as(context + ": digest of " + Bytes.hex(e.getKey()))
          .isEqualTo(e.getValue());
    }
  }

  private static void checkShape(TreeView view, NodeKey at, String context) {
    NodeView v = view.node(at);
    long count = view.count(at);
    int capacity = view.config().leafCapacity();
    long[] sum = new long[4];
    if (v instanceof NodeView.LeafView leaf) {
      for (KeyDigest kd : leaf.entries()) {
        Sum256.add(sum, 0, kd.digest());
      }
      assertThat(view.digest(at)).as(context + ": leaf digest " + at + " is the sum of its entries")
          .isEqualTo(Sum256.toBytes(sum, 0));
      assertThat((long) leaf.entries().size()).as(context + ": leaf size " + at).isEqualTo(count);
      assertThat(count <= capacity || at.depth() == MerkleConfig.MAX_DEPTH)
          .as(context + ": leaf " + at + " of " + count).isTrue();
    } else {
      NodeView.InnerView in = (NodeView.InnerView) v;
      assertThat(count).as(context + ": inner count " + at).isGreaterThan(capacity);
      long total = 0;
      for (int i = 0; i < 16; i++) {
        if ((in.childMask() & (1 << i)) != 0) {
          assertThat(view.digest(at.child(i))).isEqualTo(in.childDigest(i));
          Sum256.add(sum, 0, in.childDigest(i));
          total += view.count(at.child(i));
          if (count < 2_000) {
            checkShape(view, at.child(i), context);
          }
        }
      }
      assertThat(total).as(context + ": children of " + at).isEqualTo(count);
      assertThat(view.digest(at)).as(context + ": digest " + at + " is the sum of its children's")
          .isEqualTo(Sum256.toBytes(sum, 0));
    }
  }
}
