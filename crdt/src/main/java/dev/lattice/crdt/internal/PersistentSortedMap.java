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
 *
 * <p>Every update allocates one node per level, so a node is kept to 40 bytes (key, value,
 * children, prefix, height): the entry count is kept by the map, not by each node, and an update
 * of a bound key allocates nothing but the path.
 */
public final class PersistentSortedMap<K extends Comparable<K>, V> implements Iterable<Map.Entry<K, V>> {
  private static final ToLongFunction<Object> NO_PREFIX = k -> 0L;
  private static final PersistentSortedMap<?, ?> EMPTY = new PersistentSortedMap<>(null, 0, NO_PREFIX);

  /** Marks, in {@code compute}, a bound key whose new value is null. Never part of a tree. */
  private static final Node<?, ?> REMOVED = new Node<>(null, null, 0, null, null);

  /** Marks, in {@code compute}, a key that is not bound. Never part of a tree. */
  private static final Node<?, ?> ABSENT = new Node<>(null, null, 0, null, null);

  /** {@link #put}: the new value, unless the current one equals it. */
  private static final Remapping<Object, Object> PUT = (current, value) -> value.equals(current) ? current : value;

  /** {@link #compute(Comparable, UnaryOperator)} through the two-argument form. */
  private static final Remapping<Object, UnaryOperator<Object>> APPLY = (current, f) -> f.apply(current);

  /**
   * The new value of a key from its current one (null if absent) and an argument; null removes
   * the key. The argument lets a caller pass what varies per key without allocating a closure.
   */
  @FunctionalInterface
  public interface Remapping<V, A> {
    V apply(V current, A arg);
  }

  private final Node<K, V> root;
  private final int size;
  private final ToLongFunction<? super K> prefixOf;

  private PersistentSortedMap(Node<K, V> root, int size, ToLongFunction<? super K> prefixOf) {
    this.root = root;
    this.size = size;
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
    return new PersistentSortedMap<K, V>(null, 0, prefixOf);
  }

