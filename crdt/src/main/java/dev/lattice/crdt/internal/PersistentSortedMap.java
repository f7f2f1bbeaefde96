package dev.lattice.crdt.internal;

import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

/**
 * An immutable sorted map whose {@code put} copies only the path to the changed node: an AVL tree
 * (Adelson-Velsky and Landis, 1962) with path copying, after Okasaki, "Purely Functional Data
 * Structures", ch. 2.
 *
 * <p>It exists so that joining a delta of k entries into a CRDT map of n entries costs
 * O(k log n) while values stay immutable; copying a {@code TreeMap} would make every join O(n).
 * Equality is by entries in key order, independent of tree shape.
 */
public final class PersistentSortedMap<K extends Comparable<K>, V> implements Iterable<Map.Entry<K, V>> {
  private static final PersistentSortedMap<?, ?> EMPTY = new PersistentSortedMap<>(null);

  /** Marks, in {@code compute}, a bound key whose new value is null. Never part of a tree. */
  private static final Node<?, ?> REMOVED = new Node<>(null, null, null, null);

  private final Node<K, V> root;

  private PersistentSortedMap(Node<K, V> root) {
    this.root = root;
  }

  @SuppressWarnings("unchecked")
  public static <K extends Comparable<K>, V> PersistentSortedMap<K, V> empty() {
    return (PersistentSortedMap<K, V>) EMPTY;
  }

  public int size() {
    return root == null ? 0 : root.size;
  }

  public boolean isEmpty() {
    return root == null;
  }

  public V get(K key) {
    Node<K, V> n = root;
    while (n != null) {
      int c = key.compareTo(n.key);
      if (c == 0) {
        return n.value;
      }
      n = c < 0 ? n.left : n.right;
    }
    return null;
  }

  /** This map with {@code key} bound to {@code value}; this map itself is unchanged. */
  public PersistentSortedMap<K, V> put(K key, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    Node<K, V> updated = insert(root, key, value);
    return updated == root ? this : new PersistentSortedMap<>(updated);
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
    Node<K, V> updated = compute(root, key, f);
    if (updated == REMOVED) {
      return remove(key);
    }
    return updated == root ? this : new PersistentSortedMap<>(updated);
  }

  /**
   * Returns {@link #REMOVED} when {@code f} returned null for a bound key (the caller then
   * deletes it, which is rare enough to pay a second descent), so that no holder object is
   * allocated on the common path.
   */
  @SuppressWarnings("unchecked")
  private static <K extends Comparable<K>, V> Node<K, V> compute(Node<K, V> n, K key, UnaryOperator<V> f) {
    if (n == null) {
      V value = f.apply(null);
      return value == null ? null : new Node<>(key, value, null, null);
    }
    int c = key.compareTo(n.key);
    if (c == 0) {
      V value = f.apply(n.value);
      if (value == null) {
        return (Node<K, V>) REMOVED;
      }
      return value == n.value ? n : new Node<>(n.key, value, n.left, n.right);
    }
    if (c < 0) {
      Node<K, V> left = compute(n.left, key, f);
      if (left == REMOVED) {
        return left;
      }
      return left == n.left ? n : balance(n.key, n.value, left, n.right);
    }
    Node<K, V> right = compute(n.right, key, f);
    if (right == REMOVED) {
      return right;
    }
    return right == n.right ? n : balance(n.key, n.value, n.left, right);
  }

  /** This map without {@code key}; this map itself is unchanged. */
  public PersistentSortedMap<K, V> remove(K key) {
    Node<K, V> updated = delete(root, key);
    return updated == root ? this : new PersistentSortedMap<>(updated);
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
   * Verifies the AVL invariants (order, balance, cached heights and sizes); for tests.
   *
   * @throws IllegalStateException naming the first violated invariant
   */
  void checkInvariants() {
    check(root, null, null);
  }

  private static <K extends Comparable<K>> int check(Node<K, ?> n, K low, K high) {
    if (n == null) {
      return 0;
    }
    if ((low != null && n.key.compareTo(low) <= 0) || (high != null && n.key.compareTo(high) >= 0)) {
      throw new IllegalStateException("key " + n.key + " out of order");
    }
    int hl = check(n.left, low, n.key);
    int hr = check(n.right, n.key, high);
    if (Math.abs(hl - hr) > 1 || n.height != 1 + Math.max(hl, hr)) {
      throw new IllegalStateException("unbalanced at " + n.key + ": heights " + hl + "/" + hr);
    }
    int size = 1 + (n.left == null ? 0 : n.left.size) + (n.right == null ? 0 : n.right.size);
    if (n.size != size) {
      throw new IllegalStateException("size " + n.size + " cached at " + n.key + ", actual " + size);
    }
    return n.height;
  }

  private static <K extends Comparable<K>, V> Node<K, V> insert(Node<K, V> n, K key, V value) {
    if (n == null) {
      return new Node<>(key, value, null, null);
    }
    int c = key.compareTo(n.key);
    if (c == 0) {
      return n.value.equals(value) ? n : new Node<>(key, value, n.left, n.right);
    }
    if (c < 0) {
      Node<K, V> left = insert(n.left, key, value);
      return left == n.left ? n : balance(n.key, n.value, left, n.right);
    }
    Node<K, V> right = insert(n.right, key, value);
    return right == n.right ? n : balance(n.key, n.value, n.left, right);
  }

  private static <K extends Comparable<K>, V> Node<K, V> delete(Node<K, V> n, K key) {
    if (n == null) {
      return null;
    }
    int c = key.compareTo(n.key);
    if (c < 0) {
      Node<K, V> left = delete(n.left, key);
      return left == n.left ? n : balance(n.key, n.value, left, n.right);
    }
    if (c > 0) {
      Node<K, V> right = delete(n.right, key);
      return right == n.right ? n : balance(n.key, n.value, n.left, right);
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
    return balance(successor.key, successor.value, n.left, delete(n.right, successor.key));
  }

  private static <K extends Comparable<K>, V> Node<K, V> balance(K key, V value, Node<K, V> l, Node<K, V> r) {
    int hl = height(l);
    int hr = height(r);
    if (hl > hr + 1) {
      if (height(l.left) >= height(l.right)) {
        return new Node<>(l.key, l.value, l.left, new Node<>(key, value, l.right, r));
      }
      return new Node<>(l.right.key, l.right.value,
          new Node<>(l.key, l.value, l.left, l.right.left),
          new Node<>(key, value, l.right.right, r));
    }
    if (hr > hl + 1) {
      if (height(r.right) >= height(r.left)) {
        return new Node<>(r.key, r.value, new Node<>(key, value, l, r.left), r.right);
      }
      return new Node<>(r.left.key, r.left.value,
          new Node<>(key, value, l, r.left.left),
          new Node<>(r.key, r.value, r.left.right, r.right));
    }
    return new Node<>(key, value, l, r);
  }

  private static int height(Node<?, ?> n) {
    return n == null ? 0 : n.height;
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
    final Node<K, V> left;
    final Node<K, V> right;
    final int height;
    final int size;

    Node(K key, V value, Node<K, V> left, Node<K, V> right) {
      this.key = key;
      this.value = value;
      this.left = left;
      this.right = right;
      this.height = 1 + Math.max(height(left), height(right));
      this.size = 1 + (left == null ? 0 : left.size) + (right == null ? 0 : right.size);
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
