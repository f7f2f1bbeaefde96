package dev.lattice.crdt.internal;

import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.ToLongFunction;
import java.util.function.UnaryOperator;

/**
 * An immutable sorted map whose {@code put} copies only the path to the changed node: an AVL tree
 * (Adelson-Velsky and Landis, 1962) with path copying, after Okasaki, "Purely Functional Data
 * Structures", ch. 2.
 *
 * <p>It exists so that joining a delta of k entries into a CRDT map of n entries costs
 * O(k log n) while values stay immutable; copying a {@code TreeMap} would make every join O(n).
 * Equality is by entries in key order, independent of tree shape.
 *
 * <p>In a map of 10^5 entries or more, a lookup's cost is its cache misses, not its
 * comparisons: a key such as a {@code FieldKey} is three objects away from its node (key, string,
 * bytes), so a descent through seventeen levels touched up to four cold lines per level. Each
 * node therefore also holds a 64-bit <em>prefix</em> of its key, given by the map's
 * {@code prefixOf}, which must be monotone: {@code prefixOf(a) < prefixOf(b)} (signed) only if
 * {@code a < b}. A descent compares prefixes, which sit in the node, and compares the keys
 * themselves only where the prefixes tie. Updates copy a node from itself and its new child and
 * never read the untouched sibling, which would be one more miss per level.
 */
public final class PersistentSortedMap<K extends Comparable<K>, V> implements Iterable<Map.Entry<K, V>> {
  private static final ToLongFunction<Object> NO_PREFIX = k -> 0L;
  private static final PersistentSortedMap<?, ?> EMPTY = new PersistentSortedMap<>(null, NO_PREFIX);

  /** Marks, in {@code compute}, a bound key whose new value is null. Never part of a tree. */
  private static final Node<?, ?> REMOVED = new Node<>(null, null, 0, null, null);

  private final Node<K, V> root;
  private final ToLongFunction<? super K> prefixOf;

  private PersistentSortedMap(Node<K, V> root, ToLongFunction<? super K> prefixOf) {
    this.root = root;
    this.prefixOf = prefixOf;
  }

  /** The empty map whose keys are compared by {@code compareTo} alone. */
  @SuppressWarnings("unchecked")
  public static <K extends Comparable<K>, V> PersistentSortedMap<K, V> empty() {
    return (PersistentSortedMap<K, V>) EMPTY;
  }

  /**
   * The empty map whose nodes cache {@code prefixOf(key)} to skip most key comparisons.
   *
   * @param prefixOf monotone in the key order: {@code prefixOf(a) < prefixOf(b)} only if {@code a < b}
   */
  public static <K extends Comparable<K>, V> PersistentSortedMap<K, V> empty(ToLongFunction<? super K> prefixOf) {
    Objects.requireNonNull(prefixOf, "prefixOf");
    return new PersistentSortedMap<K, V>(null, prefixOf);
  }

  public int size() {
    return root == null ? 0 : root.size;
  }

  public boolean isEmpty() {
    return root == null;
  }

  public V get(K key) {
    long p = prefixOf.applyAsLong(key);
    Node<K, V> n = root;
    while (n != null) {
      int c = compare(key, p, n);
      if (c == 0) {
        return n.value;
      }
      n = c < 0 ? n.left : n.right;
    }
    return null;
  }

  /** The order of {@code key}, whose prefix is {@code p}, against the key of {@code n}. */
  private static <K extends Comparable<K>> int compare(K key, long p, Node<K, ?> n) {
    if (p != n.prefix) {
      return p < n.prefix ? -1 : 1;
    }
    return key == n.key ? 0 : key.compareTo(n.key);
  }

  /** This map with {@code key} bound to {@code value}; this map itself is unchanged. */
  public PersistentSortedMap<K, V> put(K key, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    Node<K, V> updated = insert(root, key, prefixOf.applyAsLong(key), value);
    return updated == root ? this : new PersistentSortedMap<>(updated, prefixOf);
  }

  /**
   * This map with {@code key} bound to {@code f(current)}, where {@code current} is null if the
   * key is absent; a null result removes the key. One descent when the key stays bound: it is
   * how a join folds an entry in without a separate lookup. When {@code f} returns the very
   * value it was given, the map is returned unchanged; an equal but distinct value is stored (a
   * structural comparison here would cost O(size of the value) on every fold).
   */
  public PersistentSortedMap<K, V> compute(K key, UnaryOperator<V> f) {
    Objects.requireNonNull(key, "key");
    Node<K, V> updated = compute(root, key, prefixOf.applyAsLong(key), f);
    if (updated == REMOVED) {
      return remove(key);
    }
    return updated == root ? this : new PersistentSortedMap<>(updated, prefixOf);
  }

