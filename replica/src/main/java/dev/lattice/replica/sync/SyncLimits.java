package dev.lattice.replica.sync;

/**
 * The sizes a sync endpoint enforces on what it decodes and the batch sizes it sends.
 *
 * @param maxMessageBytes the largest encoded message accepted (larger: {@link ErrorCode#TOO_LARGE})
 * @param maxInflatedBytes the largest a compressed {@code deltas} message may inflate to
 * @param maxBatch the most deltas or states in one message
 * @param pageBytes the target size of one catch-up page before compression
 */
public record SyncLimits(int maxMessageBytes, int maxInflatedBytes, int maxBatch, int pageBytes) {
  public SyncLimits {
    if (maxMessageBytes < 1024 || maxInflatedBytes < maxMessageBytes || maxBatch < 1 || pageBytes < 1024
        || pageBytes > maxInflatedBytes) {
      throw new IllegalArgumentException("sync limits out of range: maxMessageBytes=" + maxMessageBytes
          + " maxInflatedBytes=" + maxInflatedBytes + " maxBatch=" + maxBatch + " pageBytes=" + pageBytes
          + " (need maxMessageBytes >= 1024, maxInflatedBytes >= maxMessageBytes, maxBatch >= 1,"
          + " 1024 <= pageBytes <= maxInflatedBytes)");
    }
  }

  /** 8 MiB messages, 32 MiB inflated, 10,000 deltas a batch, 512 KiB catch-up pages. */
  public static SyncLimits defaults() {
    return new SyncLimits(8 << 20, 32 << 20, 10_000, 512 << 10);
  }
}
