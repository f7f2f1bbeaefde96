package dev.lattice.crdt.type;

import dev.lattice.crdt.causal.CausalContext;
import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.DotKernel;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.value.Value;
import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A last-writer-wins register ordered by hybrid logical clock, the default field type.
 *
 * <p>It is built as a multi-value register whose reader picks one winner: each assignment is a
 * dot mapped to {@code (hlc, value)}, and removes the dots it observed. Concurrent assignments
 * therefore both stay in the state until the next assignment observes them, and the value read is
 * the one with the greatest {@code (hlc, replica id, seq)}, a total order. Keeping the losers
 * costs one entry per concurrent writer, and it buys an exact observed-remove: deleting the field
 * removes what the deleter saw, while an assignment concurrent with the delete survives (see
 * {@link Document}).
 *
 * <p>It is the value of every field write, so it is kept small: a single entry (the common case)
 * is held in two fields, more are two parallel arrays in dot order, and the {@link NavigableMap}
 * that {@link #entries()} shows is built from them on first use. The join walks the two arrays once and
 * returns an argument unchanged when the result equals it, which is what happens when a write's
 * delta, whose context covers the dots it overwrites, is joined into the register it was made from.
 */
public final class LwwRegister implements Crdt<LwwRegister>, Field {

  private static final Dot[] NO_DOTS = new Dot[0];
  private static final Stamped[] NO_STAMPS = new Stamped[0];

  public static final LwwRegister EMPTY = new LwwRegister(NO_DOTS, NO_STAMPS, VersionVector.EMPTY);

  /** The order that decides the winner: timestamp, then replica id, then sequence. */
  public static final Comparator<Map.Entry<Dot, Stamped>> WRITE_ORDER =
      Comparator.<Map.Entry<Dot, Stamped>>comparingLong(e -> e.getValue().hlc())
          .thenComparing(Map.Entry::getKey);

  /** One assignment: its HLC timestamp and value. */
  public record Stamped(long hlc, Value value) {
    public Stamped {
      Objects.requireNonNull(value, "value");
    }
  }

  /** The entry when there is exactly one (then {@link #dots} is null), so a write reads one object less. */
  private final Dot dot0;
  private final Stamped stamp0;
  /**
   * The entries when there are none or several: ascending and distinct dots with their
   * assignments; never modified, and shared between registers that hold the same entries.
   */
  private final Dot[] dots;
  private final Stamped[] stamps;
  private final VersionVector context;
  /**
   * True when {@link #context} is known to be exactly the set of this register's dots, as after
   * the first write to a field. The join then answers "has this register seen that dot" from the
   * dots it holds and need not read the context, which in a large map is a cold object.
   * False when unknown.
   */
  private final boolean contextIsDots;
  /**
   * The unmodifiable view {@link #entries()} returns, built on first use. A racy lazy field is
   * safe here: the view's own fields are final, so a thread that sees it sees the map inside it
   * fully built, and at worst two threads build equal views.
   */
  private NavigableMap<Dot, Stamped> view;

  /**
   * A register of these entries and context; the map is copied (in dot order, whatever its
   * comparator).
   */
  public LwwRegister(NavigableMap<Dot, Stamped> entries, VersionVector context) {
    this(Split.of(entries), context);
  }

  private LwwRegister(Split split, VersionVector context) {
    this(split.dots, split.stamps, context);
  }

  /** A map's entries as the two arrays, in natural dot order. */
  private record Split(Dot[] dots, Stamped[] stamps) {
    static Split of(NavigableMap<Dot, Stamped> entries) {
      NavigableMap<Dot, Stamped> sorted = entries;
      if (entries.comparator() != null) {
        sorted = new TreeMap<>();
        sorted.putAll(entries);
      }
      Dot[] dots = new Dot[sorted.size()];
      Stamped[] stamps = new Stamped[dots.length];
      int i = 0;
      for (Map.Entry<Dot, Stamped> e : sorted.entrySet()) {
        dots[i] = Objects.requireNonNull(e.getKey(), "dot");
        stamps[i] = Objects.requireNonNull(e.getValue(), "stamp");
        i++;
      }
      return new Split(dots, stamps);
    }
  }

  /** Takes the arrays as they are: sorted, distinct, and never to be modified by anyone. */
  private LwwRegister(Dot[] dots, Stamped[] stamps, VersionVector context) {
    boolean one = dots.length == 1;
    this.dot0 = one ? dots[0] : null;
    this.stamp0 = one ? stamps[0] : null;
    this.dots = one ? null : dots;
    this.stamps = one ? null : stamps;
    this.context = Objects.requireNonNull(context, "context");
    this.contextIsDots = dots.length == 0 && context.isEmpty();
  }

  private LwwRegister(Dot dot, Stamped stamp, VersionVector context, boolean contextIsDots) {
    this.dot0 = dot;
    this.stamp0 = stamp;
    this.dots = null;
    this.stamps = null;
    this.context = Objects.requireNonNull(context, "context");
    this.contextIsDots = contextIsDots;
  }

  /** The same entries under another context. */
  private LwwRegister(LwwRegister entries, VersionVector context) {
    this.dot0 = entries.dot0;
    this.stamp0 = entries.stamp0;
    this.dots = entries.dots;
    this.stamps = entries.stamps;
    this.context = Objects.requireNonNull(context, "context");
    this.contextIsDots = entries.size() == 0 && context.isEmpty();
  }

  private int size() {
    return dots == null ? 1 : dots.length;
  }

  private Dot dot(int i) {
    return dots == null ? dot0 : dots[i];
  }

  private Stamped stamp(int i) {
    return dots == null ? stamp0 : stamps[i];
  }

  /** Each surviving assignment under its dot, in dot order (an unmodifiable view). */
  public NavigableMap<Dot, Stamped> entries() {
    NavigableMap<Dot, Stamped> v = view;
    if (v == null) {
      TreeMap<Dot, Stamped> m = new TreeMap<>();
      for (int i = 0, n = size(); i < n; i++) {
        m.put(dot(i), stamp(i));
      }
      v = Collections.unmodifiableNavigableMap(m);
      view = v;
    }
    return v;
  }

  /** The dots this register has observed. */
  public VersionVector context() {
    return context;
  }

  /** The delta that sets the register to {@code value} at {@code hlc}, made by mutation {@code dot}. */
  public LwwRegister assign(Value value, long hlc, Dot dot) {
    // On an empty register the delta's context is {dot}: exactly its own dots.
    return new LwwRegister(dot, new Stamped(hlc, value), contextOf(dot), size() == 0);
  }

  /** The value of the winning assignment, if any survives. */
  public Optional<Value> value() {
    int w = winnerIndex();
    return w < 0 ? Optional.empty() : Optional.of(stamp(w).value());
  }

  /** The winning entry: its dot says who wrote it, its stamp when. */
  public Optional<Map.Entry<Dot, Stamped>> winner() {
    int w = winnerIndex();
    return w < 0 ? Optional.empty() : Optional.of(Map.entry(dot(w), stamp(w)));
  }

  /** The index of the greatest entry in {@link #WRITE_ORDER}, or -1 if there is none. */
  private int winnerIndex() {
    int w = size() - 1;
    // Dots ascend, so on equal timestamps the later index already wins the dot tie-break.
    for (int i = w - 1; i >= 0; i--) {
      if (stamp(i).hlc() > stamp(w).hlc()) {
        w = i;
      }
    }
    return w;
  }

  /** How many surviving assignments lose to the winner: concurrent writes that LWW drops. */
  public int losers() {
    return Math.max(0, size() - 1);
  }

  @Override
  public LwwRegister merge(LwwRegister other) {
    return join(other, CausalContext.NONE, CausalContext.NONE);
  }

  @Override
  public FieldKind kind() {
    return FieldKind.LWW;
  }

  @Override
  public boolean isPresent() {
    return size() > 0;
  }

  @Override
  public boolean isBottom() {
    return size() == 0 && context.isEmpty();
  }

  @Override
  public LwwRegister removal(Dot dot) {
    return new LwwRegister(NO_DOTS, NO_STAMPS, contextOf(dot));
  }

  /** The context of a delta that replaces every entry here with {@code dot}: those dots and it. */
  private VersionVector contextOf(Dot dot) {
    return dots == null ? DotKernel.contextOf(dot0, dot) : DotKernel.contextOf(dots, dot);
  }

  /**
   * The dot-kernel join (see {@link DotKernel#join}) over the two sorted arrays. A first pass only
   * counts; when the surviving entries are exactly one side's, that side's arrays are reused, and
   * when the merged context is that side's too, the side itself is the result.
   */
  @Override
  public LwwRegister join(Field other, CausalContext ambientMine, CausalContext ambientTheirs) {
    LwwRegister o = Fields.same(this, other, LwwRegister.class);
    if (o == this) {
      return this;
    }
    CausalContext mine = CausalContext.union(context, ambientMine);
    CausalContext theirs = CausalContext.union(o.context, ambientTheirs);
    int na = size();
    int nb = o.size();
    // When my context is exactly my dots and no ambient widens it, it covers a dot of theirs that
    // I do not hold never: no need to read it.
    boolean mineIsDots = contextIsDots && ambientMine == CausalContext.NONE;
    boolean theirsStored = ambientTheirs == CausalContext.NONE;
    int keptA = 0;
    int keptB = 0;
    int both = 0;
    int coveredA = 0;
    for (int i = 0, j = 0; i < na || j < nb; ) {
      int c = i == na ? 1 : j == nb ? -1 : dot(i).compareTo(o.dot(j));
      if (c == 0) {
        both++;
        coveredA += theirsStored && theirs.covers(dot(i)) ? 1 : 0;
        i++;
        j++;
      } else if (c < 0) {
        boolean covered = theirs.covers(dot(i++));
        keptA += covered ? 0 : 1;
        coveredA += covered ? 1 : 0;
      } else {
        keptB += mineIsDots || !mine.covers(o.dot(j)) ? 1 : 0;
        j++;
      }
    }
    // A context that is exactly my dots, all covered by their stored context, adds nothing to it.
    VersionVector ctx = contextIsDots && theirsStored && coveredA == na ? o.context : context.merge(o.context);
    if (both + keptB == nb && keptA == 0) {
      return ctx == o.context ? o : new LwwRegister(o, ctx);
    }
    if (both + keptA == na && keptB == 0) {
      return ctx == context ? this : new LwwRegister(this, ctx);
    }
    int n = both + keptA + keptB;
    Dot[] outDots = new Dot[n];
    Stamped[] outStamps = new Stamped[n];
    n = 0;
    for (int i = 0, j = 0; i < na || j < nb; ) {
      int c = i == na ? 1 : j == nb ? -1 : dot(i).compareTo(o.dot(j));
      if (c == 0 || (c < 0 && !theirs.covers(dot(i)))) {
        outDots[n] = dot(i);
        outStamps[n++] = stamp(i);
      } else if (c > 0 && !mine.covers(o.dot(j))) {
        outDots[n] = o.dot(j);
        outStamps[n++] = o.stamp(j);
      }
      i += c <= 0 ? 1 : 0;
      j += c >= 0 ? 1 : 0;
    }
    return new LwwRegister(outDots, outStamps, ctx);
  }

  @Override
  public LwwRegister compact(CausalContext ambient) {
    VersionVector residual = context.minus(ambient);
    if (residual == context) {
      return this;
    }
    return size() == 0 && residual.isEmpty() ? EMPTY : new LwwRegister(this, residual);
  }

  @Override
  public boolean equals(Object o) {
    if (o == this) {
      return true;
    }
    if (!(o instanceof LwwRegister r) || r.size() != size() || !context.equals(r.context)) {
      return false;
    }
    for (int i = 0, n = size(); i < n; i++) {
      if (!dot(i).equals(r.dot(i)) || !stamp(i).equals(r.stamp(i))) {
        return false;
      }
    }
    return true;
  }

  /** The same value as before the array representation: the map's hash, then the context's. */
  @Override
  public int hashCode() {
    int h = 0;
    for (int i = 0, n = size(); i < n; i++) {
      h += dot(i).hashCode() ^ stamp(i).hashCode();
    }
    return 31 * h + context.hashCode();
  }

  @Override
  public String toString() {
    return "LwwRegister[entries=" + entries() + ", context=" + context + "]";
  }
}