  /**
   * Returns {@link #REMOVED} when {@code f} returned null for a bound key (the caller then
   * deletes it, which is rare enough to pay a second descent), so that no holder object is
   * allocated on the common path.
   */
  @SuppressWarnings("unchecked")
  private static <K extends Comparable<K>, V> Node<K, V> compute(Node<K, V> n, K key, long p, UnaryOperator<V> f) {
    if (n == null) {
      V value = f.apply(null);
      return value == null ? null : new Node<>(key, value, p, null, null);
    }
    int c = compare(key, p, n);
    if (c == 0) {
      V value = f.apply(n.value);
      if (value == null) {
        return (Node<K, V>) REMOVED;
      }
      return value == n.value ? n : n.withValue(value);
    }
    if (c < 0) {
      Node<K, V> left = compute(n.left, key, p, f);
      if (left == REMOVED) {
        return left;
      }
      return left == n.left ? n : n.withLeft(left);
    }
    Node<K, V> right = compute(n.right, key, p, f);
    if (right == REMOVED) {
      return right;
    }
    return right == n.right ? n : n.withRight(right);
  }

  /** This map without {@code key}; this map itself is unchanged. */
  public PersistentSortedMap<K, V> remove(K key) {
    Node<K, V> updated = delete(root, key, prefixOf.applyAsLong(key));
    return updated == root ? this : new PersistentSortedMap<>(updated, prefixOf);
  }

  public void forEach(BiConsumer<? super K, ? super V> action) {
    for (Map.Entry<K, V> e : this) {
      action.accept(e.getKey(), e.getValue());
    }
  }

  /** Entries in ascending key order. */
  @Override
  public Iterator<Map.Entry<K, V>> iterator() {
    return new InOrder<>(root);
  }

  /**
   * Verifies the invariants (order, balance, cached heights, sizes and prefixes, and that the
   * prefix function is monotone on these keys); for tests.
   *
   * @throws IllegalStateException naming the first violated invariant
   */
  void checkInvariants() {
    check(root, null, null);
    K previous = null;
    for (Map.Entry<K, V> e : this) {
      if (previous != null && prefixOf.applyAsLong(previous) > prefixOf.applyAsLong(e.getKey())) {
        throw new IllegalStateException("prefix of " + previous + " above that of " + e.getKey());
      }
      previous = e.getKey();
    }
  }

  private int check(Node<K, ?> n, K low, K high) {
    if (n == null) {
      return 0;
    }
    if ((low != null && n.key.compareTo(low) <= 0) || (high != null && n.key.compareTo(high) >= 0)) {
      throw new IllegalStateException("key " + n.key + " out of order");
    }
    if (n.prefix != prefixOf.applyAsLong(n.key)) {
      throw new IllegalStateException("prefix " + n.prefix + " cached at " + n.key);
    }
    int hl = check(n.left, low, n.key);
    int hr = check(n.right, n.key, high);
    if (Math.abs(hl - hr) > 1 || n.height != 1 + Math.max(hl, hr)) {
      throw new IllegalStateException("unbalanced at " + n.key + ": heights " + hl + "/" + hr);
    }
    int size = 1 + sizeOf(n.left) + sizeOf(n.right);
    if (n.size != size) {
      throw new IllegalStateException("size " + n.size + " cached at " + n.key + ", actual " + size);
    }
    return n.height;
  }

  private static <K extends Comparable<K>, V> Node<K, V> insert(Node<K, V> n, K key, long p, V value) {
    if (n == null) {
      return new Node<>(key, value, p, null, null);
    }
    int c = compare(key, p, n);
    if (c == 0) {
      return n.value.equals(value) ? n : n.withValue(value);
    }
    if (c < 0) {
      Node<K, V> left = insert(n.left, key, p, value);
      return left == n.left ? n : n.withLeft(left);
    }
    Node<K, V> right = insert(n.right, key, p, value);
    return right == n.right ? n : n.withRight(right);
  }

  private static <K extends Comparable<K>, V> Node<K, V> delete(Node<K, V> n, K key, long p) {
    if (n == null) {
      return null;
    }
    int c = compare(key, p, n);
    if (c < 0) {
      Node<K, V> left = delete(n.left, key, p);
      return left == n.left ? n : balance(n, left, n.right);
    }
    if (c > 0) {
      Node<K, V> right = delete(n.right, key, p);
      return right == n.right ? n : balance(n, n.left, right);
    }
    if (n.left == null) {
      return n.right;
    }
    if (n.right == null) {
      return n.left;
    }
    Node<K, V> successor = n.right;
    while (successor.left != null) {
      successor = successor.left;
    }
    return balance(successor, n.left, delete(n.right, successor.key, successor.prefix));
  }

