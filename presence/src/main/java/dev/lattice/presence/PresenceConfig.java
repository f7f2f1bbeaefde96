package dev.lattice.presence;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits and timing of a {@link PresenceHub}, validated when built.
 *
 * <p>Room names: 1 to {@link #maxRoomNameLength} characters, each an ASCII letter or digit or one of
 * {@code . _ - : / @}. The set is small so that names are safe in logs, metrics labels and URLs
 * without escaping, and wide enough for {@code doc:42/cursor} or {@code team@board}.
 *
 * @param tick how often the caller is expected to call {@link PresenceHub#tick(long)}; the hub does
 *     not schedule anything, the edge runs its timer with this period. At most one frame per
 *     subscriber and room leaves each tick, so {@code 1 s / tick} bounds a client's frame rate
 * @param memberTtl a member silent (no join, update or touch) this long is expired by the next tick
 *     and reported as left
 * @param maxStateBytes the largest member state, in UTF-8 bytes of its JSON text as given
 * @param maxStateDepth the deepest nesting of a state; the state object itself is depth 1
 * @param maxUpdatesPerSecond per member: a token bucket refilled at this rate with a burst of as
 *     many; join, update and touch each take a token, leave takes none
 * @param maxRoomsPerNamespace live (non-empty) rooms per namespace
 * @param maxMembersPerRoom members of one room
 * @param maxRoomsPerConnection rooms one connection may be in at once, over all namespaces
 * @param maxRoomNameLength longest room name, in characters
 */
public record PresenceConfig(
    Duration tick, Duration memberTtl, int maxStateBytes, int maxStateDepth, int maxUpdatesPerSecond,
    int maxRoomsPerNamespace, int maxMembersPerRoom, int maxRoomsPerConnection, int maxRoomNameLength) {

  /** 50 ms tick, 30 s TTL, 1 KiB state, depth 8, 30 updates/s, 10,000 rooms, 1,000 members, 100 rooms per connection, 128-char names. */
  public static final PresenceConfig DEFAULT = builder().build();

  /** @throws IllegalArgumentException naming the first value out of its range */
  public PresenceConfig {
    Objects.requireNonNull(tick, "tick");
    Objects.requireNonNull(memberTtl, "memberTtl");
    if (tick.toMillis() < 1) {
      throw new IllegalArgumentException("tick must be at least 1 ms: " + tick);
    }
    if (memberTtl.compareTo(tick) <= 0) {
      // A TTL within one tick would expire members between two of their own heartbeats' frames.
      throw new IllegalArgumentException("memberTtl must be longer than tick: " + memberTtl + " <= " + tick);
    }
    // "{}" is the smallest state; 1 MiB is far beyond presence and bounds a frame of 1,000 members.
    range("maxStateBytes", maxStateBytes, 2, 1 << 20);
    range("maxStateDepth", maxStateDepth, 1, 64);
    // The bucket counts milli-tokens in a long; this keeps refill arithmetic far from overflow.
    range("maxUpdatesPerSecond", maxUpdatesPerSecond, 1, 1_000_000);
    range("maxRoomsPerNamespace", maxRoomsPerNamespace, 1, Integer.MAX_VALUE);
    range("maxMembersPerRoom", maxMembersPerRoom, 1, Integer.MAX_VALUE);
    range("maxRoomsPerConnection", maxRoomsPerConnection, 1, Integer.MAX_VALUE);
    range("maxRoomNameLength", maxRoomNameLength, 1, 1024);
  }

  private static void range(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "]: " + value);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from the defaults. */
  public Builder toBuilder() {
    return new Builder().tick(tick).memberTtl(memberTtl).maxStateBytes(maxStateBytes)
        .maxStateDepth(maxStateDepth).maxUpdatesPerSecond(maxUpdatesPerSecond)
        .maxRoomsPerNamespace(maxRoomsPerNamespace).maxMembersPerRoom(maxMembersPerRoom)
        .maxRoomsPerConnection(maxRoomsPerConnection).maxRoomNameLength(maxRoomNameLength);
  }

  /** Whether {@code room} follows the naming rule above. */
  public boolean isValidRoomName(String room) {
    if (room == null || room.isEmpty() || room.length() > maxRoomNameLength) {
      return false;
    }
    for (int i = 0; i < room.length(); i++) {
      char c = room.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == '-' || c == ':' || c == '/' || c == '@';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Typed builder; {@link #build()} validates. */
  public static final class Builder {
    private Duration tick = Duration.ofMillis(50);
    private Duration memberTtl = Duration.ofSeconds(30);
    private int maxStateBytes = 1024;
    private int maxStateDepth = 8;
    private int maxUpdatesPerSecond = 30;
    private int maxRoomsPerNamespace = 10_000;
    private int maxMembersPerRoom = 1_000;
    private int maxRoomsPerConnection = 100;
    private int maxRoomNameLength = 128;

    private Builder() {}

    public Builder tick(Duration v) {
      tick = v;
      return this;
    }

    public Builder memberTtl(Duration v) {
      memberTtl = v;
      return this;
    }

    public Builder maxStateBytes(int v) {
      maxStateBytes = v;
      return this;
    }

    public Builder maxStateDepth(int v) {
      maxStateDepth = v;
      return this;
    }

    public Builder maxUpdatesPerSecond(int v) {
      maxUpdatesPerSecond = v;
      return this;
    }

    public Builder maxRoomsPerNamespace(int v) {
      maxRoomsPerNamespace = v;
      return this;
    }

    public Builder maxMembersPerRoom(int v) {
      maxMembersPerRoom = v;
      return this;
    }

    public Builder maxRoomsPerConnection(int v) {
      maxRoomsPerConnection = v;
      return this;
    }

    public Builder maxRoomNameLength(int v) {
      maxRoomNameLength = v;
      return this;
    }

    /** @throws IllegalArgumentException naming the first value out of its range */
    public PresenceConfig build() {
      return new PresenceConfig(tick, memberTtl, maxStateBytes, maxStateDepth, maxUpdatesPerSecond,
          maxRoomsPerNamespace, maxMembersPerRoom, maxRoomsPerConnection, maxRoomNameLength);
    }
  }
}
