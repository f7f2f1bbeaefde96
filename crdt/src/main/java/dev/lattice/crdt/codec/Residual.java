package dev.lattice.crdt.codec;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.causal.VersionVector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NavigableSet;

/**
 * The causal context of a value, written relative to the value's own dot store.
 *
 * <h2>Why</h2>
 *
 * In a delta, and in a state that has not been compacted, every stored dot is also in the context
 * (mutators add the new dot to the delta's context; merge keeps only dots from either side while
 * joining both contexts). Writing such a context in full would repeat the stored dots: for the
 * typical field, one assignment whose context is its own dot, four bytes of repetition per field.
 * A replica's stored state, on the other hand, keeps only the context its version vector does not
 * cover ({@code Field.compact}), so there the context is usually empty and stored dots are not
 * in it. The format covers both with one of four forms, chosen by a fixed rule:
 *
 * <ol start="0">
 *   <li>{@link #EMPTY}: the context is empty.
 *   <li>{@link #STORE}: the context is exactly the stored dots.
 *   <li>{@link #RESIDUAL}: the context holds every stored dot, and more: the residual is written.
 *   <li>{@link #FULL}: the context misses some stored dot: it is written in full.
 * </ol>
 *
 * <h2>The residual</h2>
 *
 * Per replica {@code r} of the context, with contiguous part {@code c}, dots beyond the gap
 * {@code E}, and stored dots {@code S}:
 *
 * <ul>
 *   <li>{@code c*}: {@code c} lowered past the run of stored dots at its top ({@code c, c-1, ...}
 *       while they are in {@code S}), so a context "1..n" whose top dot n is stored costs nothing;
 *   <li>{@code E \ S}: the dots beyond the gap that are not stored.
 * </ul>
 *
 * A replica whose entry is then empty ({@code c* = 0}, nothing left of {@code E}) is omitted. The
 * context is recovered as the union of the residual and {@code S}. Only the contiguous top run
 * is subtracted, never a stored dot in the middle of {@code 1..c}: that would split one range into
 * a long list of single dots (an OR-set whose context is 1..1500 with 500 surviving adds).
 *
 * <p>The decoder recovers the context and then recomputes the form and residual from it; any
 * difference from what it read means the input was not the encoder's, and is refused as not
 * canonical. That one comparison makes the encoding unique without a rule per corner case.
 */
final class Residual {
  static final int EMPTY = 0;
  static final int STORE = 1;
  static final int RESIDUAL = 2;
  static final int FULL = 3;

  private Residual() {}

  /** How a context is written: one of the four forms, and the entries that follow the store. */
  record Form(int mode, List<Entry> entries) {}

  /** The one form the encoder uses for {@code context} beside {@code store}. */
  static Form form(VersionVector context, NavigableSet<Dot> store) {
    if (context.isEmpty()) {
      return new Form(EMPTY, List.of());
    }
    List<Entry> residual = of(context, store);
    if (residual == null) {
      List<Entry> full = new ArrayList<>(context.size());
      for (ReplicaId r : context.replicas()) {
        full.add(new Entry(r, context.contiguous(r), context.beyondGap(r)));
      }
      return new Form(FULL, full);
    }
    return residual.isEmpty() ? new Form(STORE, residual) : new Form(RESIDUAL, residual);
  }

  /** One replica's residual entry: contiguous part {@code c*} (0 if none) and the extra dots. */
  record Entry(ReplicaId replica, long contiguous, long[] extras) {
    boolean sameAs(Entry o) {
      return replica.equals(o.replica) && contiguous == o.contiguous && Arrays.equals(extras, o.extras);
    }
  }

  /** The residual of {@code context} given the stored dots, or null if a stored dot is not in it. */
  static List<Entry> of(VersionVector context, NavigableSet<Dot> store) {
    List<Entry> out = new ArrayList<>();
    int seen = 0;
    for (ReplicaId r : context.replicas()) {
      long c = context.contiguous(r);
      long[] e = context.beyondGap(r);
      long[] s = seqs(store, r);
      seen += s.length;
      for (long x : s) {
        if (x > c && Arrays.binarySearch(e, x) < 0) {
          return null;
        }
      }
      long cStar = c;
      int k = s.length - 1;
      while (k >= 0 && s[k] > cStar) {
        k--;
      }
      while (k >= 0 && cStar > 0 && s[k] == cStar) {
        cStar--;
        k--;
      }
      long[] rest = minus(e, s);
      if (cStar > 0 || rest.length > 0) {
        out.add(new Entry(r, cStar, rest));
      }
    }
    if (seen != store.size()) {
      return null;
    }
    return out;
  }

  /** The context that {@link #of} reduced to {@code residual}, given the same stored dots. */
  static VersionVector recover(List<Entry> residual, NavigableSet<Dot> store) {
    List<ReplicaId> stored = new ArrayList<>();
    for (Dot d : store) {
      if (stored.isEmpty() || !stored.get(stored.size() - 1).equals(d.replica())) {
        stored.add(d.replica());
      }
    }
    List<VersionVector> parts = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < residual.size() || j < stored.size()) {
      int cmp = i == residual.size() ? 1
          : j == stored.size() ? -1
          : residual.get(i).replica().compareTo(stored.get(j));
      ReplicaId r = cmp <= 0 ? residual.get(i).replica() : stored.get(j);
      long c = 0;
      long[] extras = new long[0];
      if (cmp <= 0) {
        c = residual.get(i).contiguous();
        extras = residual.get(i).extras();
        i++;
      }
      if (cmp >= 0) {
        j++;
      }
      // Stored dots at or below c are already covered; leaving them out also keeps clear of
      // VersionVector's normalisation at c = Long.MAX_VALUE.
      long cut = c;
      long[] above = Arrays.stream(seqs(store, r)).filter(x -> x > cut).toArray();
      long[] all = Arrays.copyOf(extras, extras.length + above.length);
      System.arraycopy(above, 0, all, extras.length, above.length);
      parts.add(VersionVector.ofEntry(r, c, all));
    }
    return mergeAll(parts);
  }

  /** The union of vectors, merged pairwise so k single-replica vectors cost O(k log k), not O(k^2). */
  static VersionVector mergeAll(List<VersionVector> parts) {
    while (parts.size() > 1) {
      List<VersionVector> merged = new ArrayList<>((parts.size() + 1) / 2);
      for (int j = 0; j < parts.size(); j += 2) {
        merged.add(j + 1 < parts.size() ? parts.get(j).merge(parts.get(j + 1)) : parts.get(j));
      }
      parts = merged;
    }
    return parts.isEmpty() ? VersionVector.EMPTY : parts.get(0);
  }

  static boolean same(List<Entry> a, List<Entry> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!a.get(i).sameAs(b.get(i))) {
        return false;
      }
    }
    return true;
  }

  private static long[] seqs(NavigableSet<Dot> store, ReplicaId r) {
    NavigableSet<Dot> sub = store.subSet(new Dot(r, 1), true, new Dot(r, Long.MAX_VALUE), true);
    long[] out = new long[sub.size()];
    int n = 0;
    for (Dot d : sub) {
      out[n++] = d.seq();
    }
    return out;
  }

  /** Sorted {@code a} without the values of sorted {@code b}. */
  private static long[] minus(long[] a, long[] b) {
    long[] out = new long[a.length];
    int n = 0;
    int j = 0;
    for (long x : a) {
      while (j < b.length && b[j] < x) {
        j++;
      }
      if (j == b.length || b[j] != x) {
        out[n++] = x;
      }
    }
    return Arrays.copyOf(out, n);
  }
}
