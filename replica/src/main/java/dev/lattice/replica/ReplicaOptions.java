package dev.lattice.replica;

import dev.lattice.crdt.clock.Hlc;
import dev.lattice.schema.Schema;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * How a replica is opened. Built with {@link #builder()}; every field is validated when built.
 *
 * @param role edge or client
 * @param durability when writes return
 * @param asyncCommitDelay the longest an {@link Durability#ASYNC} write waits for its commit
 * @param maxSkew how far ahead of the local clock a remote timestamp may be
 * @param wallClock epoch milliseconds; injected in tests
 * @param random the source of new replica ids; injected in tests
 * @param cacheSizeMb MVStore page cache
 * @param schemas the schema of each namespace, by namespace name; a replica opened with a newer
 *     version than it holds migrates that namespace before it is used
 * @param callbackExecutor where change listeners and {@code durable()} callbacks run; never the
 *     thread that commits. Default: a small pool of daemon threads shared by every replica
 * @param pageCompression whether MVStore compresses pages (LZF): smaller files, slower commits
 */
public record ReplicaOptions(
    Role role,
    Durability durability,
    Duration asyncCommitDelay,
    Duration maxSkew,
    LongSupplier wallClock,
    RandomGenerator random,
    int cacheSizeMb,
    java.util.Map<String, Schema> schemas,
    java.util.concurrent.Executor callbackExecutor,
    boolean pageCompression) {

  public ReplicaOptions {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(durability, "durability");
    Objects.requireNonNull(wallClock, "wallClock");
    Objects.requireNonNull(random, "random");
    if (asyncCommitDelay.isNegative() || asyncCommitDelay.isZero() || asyncCommitDelay.toSeconds() > 60) {
      throw new IllegalArgumentException("asyncCommitDelay must be in (0, 60 s]: " + asyncCommitDelay);
    }
    if (maxSkew.isNegative()) {
      throw new IllegalArgumentException("maxSkew must not be negative: " + maxSkew);
    }
    if (cacheSizeMb < 1) {
      throw new IllegalArgumentException("cacheSizeMb must be at least 1: " + cacheSizeMb);
    }
    schemas = java.util.Map.copyOf(schemas);
    Objects.requireNonNull(callbackExecutor, "callbackExecutor");
  }

  /** The default callback executor: two daemon threads, shared. */
  private static final class SharedCallbacks {
    static final java.util.concurrent.Executor POOL = java.util.concurrent.Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "lattice-callbacks");
      t.setDaemon(true);
      return t;
    });
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Defaults: edge, {@code SYNC}, 20 ms async delay, 60 s skew bound, system clock, 16 MB cache, compressed pages. */
  public static ReplicaOptions defaults() {
    return builder().build();
  }

  public static final class Builder {
    private Role role = Role.EDGE;
    private Durability durability = Durability.SYNC;
    private Duration asyncCommitDelay = Duration.ofMillis(20);
    private Duration maxSkew = Hlc.DEFAULT_MAX_SKEW;
    private LongSupplier wallClock = System::currentTimeMillis;
    private RandomGenerator random = new java.security.SecureRandom();
    private int cacheSizeMb = 16;
    private final java.util.Map<String, Schema> schemas = new java.util.HashMap<>();
    private java.util.concurrent.Executor callbackExecutor;
    private boolean pageCompression = true;

    /** Where listeners and completion callbacks run (default: a small shared pool). */
    public Builder callbackExecutor(java.util.concurrent.Executor executor) {
      this.callbackExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** Whether pages are compressed (default true). */
    public Builder pageCompression(boolean compress) {
      this.pageCompression = compress;
      return this;
    }

    public Builder role(Role role) {
      this.role = role;
      return this;
    }

    public Builder durability(Durability durability) {
      this.durability = durability;
      return this;
    }

    public Builder asyncCommitDelay(Duration delay) {
      this.asyncCommitDelay = delay;
      return this;
    }

    public Builder maxSkew(Duration maxSkew) {
      this.maxSkew = maxSkew;
      return this;
    }

    public Builder wallClock(LongSupplier wallClock) {
      this.wallClock = wallClock;
      return this;
    }

    public Builder random(RandomGenerator random) {
      this.random = random;
      return this;
    }

    public Builder cacheSizeMb(int cacheSizeMb) {
      this.cacheSizeMb = cacheSizeMb;
      return this;
    }

    /** Declares the schema of its namespace (the newest version is the one the replica stores). */
    public Builder schema(Schema schema) {
      schemas.put(schema.namespace(), schema);
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the first invalid field
     */
    public ReplicaOptions build() {
      return new ReplicaOptions(role, durability, asyncCommitDelay, maxSkew, wallClock, random, cacheSizeMb, schemas,
          callbackExecutor == null ? SharedCallbacks.POOL : callbackExecutor, pageCompression);
    }
  }
}
