package dev.lattice.edge.config;

import java.time.Duration;
import java.util.Objects;

/**
 * What one connection may cost the node. Every socket endpoint is held to these by
 * {@code dev.lattice.edge.http.SocketGuard}, and the HTTP server by its options.
 *
 * @param maxFrameBytes the largest WebSocket frame payload accepted; a larger frame closes the
 *     connection with 1009
 * @param maxMessageBytes the largest reassembled WebSocket message; a larger one closes with 1009
 * @param idleTimeout a connection with no traffic in either direction for this long is closed
 *     (clients keep a quiet session open with pings)
 * @param messagesPerSecond the sustained rate of inbound messages per connection
 * @param burst how many messages a connection may send at once above the sustained rate; a
 *     connection that keeps exceeding the rate after being told is closed with 1008
 * @param outboundBufferBytes how many bytes may wait to be written to one connection; a consumer
 *     slower than that is closed with 1008 rather than buffered without bound
 * @param maxConnections open WebSocket connections per node; upgrades beyond it get 503
 */
public record Limits(
    int maxFrameBytes,
    int maxMessageBytes,
    Duration idleTimeout,
    int messagesPerSecond,
    int burst,
    long outboundBufferBytes,
    int maxConnections) {

  public static final int MIB = 1024 * 1024;
  public static final Limits DEFAULT = new Limits(MIB, 8 * MIB, Duration.ofSeconds(60), 200, 400, 8L * MIB, 10_000);

  /** The smallest frame limit: a protocol error message must always fit in one frame. */
  static final int MIN_FRAME_BYTES = 256;

  /**
   * @throws IllegalArgumentException naming the first field out of range and its value
   */
  public Limits {
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    if (maxFrameBytes < MIN_FRAME_BYTES || maxFrameBytes > 64 * MIB) {
      throw new IllegalArgumentException("maxFrameBytes must be in [" + MIN_FRAME_BYTES + ", 64 MiB]: " + maxFrameBytes);
    }
    if (maxMessageBytes < maxFrameBytes || maxMessageBytes > 256 * MIB) {
      throw new IllegalArgumentException("maxMessageBytes must be in [maxFrameBytes (" + maxFrameBytes + "), 256 MiB]: "
          + maxMessageBytes);
    }
    if (idleTimeout.isNegative() || idleTimeout.toMillis() < 1) {
      throw new IllegalArgumentException("idleTimeout must be at least 1 ms (it cannot be turned off): " + idleTimeout);
    }
    if (messagesPerSecond < 1) {
      throw new IllegalArgumentException("messagesPerSecond must be at least 1: " + messagesPerSecond);
    }
    if (burst < 1) {
      throw new IllegalArgumentException("burst must be at least 1: " + burst);
    }
    if (outboundBufferBytes < 1024) {
      throw new IllegalArgumentException("outboundBufferBytes must be at least 1024: " + outboundBufferBytes);
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be at least 1: " + maxConnections);
    }
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  public static Builder builder() {
    return new Builder(DEFAULT);
  }

  /** Starts from a set of limits (the defaults by {@link #builder()}) and changes some. */
  public static final class Builder {
    private int maxFrameBytes;
    private int maxMessageBytes;
    private Duration idleTimeout;
    private int messagesPerSecond;
    private int burst;
    private long outboundBufferBytes;
    private int maxConnections;

    private Builder(Limits from) {
      maxFrameBytes = from.maxFrameBytes;
      maxMessageBytes = from.maxMessageBytes;
      idleTimeout = from.idleTimeout;
      messagesPerSecond = from.messagesPerSecond;
      burst = from.burst;
      outboundBufferBytes = from.outboundBufferBytes;
      maxConnections = from.maxConnections;
    }

    public Builder maxFrameBytes(int v) {
      maxFrameBytes = v;
      return this;
    }

    public Builder maxMessageBytes(int v) {
      maxMessageBytes = v;
      return this;
    }

    public Builder idleTimeout(Duration v) {
      idleTimeout = v;
      return this;
    }

    public Builder messagesPerSecond(int v) {
      messagesPerSecond = v;
      return this;
    }

    public Builder burst(int v) {
      burst = v;
      return this;
    }

    public Builder outboundBufferBytes(long v) {
      outboundBufferBytes = v;
      return this;
    }

    public Builder maxConnections(int v) {
      maxConnections = v;
      return this;
    }

    /** @throws IllegalArgumentException naming the first field out of range */
    public Limits build() {
      return new Limits(maxFrameBytes, maxMessageBytes, idleTimeout, messagesPerSecond, burst, outboundBufferBytes,
          maxConnections);
    }
  }
}
