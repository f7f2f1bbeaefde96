package dev.lattice.crdt.type;

import dev.lattice.crdt.causal.CausalContext;
import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.internal.PersistentSortedMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An observed-remove map from {@link FieldKey} to nested CRDTs: the structure of a document and
 * of {@code map} fields.
 *
 * <p>Each entry is a causal CRDT with its own context, and the map is their product: the join is
 * the join of entries key by key, and an absent key is the bottom of its kind. Removing a key is
 * the removal delta of its value, so it needs no map-level context and an update concurrent with
 * it survives. A removed entry keeps its context (an empty store that has observed the removed
 * dots) until the replica collects it once the removal is causally stable; that is what keeps a
 * stale copy from bringing the entry back.
 *
 * <p>Per-entry contexts (rather than one shared context, as in the paper's ORMap) are needed
 * because one mutation may write several fields under one dot. Entries live in a persistent tree,
 * so joining a delta of k entries into a map of n costs O(k log n).
 */
public final class OrMap implements Crdt<OrMap>, Field {
  /** Nodes cache {@link FieldKey#sortPrefix} so that a descent rarely reaches the key's string. */
  private static final PersistentSortedMap<FieldKey, Field> NO_ENTRIES = PersistentSortedMap.empty(FieldKey::sortPrefix);

  public static final OrMap EMPTY = new OrMap(NO_ENTRIES);

  private final PersistentSortedMap<FieldKey, Field> entries;
  private int presentCount = -1;

  private OrMap(PersistentSortedMap<FieldKey, Field> entries) {
    this.entries = entries;
  }

  /** The delta (or state) holding one entry. */
  public static OrMap of(FieldKey key, Field value) {
    checkKind(key, value);
    return value.isBottom() ? EMPTY : new OrMap(NO_ENTRIES.put(key, value));
  }

  /**
   * This map joined with one more entry: how a mutation that writes several fields builds its delta.
   *
   * @throws IllegalArgumentException if {@code value} is not of {@code key}'s kind
   */
  public OrMap with(FieldKey key, Field value) {
    checkKind(key, value);
    if (value.isBottom()) {
      return this;
    }
    PersistentSortedMap<FieldKey, Field> out = entries.compute(key, value, WITH);
    return out == entries ? this : new OrMap(out);
  }

  /** {@link #with}: one descent that joins the value into the entry, kept even where the join is bottom. */
  private static final PersistentSortedMap.Remapping<Field, Field> WITH =
      (current, value) -> current == null ? value : current.join(value, CausalContext.NONE, CausalContext.NONE);

  private static void checkKind(FieldKey key, Field value) {
    Objects.requireNonNull(value, "value");
    if (value.kind() != key.kind()) {
      throw new IllegalArgumentException("field " + key + " cannot hold a " + value.kind() + " value");
    }
  }

  /** The value under {@code key}, or the bottom of its kind. */
  public Field get(FieldKey key) {
    Field f = entries.get(key);
    return f == null ? Field.bottom(key.kind()) : f;
  }

  public LwwRegister lww(String name) {
    return (LwwRegister) get(new FieldKey(name, FieldKind.LWW));
  }

  public MvRegister mvreg(String name) {
    return (MvRegister) get(new FieldKey(name, FieldKind.MVREG));
  }

  public GCounter gcounter(String name) {
    return (GCounter) get(new FieldKey(name, FieldKind.GCOUNTER));
  }

  public PnCounter counter(String name) {
    return (PnCounter) get(new FieldKey(name, FieldKind.COUNTER));
  }

  public OrSet set(String name) {
    return (OrSet) get(new FieldKey(name, FieldKind.SET));
  }

  public Flag flag(String name) {
    return (Flag) get(new FieldKey(name, FieldKind.FLAG));
  }

  public OrMap map(String name) {
    return (OrMap) get(new FieldKey(name, FieldKind.MAP));
  }

  /** The delta that removes {@code key} as observed here. */
  public OrMap remove(FieldKey key, Dot dot) {
    return of(key, get(key).removal(dot));
  }

  /** The keys whose values are present, in key order. */
  public List<FieldKey> keys() {
    List<FieldKey> out = new ArrayList<>();
    entries.forEach((k, v) -> {
      if (v.isPresent()) {
        out.add(k);
      }
    });
    return out;
  }

  /** Every entry in key order, removed ones (empty store, non-empty context) included. */
  public Iterable<Map.Entry<FieldKey, Field>> entries() {
    return entries;
  }

  /** How many entries are stored, removed ones included. */
  public int entryCount() {
    return entries.size();
  }

  @Override
  public OrMap merge(OrMap other) {
    // Fold the smaller map into the larger: the cost is O(smaller * log larger).
    OrMap big = entries.size() >= other.entries.size() ? this : other;
    OrMap small = big == this ? other : this;
    return big.foldIn(small, CausalContext.NONE, CausalContext.NONE);
  }

  /**
   * The join where each side's fields are widened by an ambient context (see {@link Field#join}).
   * A key absent on one side is the bottom of its kind under that side's ambient context, so
   * when {@code ambientTheirs} covers dots of a field only this side holds, they are dropped.
   * With no ambient context on the other side (a delta), only the other side's keys are visited:
   * O(k log n).
   */
  @Override
  public OrMap join(Field other, CausalContext ambientMine, CausalContext ambientTheirs) {
    OrMap o = Fields.same(this, other, OrMap.class);
    if (ambientTheirs == CausalContext.NONE) {
      return foldIn(o, ambientMine, ambientTheirs);
    }
    if (ambientMine == CausalContext.NONE) {
      return o.foldIn(this, ambientTheirs, ambientMine);
    }
    OrMap out = foldIn(o, ambientMine, ambientTheirs);
    for (Map.Entry<FieldKey, Field> e : entries) {
      if (o.entries.get(e.getKey()) == null) {
        out = out.replace(e.getKey(),
            e.getValue().join(Field.bottom(e.getKey().kind()), ambientMine, ambientTheirs));
      }
    }
    return out;
  }

  private OrMap replace(FieldKey key, Field value) {
    return new OrMap(value.isBottom() ? entries.remove(key) : entries.put(key, value));
  }

  /** This map joined with every entry of {@code other}; keys only here are left untouched. */
  private OrMap foldIn(OrMap other, CausalContext ambientMine, CausalContext ambientTheirs) {
    PersistentSortedMap.Remapping<Field, Field> join = ambientMine == CausalContext.NONE && ambientTheirs == CausalContext.NONE
        ? PLAIN_JOIN
        : (mine, theirs) -> joinEntry(mine, theirs, ambientMine, ambientTheirs);
    PersistentSortedMap<FieldKey, Field> out = entries;
    if (other.entries.size() == 1) {
      // A one-field delta, the commonest join of all: no iterator.
      Map.Entry<FieldKey, Field> e = other.entries.firstEntry();
      out = out.compute(e.getKey(), e.getValue(), join);
    } else {
      for (Map.Entry<FieldKey, Field> e : other.entries) {
        out = out.compute(e.getKey(), e.getValue(), join);
      }
    }
    return out == entries ? this : new OrMap(out);
  }

  /** The fold of one entry with no ambient context, shared so that a merge allocates no closure. */
  private static final PersistentSortedMap.Remapping<Field, Field> PLAIN_JOIN =
      (mine, theirs) -> joinEntry(mine, theirs, CausalContext.NONE, CausalContext.NONE);

  /** The join of an entry ({@code mine}, null if absent) with {@code theirs}; null if it is bottom. */
  private static Field joinEntry(Field mine, Field theirs, CausalContext ambientMine, CausalContext ambientTheirs) {
    Field base = mine == null ? Field.bottom(theirs.kind()) : mine;
    Field joined = base.join(theirs, ambientMine, ambientTheirs);
    return joined.isBottom() ? null : joined;
  }

  @Override
  public OrMap compact(CausalContext ambient) {
    PersistentSortedMap<FieldKey, Field> out = NO_ENTRIES;
    for (Map.Entry<FieldKey, Field> e : entries) {
      Field f = e.getValue().compact(ambient);
      if (!f.isBottom()) {
        out = out.put(e.getKey(), f);
      }
    }
    return new OrMap(out);
  }

  @Override
  public FieldKind kind() {
    return FieldKind.MAP;
  }

  @Override
  public boolean isPresent() {
    if (presentCount < 0) {
      int n = 0;
      for (Map.Entry<FieldKey, Field> e : entries) {
        n += e.getValue().isPresent() ? 1 : 0;
      }
      presentCount = n;
    }
    return presentCount > 0;
  }

  @Override
  public boolean isBottom() {
    return entries.isEmpty();
  }

  @Override
  public OrMap removal(Dot dot) {
    OrMap out = EMPTY;
    for (Map.Entry<FieldKey, Field> e : entries) {
      if (e.getValue().isPresent()) {
        out = out.with(e.getKey(), e.getValue().removal(dot));
      }
    }
    return out;
  }


  @Override
  public boolean equals(Object o) {
    return o instanceof OrMap m && entries.equals(m.entries);
  }

  @Override
  public int hashCode() {
    return entries.hashCode();
  }

  @Override
  public String toString() {
    return "OrMap" + entries;
  }
}
