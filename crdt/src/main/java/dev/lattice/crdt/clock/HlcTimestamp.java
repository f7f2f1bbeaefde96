package dev.lattice.crdt.clock;

/**
 * The packed form of a hybrid logical clock timestamp: the high 48 bits hold wall-clock
 * milliseconds since the epoch, the low 16 bits a logical counter. Packed timestamps compare as
 * plain {@code long}s, so ordering them needs no unpacking.
 */
public final class HlcTimestamp {
  /** Milliseconds must fit in 48 bits: good until the year 10889. */
  public static final long MAX_MILLIS = (1L << 48) - 1;
  public static final int MAX_LOGICAL = 0xFFFF;

  private HlcTimestamp() {}

  /**
   * @throws IllegalArgumentException if {@code millis} is negative or above {@link #MAX_MILLIS},
   *     or {@code logical} is outside 0..65535
   */
  public static long pack(long millis, int logical) {
    if (millis < 0 || millis > MAX_MILLIS) {
      throw new IllegalArgumentException("HLC milliseconds out of range: " + millis);
    }
    if (logical < 0 || logical > MAX_LOGICAL) {
      throw new IllegalArgumentException("HLC logical counter out of range: " + logical);
    }
    return (millis << 16) | logical;
  }

  public static long millis(long timestamp) {
    return timestamp >>> 16;
  }

  public static int logical(long timestamp) {
    return (int) (timestamp & MAX_LOGICAL);
  }

  /** {@code millis.logical}, as it appears in error messages. */
  public static String format(long timestamp) {
    return millis(timestamp) + "." + logical(timestamp);
  }
}
