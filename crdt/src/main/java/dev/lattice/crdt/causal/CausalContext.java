package dev.lattice.crdt.causal;

/**
 * The set of dots a value has observed, as the join needs it: membership only.
 *
 * <p>A replica stores each field with only the part of its context that its version vector does
 * not already cover, and joins with the union of the two. The vector is a true context for every
 * document (it covers a dot only once that dot's whole delta has been applied), so this loses
 * nothing, and it keeps removed fields and overwritten values from leaving contexts behind.
 */
public interface CausalContext {
  CausalContext NONE = dot -> false;

  /** Covers every dot: compacting against it drops every context (a document's visible form). */
  CausalContext ALL = dot -> true;

  boolean covers(Dot dot);

  /** The union of two contexts, as a view. */
  static CausalContext union(CausalContext a, CausalContext b) {
    // Identity first: the common case (no ambient) then reads neither side, which may be cold.
    if (b == NONE) {
      return a;
    }
    if (a == NONE || (a instanceof VersionVector v && v.isEmpty())) {
      return b;
    }
    if (b instanceof VersionVector v && v.isEmpty()) {
      return a;
    }
    return dot -> a.covers(dot) || b.covers(dot);
  }
}
