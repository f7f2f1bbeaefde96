package dev.lattice.crdt.causal;

/** The dots {@code first..last} (inclusive) of one replica. */
public record DotRange(ReplicaId replica, long first, long last) {

  /**
   * @throws IllegalArgumentException if the range is empty or starts below 1
   */
  public DotRange {
    if (first < 1 || last < first) {
      throw new IllegalArgumentException("bad dot range " + first + ".." + last);
    }
  }

  public long size() {
    return last - first + 1;
  }

  public boolean contains(Dot dot) {
    return dot.replica().equals(replica) && dot.seq() >= first && dot.seq() <= last;
  }
}
