package dev.lattice.crdt.clock;

/**
 * A remote timestamp lies further ahead of the local wall clock than the skew bound allows.
 * Nothing carrying that timestamp may be applied: accepting it would drag every later local
 * write into the future and let one bad clock win every last-writer-wins race.
 */
public final class ClockSkewException extends Exception {
  private final long remoteTimestamp;
  private final long localWallMillis;
  private final long maxSkewMillis;

  public ClockSkewException(long remoteTimestamp, long localWallMillis, long maxSkewMillis) {
    super("remote HLC " + HlcTimestamp.format(remoteTimestamp) + " is "
        + (HlcTimestamp.millis(remoteTimestamp) - localWallMillis) + " ms ahead of the local wall clock "
        + localWallMillis + " ms; the skew bound is " + maxSkewMillis + " ms");
    this.remoteTimestamp = remoteTimestamp;
    this.localWallMillis = localWallMillis;
    this.maxSkewMillis = maxSkewMillis;
  }

  public long remoteTimestamp() {
    return remoteTimestamp;
  }

  public long localWallMillis() {
    return localWallMillis;
  }

  public long maxSkewMillis() {
    return maxSkewMillis;
  }
}