  public int size() {
    return size;
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

  /** The entry with the least key, or null if the map is empty; without an iterator. */
  public Map.Entry<K, V> firstEntry() {
    Node<K, V> n = root;
    while (n != null && n.left != null) {
      n = n.left;
    }
    return n;
  }

  /** The order of {@code key}, whose prefix is {@code p}, against the key of {@code n}. */
  private static <K extends Comparable<K>> int compare(K key, long p, Node<K, ?> n) {
    if (p != n.prefix) {
      return p < n.prefix ? -1 : 1;
    }
    return key == n.key ? 0 : key.compareTo(n.key);
  }

  /** This map with {@code key} bound to {@code value}; this map itself is unchanged. */
  @SuppressWarnings("unchecked")
  public PersistentSortedMap<K, V> put(K key, V value) {
    Objects.requireNonNull(value, "value");
    return compute(key, value, (Remapping<V, V>) (Remapping<?, ?>) PUT);
  }

  /**
   * This map with {@code key} bound to {@code f(current)}, where {@code current} is null if the
   * key is absent; a null result removes the key. See {@link #compute(Comparable, Object, Remapping)}.
   */
  @SuppressWarnings("unchecked")
  public PersistentSortedMap<K, V> compute(K key, UnaryOperator<V> f) {
    return compute(key, f, (Remapping<V, UnaryOperator<V>>) (Remapping<?, ?>) APPLY);
  }

  /**
   * This map with {@code key} bound to {@code f(current, arg)}, where {@code current} is null if
   * the key is absent; a null result removes the key. One descent when the key stays bound: it is
   * how a join folds an entry in without a separate lookup. When {@code f} returns the very
   * value it was given, the map is returned unchanged; an equal but distinct value is stored (a
   * structural comparison here would cost O(size of the value) on every fold).
   */
  public <A> PersistentSortedMap<K, V> compute(K key, A arg, Remapping<V, A> f) {
    Objects.requireNonNull(key, "key");
    if (root == null) {
      // The one-entry map of a one-field delta: no update state needed.
      V value = f.apply(null, arg);
      return value == null ? this : new PersistentSortedMap<>(new Node<>(key, value, prefixOf.applyAsLong(key), null, null), 1, prefixOf);
    }
    long p = prefixOf.applyAsLong(key);
    Node<K, V> updated = update(root, key, p, arg, f);
    if (updated == REMOVED) {
      return remove(key);
    }
    if (updated == ABSENT) {
      // Rare next to updates of bound keys, and the path is now in cache: a second descent.
      V value = f.apply(null, arg);
      return value == null ? this : new PersistentSortedMap<>(insert(root, key, p, value), size + 1, prefixOf);
    }
    return updated == root ? this : new PersistentSortedMap<>(updated, size, prefixOf);
  }

  /**
   * The subtree {@code n} with the bound {@code key} remapped. Returns {@link #REMOVED} when
   * {@code f} returned null (the caller then deletes the key), and {@link #ABSENT}, without
   * calling {@code f}, when the key is not bound (the caller then inserts it). The map keeps its
   * size without a count in every node, and this way learns whether the size changed without a
   * holder object per call.
   */
  @SuppressWarnings("unchecked")
  private static <K extends Comparable<K>, V, A> Node<K, V> update(Node<K, V> n, K key, long p, A arg, Remapping<V, A> f) {
    if (n == null) {
      return (Node<K, V>) ABSENT;
    }
    int c = compare(key, p, n);
    if (c == 0) {
      V value = f.apply(n.value, arg);
      if (value == null) {
        return (Node<K, V>) REMOVED;
      }
      return value == n.value ? n : n.withValue(value);
    }
    if (c < 0) {
      Node<K, V> left = update(n.left, key, p, arg, f);
      if (left == REMOVED || left == ABSENT) {
        return left;
      }
      return left == n.left ? n : n.withLeft(left);
    }
    Node<K, V> right = update(n.right, key, p, arg, f);
    if (right == REMOVED || right == ABSENT) {
      return right;
    }
    return right == n.right ? n : n.withRight(right);
  }

  /** The subtree {@code n} with the unbound {@code key} inserted. */
  private static <K extends Comparable<K>, V> Node<K, V> insert(Node<K, V> n, K key, long p, V value) {
    if (n == null) {
      return new Node<>(key, value, p, null, null);
    }
    if (compare(key, p, n) < 0) {
      return n.withLeft(insert(n.left, key, p, value));
    }
    return n.withRight(insert(n.right, key, p, value));
  }

  /** This map without {@code key}; this map itself is unchanged. */
  public PersistentSortedMap<K, V> remove(K key) {
    Node<K, V> updated = delete(root, key, prefixOf.applyAsLong(key));
    return updated == root ? this : new PersistentSortedMap<>(updated, size - 1, prefixOf);
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
   * Verifies the invariants (order, balance, cached heights and prefixes, the size, and that the
   * prefix function is monotone on these keys); for tests.
   *
   * @throws IllegalStateException naming the first violated invariant
   */
  void checkInvariants() {
    check(root, null, null);
    int count = 0;
    for (Map.Entry<K, V> ignored : this) {
      count++;
    }
    if (count != size) {
      throw new IllegalStateException("size " + size + " kept, " + count + " entries");
    }
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
    return n.height;
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

    Node(K key, V value, long prefix, Node<K, V> left, Node<K, V> right) {
      this(key, value, prefix, left, right, 1 + Math.max(height(left), height(right)));
    }

    private Node(K key, V value, long prefix, Node<K, V> left, Node<K, V> right, int height) {
      this.key = key;
      this.value = value;
      this.prefix = prefix;
      this.left = left;
      this.right = right;
      this.height = height;
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
      return new Node<>(key, v, prefix, left, right, height);
    }

    Node<K, V> withLeft(Node<K, V> l) {
      if (height(l) == height(left)) {
        return new Node<>(key, value, prefix, l, right, height);
      }
      return balance(this, l, right);
    }

    Node<K, V> withRight(Node<K, V> r) {
      if (height(r) == height(right)) {
        return new Node<>(key, value, prefix, left, r, height);
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
