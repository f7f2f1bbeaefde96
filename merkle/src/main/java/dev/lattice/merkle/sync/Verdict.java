package dev.lattice.merkle.sync;

import dev.lattice.merkle.NodeKey;
import java.util.List;

/**
 * The final word on a path, sent by the side that can see both sets under it: for each entry of
 * the {@link NodeView.LeafView} it answers, a status; and the keys only the sender has under the
 * path. A verdict answering an {@link NodeView.Empty}, a child the receiver lacks, or a partition
 * the receiver lacks has no statuses.
 *
 * @param statuses one of {@link #SAME}, {@link #DIFFERS}, {@link #ABSENT} per answered entry
 * @param keysOnlySender keys under the path that only the sender has, in increasing order
 */
public record Verdict(NodeKey path, byte[] statuses, List<byte[]> keysOnlySender) {
  /** The sender has the entry with the same digest. */
  public static final byte SAME = 0;
  /** The sender has the key with another digest. */
  public static final byte DIFFERS = 1;
  /** The sender lacks the key. */
  public static final byte ABSENT = 2;

  public Verdict {
    keysOnlySender = List.copyOf(keysOnlySender);
  }
}
