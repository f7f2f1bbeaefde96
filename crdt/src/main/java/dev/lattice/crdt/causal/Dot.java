package dev.lattice.crdt.causal;

/**
 * The identity of one local mutation: the replica that made it and that replica's sequence
 * number, which starts at 1 and has no gaps. A delta carries its dot, so applying it twice is
 * recognised and has no further effect.
 */
public record Dot(ReplicaId replica, long seq) implements Comparable<Dot> {

  /**
   * @throws IllegalArgumentException if {@code seq} is below 1
   */
  public Dot {
    if (seq < 1) {
      throw new IllegalArgumentException("dot sequence must be at least 1: " + seq);
    }
  }

  public static Dot of(long replica, long seq) {
    return new Dot(new ReplicaId(replica), seq);
  }

  @Override
  public int compareTo(Dot o) {
    int c = replica.compareTo(o.replica);
    return c != 0 ? c : Long.compare(seq, o.seq);
  }

  @Override
  public String toString() {
    return replica + ":" + seq;
  }
}
