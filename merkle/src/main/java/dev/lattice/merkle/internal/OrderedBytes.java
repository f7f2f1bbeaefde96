package dev.lattice.merkle.internal;

import dev.lattice.merkle.MerkleCodecException;
import dev.lattice.merkle.MerkleCodecException.Reason;
import dev.lattice.merkle.MerkleConfig;

/**
 * A partition name as the leading part of a stored key: each {@code 00} byte written as
 * {@code 00 FF}, then the terminator {@code 00 01}. The form is prefix-free and sorts like the
 * name under unsigned byte order, so everything stored under one partition is one contiguous
 * range, whatever names other partitions have (the empty name included). Internal.
 */
public final class OrderedBytes {
  private OrderedBytes() {}

  public static ByteWriter writePartition(ByteWriter w, byte[] partition) {
    for (byte b : partition) {
      if (b == 0) {
        w.u8(0).u8(0xFF);
      } else {
        w.u8(b);
      }
    }
    return w.u8(0).u8(1);
  }

  /** The smallest byte string above every stored key that starts with {@code partition}. */
  public static byte[] partitionEnd(byte[] partition) {
    ByteWriter w = new ByteWriter(partition.length + 4);
    writePartition(w, partition);
    byte[] b = w.toByteArray();
    b[b.length - 1] = 2;
    return b;
  }

  /**
   * @throws MerkleCodecException if the input does not start with an escaped name at most
   *     {@link MerkleConfig#MAX_KEY_LENGTH} bytes long and its terminator
   */
  public static byte[] readPartition(ByteReader r) throws MerkleCodecException {
    ByteWriter name = new ByteWriter(32);
    while (true) {
      int b = r.u8("partition");
      if (b == 0) {
        int next = r.u8("partition escape");
        if (next == 1) {
          return name.toByteArray();
        }
        if (next != 0xFF) {
          throw r.error(Reason.INVALID_VALUE, "escape byte " + next + " after 00");
        }
      }
      if (name.size() == MerkleConfig.MAX_KEY_LENGTH) {
        throw r.error(Reason.LENGTH_OUT_OF_RANGE,
            "partition name longer than " + MerkleConfig.MAX_KEY_LENGTH + " bytes");
      }
      name.u8(b);
    }
  }
}
