package dev.lattice.crdt.causal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A set of dots, kept compact: per replica the highest contiguous sequence number, plus the dots
 * seen beyond a gap. It serves both as a replica's version vector (which mutations it has applied)
 * and as the causal context of a CRDT value (which dots that value has observed).
 *
 * <p>Immutable. Replicas are held in unsigned order in parallel arrays: vectors grow with the
 * number of replicas that ever wrote, so the representation avoids a boxed map per entry. A gap
 * closes as soon as the missing dot arrives, so in steady state each replica costs two longs.
 *
 * <p>Pruning a replica that is gone for good (folding its entry into another's, as Akka Distributed
 * Data does) needs agreement from every peer and is left to the replica layer; {@link #without}
 * gives it the primitive.
 */
public final class VersionVector implements CausalContext {
  public static final VersionVector EMPTY = new VersionVector(new long[0], new long[0], new long[0][]);
  private static final long[] NO_EXTRAS = new long[0];
  private static final Dot[] NO_DOTS = new Dot[0];

  private final long[] replicas;
  private final long[] contiguous;
  private final long[][] extras;

  private VersionVector(long[] replicas, long[] contiguous, long[][] extras) {
    this.replicas = replicas;
    this.contiguous = contiguous;
    this.extras = extras;
  }

  /** The vector covering exactly one dot. */
  public static VersionVector of(Dot dot) {
    return ofSortedWith(NO_DOTS, null, Objects.requireNonNull(dot, "dot"));
  }

  /** The vector covering exactly these dots. */
  public static VersionVector of(Dot... dots) {
    for (int i = 1; i < dots.length; i++) {
      if (dots[i - 1].compareTo(dots[i]) > 0) {
        Dot[] sorted = dots.clone();
        Arrays.sort(sorted);
        return ofSorted(sorted);
      }
    }
    return ofSorted(dots);
  }

  /** The vector covering exactly these dots, built in O(k log k). */
  public static VersionVector ofDots(Collection<Dot> dots) {
    if (dots.isEmpty()) {
      return EMPTY;
    }
    Dot[] sorted = dots.toArray(new Dot[0]);
    Arrays.sort(sorted);
    return ofSorted(sorted);
  }

  /** The vector of dots in ascending order (repeats allowed). */
  static VersionVector ofSorted(Dot[] sorted) {
    return ofSortedWith(sorted, null);
  }

  /**
   * The vector of {@code sorted} (ascending, repeats allowed) and {@code extra} (if not null),
   * built straight into its arrays without first merging the dots into one array: it is how every
   * write makes the context of its delta, so it allocates nothing but the vector.
   */
  static VersionVector ofSortedWith(Dot[] sorted, Dot extra) {
    return ofSortedWith(sorted, null, extra);
  }

  /** {@link #ofSortedWith(Dot[], Dot)} of the one dot {@code only} when {@code sorted} is null. */
  static VersionVector ofSortedWith(Dot[] sorted, Dot only, Dot extra) {
    int baseLen = sorted == null ? 1 : sorted.length;
    int len = baseLen + (extra == null ? 0 : 1);
    if (len == 0) {
      return EMPTY;
    }
    int pos = len;
    if (extra != null) {
      pos = 0;
      while (pos < baseLen && (sorted == null ? only : sorted[pos]).compareTo(extra) < 0) {
        pos++;
      }
    }
    int count = 1;
    for (int i = 1; i < len; i++) {
      count += at(sorted, only, extra, pos, i).replica().value() != at(sorted, only, extra, pos, i - 1).replica().value() ? 1 : 0;
    }
    long[] replicas = new long[count];
    long[] contiguous = new long[count];
    long[][] extras = new long[count][];
    int i = 0;
    for (int r = 0; r < count; r++) {
      long replica = at(sorted, only, extra, pos, i).replica().value();
      int end = i;
      while (end < len && at(sorted, only, extra, pos, end).replica().value() == replica) {
        end++;
      }
      // Dots start at 1, so the run folds into the contiguous part while it has no gap.
      long base = 0;
      // Compare with base, not base + 1, so a base of Long.MAX_VALUE cannot overflow.
      while (i < end && (at(sorted, only, extra, pos, i).seq() <= base || at(sorted, only, extra, pos, i).seq() - 1 == base)) {
        base = Math.max(base, at(sorted, only, extra, pos, i).seq());
        i++;
      }
      int distinct = 0;
      for (int k = i; k < end; k++) {
        distinct += k == i || at(sorted, only, extra, pos, k).seq() != at(sorted, only, extra, pos, k - 1).seq() ? 1 : 0;
      }
      long[] beyond = distinct == 0 ? NO_EXTRAS : new long[distinct];
      for (int k = i, n = 0; k < end; k++) {
        if (k == i || at(sorted, only, extra, pos, k).seq() != at(sorted, only, extra, pos, k - 1).seq()) {
          beyond[n++] = at(sorted, only, extra, pos, k).seq();
        }
      }
      replicas[r] = replica;
      contiguous[r] = base;
      extras[r] = beyond;
      i = end;
    }
    return new VersionVector(replicas, contiguous, extras);
  }

  /** Element {@code i} of {@code sorted} (or of just {@code only}) with {@code extra} inserted at {@code pos}. */
  private static Dot at(Dot[] sorted, Dot only, Dot extra, int pos, int i) {
    int k = i < pos ? i : i == pos ? -1 : i - 1;
    return k < 0 ? extra : sorted == null ? only : sorted[k];
  }

  /**
   * A vector of contiguous entries only: {@code seqs[i]} for {@code replicaIds[i]}.
   *
   * @throws IllegalArgumentException if the arrays differ in length or a sequence is negative
   */
  public static VersionVector ofContiguous(ReplicaId[] replicaIds, long[] seqs) {
    if (replicaIds.length != seqs.length) {
      throw new IllegalArgumentException("lengths differ: " + replicaIds.length + " vs " + seqs.length);
    }
    VersionVector v = EMPTY;
    for (int i = 0; i < seqs.length; i++) {
      if (seqs[i] < 0) {
        throw new IllegalArgumentException("negative sequence " + seqs[i] + " for " + replicaIds[i]);
      }
      v = v.merge(single(replicaIds[i].value(), seqs[i], NO_EXTRAS));
    }
    return v;
  }

  /**
   * A vector from one replica's raw entry: contiguous through {@code contiguous}, plus
   * {@code beyondGap} (any order; duplicates and covered values are folded in).
   *
   * @throws IllegalArgumentException if a sequence is negative or zero where a dot is meant
   */
  public static VersionVector ofEntry(ReplicaId replica, long contiguous, long[] beyondGap) {
    if (contiguous < 0) {
      throw new IllegalArgumentException("negative contiguous sequence " + contiguous);
    }
    long[] sorted = beyondGap.clone();
    Arrays.sort(sorted);
    for (long s : sorted) {
      if (s < 1) {
        throw new IllegalArgumentException("dot sequence must be at least 1: " + s);
      }
    }
    return single(replica.value(), contiguous, dedupe(sorted));
  }

  /**
   * A vector from raw entries in any replica order, as read back from storage: entry {@code i} is
   * contiguous through {@code contiguous[i]} plus the sorted, distinct {@code beyondGap[i]}.
   *
   * @throws IllegalArgumentException if the arrays differ in length, a replica repeats, or a
   *     sequence is out of range
   */
  public static VersionVector fromEntries(long[] replicaIds, long[] contiguous, long[][] beyondGap) {
    int n = replicaIds.length;
    if (contiguous.length != n || beyondGap.length != n) {
      throw new IllegalArgumentException("entry arrays differ in length");
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Long.compareUnsigned(replicaIds[a], replicaIds[b]));
    Builder b = new Builder(n);
    for (int k = 0; k < n; k++) {
      int i = order[k];
      if (k > 0 && replicaIds[order[k - 1]] == replicaIds[i]) {
        throw new IllegalArgumentException("replica " + new ReplicaId(replicaIds[i]) + " appears twice");
      }
      if (contiguous[i] < 0) {
        throw new IllegalArgumentException("negative sequence " + contiguous[i]);
      }
      long[] extras = beyondGap[i];
      for (int j = 0; j < extras.length; j++) {
        if (extras[j] < 1 || (j > 0 && extras[j] <= extras[j - 1])) {
          throw new IllegalArgumentException("beyond-gap sequences must ascend from 1: " + Arrays.toString(extras));
        }
      }
      b.add(replicaIds[i], contiguous[i], extras);
    }
    return b.build();
  }

  private static VersionVector single(long replica, long contiguous, long[] sortedExtras) {
    Builder b = new Builder(1);
    b.add(replica, contiguous, sortedExtras);
    return b.build();
  }

  public boolean isEmpty() {
    return replicas.length == 0;
  }

  /** How many replicas have an entry. */
  public int size() {
    return replicas.length;
  }

  @Override
  public boolean covers(Dot dot) {
    int i = indexOf(dot.replica().value());
    if (i < 0) {
      return false;
    }
    return dot.seq() <= contiguous[i] || Arrays.binarySearch(extras[i], dot.seq()) >= 0;
  }

  /** The highest sequence of {@code replica} below which nothing is missing (0 if none). */
  public long contiguous(ReplicaId replica) {
    int i = indexOf(replica.value());
    return i < 0 ? 0 : contiguous[i];
  }

  /** The highest sequence of {@code replica} covered, gap or not (0 if none). */
  public long max(ReplicaId replica) {
    int i = indexOf(replica.value());
    if (i < 0) {
      return 0;
    }
    long[] e = extras[i];
    return e.length == 0 ? contiguous[i] : e[e.length - 1];
  }

  /** The dots of {@code replica} seen beyond its first gap, ascending (a copy). */
  public long[] beyondGap(ReplicaId replica) {
    int i = indexOf(replica.value());
    return i < 0 ? NO_EXTRAS : extras[i].clone();
  }

  /** True if some replica has dots beyond a gap. */
  public boolean hasGaps() {
    for (long[] e : extras) {
      if (e.length > 0) {
        return true;
      }
    }
    return false;
  }

  /** The replicas with an entry, in unsigned order. */
  public List<ReplicaId> replicas() {
    List<ReplicaId> out = new ArrayList<>(replicas.length);
    for (long r : replicas) {
      out.add(new ReplicaId(r));
    }
    return out;
  }

  /** This vector plus one dot. */
  public VersionVector add(Dot dot) {
    if (covers(dot)) {
      return this;
    }
    return merge(single(dot.replica().value(), 0, new long[] {dot.seq()}));
  }

  /** The union of both vectors' dots; one of the two itself when it covers the other. */
  public VersionVector merge(VersionVector other) {
    if (other.isEmpty() || other == this) {
      return this;
    }
    if (isEmpty()) {
      return other;
    }
    // Vectors are normalised, so the union equals (and may be) the one that covers the other.
    // Checking first costs a pass without allocation; a field write's delta usually covers.
    if (isCoveredBy(other)) {
      return other;
    }
    if (other.isCoveredBy(this)) {
      return this;
    }
    // Count the replicas of the union first, so the vector's arrays are built at their size.
    int count = 0;
    for (int i = 0, j = 0; i < replicas.length || j < other.replicas.length; count++) {
      int c = i == replicas.length ? 1
          : j == other.replicas.length ? -1
          : Long.compareUnsigned(replicas[i], other.replicas[j]);
      i += c <= 0 ? 1 : 0;
      j += c >= 0 ? 1 : 0;
    }
    Builder b = new Builder(count);
    int i = 0;
    int j = 0;
    while (i < replicas.length || j < other.replicas.length) {
      int c = i == replicas.length ? 1
          : j == other.replicas.length ? -1
          : Long.compareUnsigned(replicas[i], other.replicas[j]);
      if (c < 0) {
        b.add(replicas[i], contiguous[i], extras[i]);
        i++;
      } else if (c > 0) {
        b.add(other.replicas[j], other.contiguous[j], other.extras[j]);
        j++;
      } else {
        b.add(replicas[i], Math.max(contiguous[i], other.contiguous[j]), union(extras[i], other.extras[j]));
        i++;
        j++;
      }
    }
    return b.build();
  }

  /** True if every dot of this vector is covered by {@code other}. */
  public boolean isCoveredBy(VersionVector other) {
    for (int i = 0; i < replicas.length; i++) {
      int j = other.indexOf(replicas[i]);
      if (j < 0) {
        return false;
      }
      // Normalised vectors never hold contiguous+1 beyond the gap, so coverage of 1..c needs c <= c'.
      if (contiguous[i] > other.contiguous[j]) {
        return false;
      }
      for (long s : extras[i]) {
        if (s > other.contiguous[j] && Arrays.binarySearch(other.extras[j], s) < 0) {
          return false;
        }
      }
    }
    return true;
  }

  public VectorOrdering compare(VersionVector other) {
    boolean le = isCoveredBy(other);
    boolean ge = other.isCoveredBy(this);
    if (le && ge) {
      return VectorOrdering.EQUAL;
    }
    if (le) {
      return VectorOrdering.BEFORE;
    }
    return ge ? VectorOrdering.AFTER : VectorOrdering.CONCURRENT;
  }

  /**
   * The dots {@code other} covers that this vector does not, as ranges in replica then sequence
   * order. This is what a peer holding this vector is missing relative to {@code other}.
   */
  public List<DotRange> missingFrom(VersionVector other) {
    List<DotRange> out = new ArrayList<>();
    for (int j = 0; j < other.replicas.length; j++) {
      ReplicaId r = new ReplicaId(other.replicas[j]);
      int i = indexOf(other.replicas[j]);
      long mine = i < 0 ? 0 : contiguous[i];
      long[] myExtras = i < 0 ? NO_EXTRAS : extras[i];
      RangeCollector ranges = new RangeCollector(r, out);
      // The other's contiguous part beyond ours, minus what we hold beyond our gap.
      long from = mine + 1;
      for (long s : myExtras) {
        if (s > other.contiguous[j]) {
          break;
        }
        if (s >= from) {
          ranges.addRange(from, s - 1);
          from = s + 1;
        }
      }
      ranges.addRange(from, other.contiguous[j]);
      for (long s : other.extras[j]) {
        if (s > mine && Arrays.binarySearch(myExtras, s) < 0) {
          ranges.addRange(s, s);
        }
      }
      ranges.flush();
    }
    return out;
  }

  /**
   * The dots of this vector that {@code ambient} does not cover. Meant for small vectors such as
   * a field's context, which a replica stores as what its version vector does not already hold.
   */
  public VersionVector minus(CausalContext ambient) {
    if (isEmpty() || ambient == CausalContext.NONE) {
      return this;
    }
    if (ambient == CausalContext.ALL) {
      return EMPTY;
    }
    if (ambient instanceof VersionVector v && isCoveredBy(v)) {
      return EMPTY;
    }
    java.util.List<Dot> kept = new ArrayList<>();
    boolean dropped = false;
    for (int i = 0; i < replicas.length; i++) {
      ReplicaId r = new ReplicaId(replicas[i]);
      // A vector ambient covers 1..c' at once: only the part above it needs a dot-by-dot look.
      long from = ambient instanceof VersionVector v ? Math.min(v.contiguous(r), contiguous[i]) + 1 : 1;
      dropped |= from > 1;
      for (long s = from; s <= contiguous[i]; s++) {
        Dot d = new Dot(r, s);
        if (ambient.covers(d)) {
          dropped = true;
        } else {
          kept.add(d);
        }
      }
      for (long s : extras[i]) {
        Dot d = new Dot(r, s);
        if (ambient.covers(d)) {
          dropped = true;
        } else {
          kept.add(d);
        }
      }
    }
    return dropped ? ofDots(kept) : this;
  }

  /** This vector without {@code replica}'s entry. */
  public VersionVector without(ReplicaId replica) {
    int i = indexOf(replica.value());
    if (i < 0) {
      return this;
    }
    Builder b = new Builder(replicas.length - 1);
    for (int k = 0; k < replicas.length; k++) {
      if (k != i) {
        b.add(replicas[k], contiguous[k], extras[k]);
      }
    }
    return b.build();
  }

  /** Visits every covered dot. Meant for small vectors such as the context of a delta. */
  public void forEachDot(Consumer<Dot> action) {
    for (int i = 0; i < replicas.length; i++) {
      ReplicaId r = new ReplicaId(replicas[i]);
      for (long s = 1; s <= contiguous[i]; s++) {
        action.accept(new Dot(r, s));
      }
      for (long s : extras[i]) {
        action.accept(new Dot(r, s));
      }
    }
  }

  /** The number of dots covered. */
  public long dotCount() {
    long n = 0;
    for (int i = 0; i < replicas.length; i++) {
      n += contiguous[i] + extras[i].length;
    }
    return n;
  }

  private int indexOf(long replica) {
    int lo = 0;
    int hi = replicas.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = Long.compareUnsigned(replicas[mid], replica);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -1;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    return o instanceof VersionVector v
        && Arrays.equals(replicas, v.replicas)
        && Arrays.equals(contiguous, v.contiguous)
        && Arrays.deepEquals(extras, v.extras);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(replicas) + Arrays.hashCode(contiguous)) + Arrays.deepHashCode(extras);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < replicas.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(new ReplicaId(replicas[i])).append(':').append(contiguous[i]);
      if (extras[i].length > 0) {
        sb.append('+').append(Arrays.toString(extras[i]));
      }
    }
    return sb.append('}').toString();
  }

  private static long[] union(long[] a, long[] b) {
    if (a.length == 0) {
      return b;
    }
    if (b.length == 0) {
      return a;
    }
    // Both are ascending and distinct: count the union, then fill an array of that size.
    int count = 0;
    for (int i = 0, j = 0; i < a.length || j < b.length; count++) {
      int c = i == a.length ? 1 : j == b.length ? -1 : Long.compare(a[i], b[j]);
      i += c <= 0 ? 1 : 0;
      j += c >= 0 ? 1 : 0;
    }
    if (count == a.length) {
      return a;
    }
    if (count == b.length) {
      return b;
    }
    long[] out = new long[count];
    for (int i = 0, j = 0, n = 0; n < count; n++) {
      int c = i == a.length ? 1 : j == b.length ? -1 : Long.compare(a[i], b[j]);
      out[n] = c <= 0 ? a[i] : b[j];
      i += c <= 0 ? 1 : 0;
      j += c >= 0 ? 1 : 0;
    }
    return out;
  }

  private static long[] dedupe(long[] sorted) {
    int n = 0;
    long[] out = new long[sorted.length];
    for (long s : sorted) {
      if (n == 0 || out[n - 1] != s) {
        out[n++] = s;
      }
    }
    return n == sorted.length ? out : Arrays.copyOf(out, n);
  }

  /** Collects entries in replica order and normalises each: gaps that are closed fold into the contiguous part. */
  private static final class Builder {
    private final long[] replicas;
    private final long[] contiguous;
    private final long[][] extras;
    private int size;

    Builder(int capacity) {
      replicas = new long[capacity];
      contiguous = new long[capacity];
      extras = new long[capacity][];
    }

    /** {@code sortedExtras} ascending and distinct; may include values at or below {@code base}. */
    void add(long replica, long base, long[] sortedExtras) {
      int k = 0;
      // Compare with base, not base + 1, so a base of Long.MAX_VALUE cannot overflow.
      while (k < sortedExtras.length && (sortedExtras[k] <= base || sortedExtras[k] - 1 == base)) {
        base = Math.max(base, sortedExtras[k]);
        k++;
      }
      if (base == 0 && k == sortedExtras.length) {
        return;
      }
      replicas[size] = replica;
      contiguous[size] = base;
      extras[size] = k == 0 ? sortedExtras : k == sortedExtras.length ? NO_EXTRAS
          : Arrays.copyOfRange(sortedExtras, k, sortedExtras.length);
      size++;
    }

    /** The vector; the builder's arrays become its own when they are full, so use a builder once. */
    VersionVector build() {
      if (size == 0) {
        return EMPTY;
      }
      if (size == replicas.length) {
        return new VersionVector(replicas, contiguous, extras);
      }
      return new VersionVector(Arrays.copyOf(replicas, size), Arrays.copyOf(contiguous, size),
          Arrays.copyOf(extras, size));
    }
  }

  /** Accumulates sequence ranges of one replica, merging adjacent ones. */
  private static final class RangeCollector {
    private final ReplicaId replica;
    private final List<DotRange> out;
    private long first = -1;
    private long last = -1;

    RangeCollector(ReplicaId replica, List<DotRange> out) {
      this.replica = replica;
      this.out = out;
    }

    void addRange(long from, long to) {
      if (to < from) {
        return;
      }
      if (first >= 0 && from == last + 1) {
        last = to;
        return;
      }
      flush();
      first = from;
      last = to;
    }

    void flush() {
      if (first >= 0) {
        out.add(new DotRange(replica, first, last));
        first = -1;
      }
    }
  }
}