  /** A node holding {@code t}'s entry over {@code l} and {@code r}, rotated if their heights differ by two. */
  private static <K, V> Node<K, V> balance(Node<K, V> t, Node<K, V> l, Node<K, V> r) {
    int hl = height(l);
    int hr = height(r);
    if (hl > hr + 1) {
      if (height(l.left) >= height(l.right)) {
        return l.over(l.left, t.over(l.right, r));
      }
      return l.right.over(l.over(l.left, l.right.left), t.over(l.right.right, r));
    }
    if (hr > hl + 1) {
      if (height(r.right) >= height(r.left)) {
        return r.over(t.over(l, r.left), r.right);
      }
      return r.left.over(t.over(l, r.left.left), r.over(r.left.right, r.right));
    }
    return t.over(l, r);
  }

  private static int height(Node<?, ?> n) {
    return n == null ? 0 : n.height;
  }

  private static int sizeOf(Node<?, ?> n) {
    return n == null ? 0 : n.size;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof PersistentSortedMap<?, ?> other) || other.size() != size()) {
      return false;
    }
    Iterator<? extends Map.Entry<?, ?>> a = iterator();
    Iterator<? extends Map.Entry<?, ?>> b = other.iterator();
    while (a.hasNext()) {
      Map.Entry<?, ?> x = a.next();
      Map.Entry<?, ?> y = b.next();
      if (!x.getKey().equals(y.getKey()) || !x.getValue().equals(y.getValue())) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = 1;
    for (Map.Entry<K, V> e : this) {
      h = 31 * h + e.getKey().hashCode() * 17 + e.getValue().hashCode();
    }
    return h;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append(k).append('=').append(v));
    return sb.append('}').toString();
  }

  private static final class Node<K, V> implements Map.Entry<K, V> {
    final K key;
    final V value;
    final long prefix;
    final Node<K, V> left;
    final Node<K, V> right;
    final int height;
    final int size;

    Node(K key, V value, long prefix, Node<K, V> left, Node<K, V> right) {
      this(key, value, prefix, left, right, 1 + Math.max(height(left), height(right)), 1 + sizeOf(left) + sizeOf(right));
    }

    private Node(K key, V value, long prefix, Node<K, V> left, Node<K, V> right, int height, int size) {
      this.key = key;
      this.value = value;
      this.prefix = prefix;
      this.left = left;
      this.right = right;
      this.height = height;
      this.size = size;
    }

    /** This node's entry over other children. */
    Node<K, V> over(Node<K, V> l, Node<K, V> r) {
      return new Node<>(key, value, prefix, l, r);
    }

    /*
     * The three copies on an update path. Each reads only this node and the new child, never the
     * untouched sibling; the sibling is read only when the height changed and a rotation may follow.
     */

    Node<K, V> withValue(V v) {
      return new Node<>(key, v, prefix, left, right, height, size);
    }

    Node<K, V> withLeft(Node<K, V> l) {
      if (height(l) == height(left)) {
        return new Node<>(key, value, prefix, l, right, height, size + sizeOf(l) - sizeOf(left));
      }
      return balance(this, l, right);
    }

    Node<K, V> withRight(Node<K, V> r) {
      if (height(r) == height(right)) {
        return new Node<>(key, value, prefix, left, r, height, size + sizeOf(r) - sizeOf(right));
      }
      return balance(this, left, r);
    }

    @Override
    public K getKey() {
      return key;
    }

    @Override
    public V getValue() {
      return value;
    }

    @Override
    public V setValue(V v) {
      throw new UnsupportedOperationException("immutable");
    }
  }

  /** In-order traversal with an explicit stack as deep as the tree, so iterating allocates two objects. */
  private static final class InOrder<K, V> implements Iterator<Map.Entry<K, V>> {
    private final Node<?, ?>[] stack;
    private int depth;

    InOrder(Node<K, V> root) {
      stack = new Node<?, ?>[height(root)];
      pushLeft(root);
    }

    private void pushLeft(Node<K, V> n) {
      while (n != null) {
        stack[depth++] = n;
        n = n.left;
      }
    }

    @Override
    public boolean hasNext() {
      return depth > 0;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Map.Entry<K, V> next() {
      if (depth == 0) {
        throw new NoSuchElementException();
      }
      Node<K, V> n = (Node<K, V>) stack[--depth];
      stack[depth] = null;
      pushLeft(n.right);
      return n;
    }
  }
}
