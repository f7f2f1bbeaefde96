package dev.lattice.merkle;

import dev.lattice.merkle.internal.Bytes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Which partitions a reconciliation covers: a union of half-open ranges {@code [from, to)} of
 * partition names in unsigned lexicographic order ({@code to == null} means unbounded). One
 * collection is {@link #partition}; every collection whose name starts with some bytes is
 * {@link #partitionsWithPrefix}; what a client may read is a {@link #union} of those.
 *
 * <p>Immutable; the ranges are kept sorted, non-empty and non-overlapping, so equal scopes are
 * equal values and encode to equal bytes.
 */
public final class Scope {

  /** One range {@code [from, to)}; {@code to == null} is unbounded. */
  public record Range(byte[] from, byte[] to) {
    public Range {
      from = from.clone();
      to = to == null ? null : to.clone();
      if (to != null && Arrays.compareUnsigned(from, to) >= 0) {
        throw new MerkleIndexException(
            MerkleIndexException.Reason.SCOPE_RANGE,
            "range upper bound " + Bytes.hex(to) + " is not above lower bound " + Bytes.hex(from));
      }
    }

    @Override
    public byte[] from() {
      return from.clone();
    }

    @Override
    public byte[] to() {
      return to == null ? null : to.clone();
    }

    boolean contains(byte[] name) {
      return Arrays.compareUnsigned(name, from) >= 0
          && (to == null || Arrays.compareUnsigned(name, to) < 0);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Range r && Arrays.equals(from, r.from) && Arrays.equals(to, r.to);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(from) + Arrays.hashCode(to);
    }

    @Override
    public String toString() {
      return "[" + Bytes.hex(from) + ", " + (to == null ? "∞" : Bytes.hex(to)) + ")";
    }
  }

  private static final Scope ALL = new Scope(List.of(new Range(new byte[0], null)));
  private static final Scope NONE = new Scope(List.of());

  private final List<Range> ranges;

  private Scope(List<Range> normalized) {
    this.ranges = List.copyOf(normalized);
  }

  public static Scope all() {
    return ALL;
  }

  public static Scope none() {
    return NONE;
  }

  /** Exactly one partition. */
  public static Scope partition(byte[] name) {
    byte[] next = Arrays.copyOf(name, name.length + 1); // the smallest name above `name`
    return new Scope(List.of(new Range(name, next)));
  }

  /** Every partition whose name starts with {@code prefix}. */
  public static Scope partitionsWithPrefix(byte[] prefix) {
    return new Scope(List.of(new Range(prefix, Bytes.prefixSuccessor(prefix))));
  }

  /** Partitions with names in {@code [from, to)}; {@code to == null} is unbounded. */
  public static Scope partitionRange(byte[] from, byte[] to) {
    return new Scope(List.of(new Range(from, to)));
  }

  /** Union of ranges in any order; overlapping and adjacent ranges are merged. */
  public static Scope ofRanges(List<Range> ranges) {
    List<Range> sorted = new ArrayList<>(ranges);
    sorted.sort(Comparator.comparing(Range::from, Arrays::compareUnsigned));
    List<Range> out = new ArrayList<>();
    for (Range r : sorted) {
      if (!out.isEmpty()) {
        Range last = out.get(out.size() - 1);
        if (last.to == null || Arrays.compareUnsigned(r.from, last.to) <= 0) {
          byte[] to = (last.to == null || r.to == null) ? null
              : (Arrays.compareUnsigned(r.to, last.to) > 0 ? r.to : last.to);
          out.set(out.size() - 1, new Range(last.from, to));
          continue;
        }
      }
      out.add(r);
    }
    return new Scope(out);
  }

  public static Scope union(Scope... scopes) {
    List<Range> all = new ArrayList<>();
    for (Scope s : scopes) {
      all.addAll(s.ranges);
    }
    return ofRanges(all);
  }

  public List<Range> ranges() {
    return ranges;
  }

  public boolean contains(byte[] partition) {
    for (Range r : ranges) {
      if (r.contains(partition)) {
        return true;
      }
    }
    return false;
  }

  /** True if every partition name in {@code other} is also in this scope. */
  public boolean covers(Scope other) {
    for (Range o : other.ranges) {
      boolean covered = false;
      for (Range r : ranges) {
        boolean fromOk = Arrays.compareUnsigned(o.from, r.from) >= 0;
        boolean toOk = r.to == null || (o.to != null && Arrays.compareUnsigned(o.to, r.to) <= 0);
        if (fromOk && toOk) {
          covered = true;
          break;
        }
      }
      if (!covered) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Scope s && ranges.equals(s.ranges);
  }

  @Override
  public int hashCode() {
    return ranges.hashCode();
  }

  @Override
  public String toString() {
    return "Scope" + ranges;
  }
}
