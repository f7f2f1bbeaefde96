package dev.lattice.replica;

import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.clock.Hlc;
import dev.lattice.schema.Schema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.LongDataType;
import org.h2.mvstore.type.StringDataType;

/**
 * A local replica: one MVStore file holding every namespace this participant replicates.
 *
 * <pre>{@code
 * try (Replica replica = Replica.open(Path.of("data/app.mv.db"), ReplicaOptions.defaults())) {
 *   replica.namespace("team").collection("tasks").update("t1", doc -> doc.set("title", "Buy milk"));
 * }
 * }</pre>
 *
 * <h2>Identity</h2>
 *
 * A replica id is drawn at random when the file is created and kept in it. The file also records
 * its own identity on disk (the file system's file key: device and inode). Opening a file whose
 * key differs, because it was copied, restored from a backup or moved, retires the old id and
 * draws a new one, so two processes never write under one id and no sequence number is reused.
 * MVStore's file lock keeps a second process from opening the same file at the same time.
 *
 * <p>Thread-safe. Writes are serialised by one write lock; reads take no lock.
 */
public final class Replica implements AutoCloseable {
  static final String FORMAT = "2";

  private final MVStore store;
  private final ReplicaOptions options;
  private final MVMap<String, String> meta;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final Hlc clock;
  private final ReplicaMetrics metrics = new ReplicaMetrics();
  private final Committer committer;
  private final java.util.concurrent.Executor callbacks;
  /** The batch this thread's {@link #batch} body is building, if any. */
  private final ThreadLocal<Batch> openBatch = new ThreadLocal<>();
  /** Set while this thread runs a mutation function. */
  private final ThreadLocal<Boolean> inMutation = new ThreadLocal<>();
  /** The persisted HLC bound: no timestamp at or below it was ever issued after a restart. */
  private long hlcBound;
  /** Meta entries staged for the next commit; under the write lock. */
  private Map<String, String> pendingMeta = new java.util.HashMap<>();
  private final Map<String, Namespace> namespaces = new ConcurrentHashMap<>();
  private final ReplicaId id;
  private volatile boolean closed;
  /** The file is of format 1; each namespace rebuilds its digests as it opens. */
  private final boolean upgradingFrom1;

  private Replica(MVStore store, Path path, ReplicaOptions options) {
    this.store = store;
    this.options = options;
    this.meta = store.openMap("meta", new MVMap.Builder<String, String>()
        .keyType(StringDataType.INSTANCE).valueType(StringDataType.INSTANCE));
    String format = meta.get("format");
    this.upgradingFrom1 = "1".equals(format);
    if (format != null && !format.equals(FORMAT) && !upgradingFrom1) {
      throw new ReplicaException(ReplicaException.Reason.CORRUPT,
          "replica file format " + format + " is not supported (this build reads " + FORMAT + ")");
    }
    meta.put("format", FORMAT);
    this.id = establishIdentity(path);
    this.clock = new Hlc(options.wallClock(), options.maxSkew());
    String hlc = meta.get("hlc");
    if (hlc != null) {
      clock.advanceTo(Long.parseLong(hlc));
      hlcBound = Long.parseLong(hlc);
    }
    this.callbacks = options.callbackExecutor();
    this.committer = new Committer(store, writeLock, options.asyncCommitDelay(), this::swap, callbacks, metrics);
    store.commit();
    committer.housekeeping(this::housekeeping);
    committer.start();
    for (String mapName : store.getMapNames()) {
      if (mapName.startsWith("ns.") && mapName.endsWith(".docs")) {
        namespace(mapName.substring(3, mapName.length() - 5));
      }
    }
    try {
      for (Schema schema : options.schemas().values()) {
        namespace(schema.namespace()).migrateTo(schema, () -> { });
      }
    } catch (RuntimeException e) {
      committer.abandon();
      throw e;
    }
  }

  /** The schema version the namespace's stored data is in, or empty if none was ever recorded. */
  java.util.OptionalInt schemaVersion(String namespace) {
    String v = pendingMeta.getOrDefault("schema." + namespace, meta.get("schema." + namespace));
    return v == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(Integer.parseInt(v));
  }

  /** Records the schema version of a namespace's data; under the write lock, part of the next commit. */
  void recordSchemaVersion(String namespace, int version) {
    pendingMeta.put("schema." + namespace, Integer.toString(version));
  }

  /**
   * Opens (creating if absent) the replica file at {@code path}.
   *
   * @throws ReplicaException LOCKED if another process has it open, CORRUPT if it is not a
   *     readable replica file
   */
  public static Replica open(Path path, ReplicaOptions options) {
    Objects.requireNonNull(path, "path");
    try {
      Path parent = path.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (IOException e) {
      throw new ReplicaException(ReplicaException.Reason.STORAGE, "cannot create directory for " + path + ": " + e, e);
    }
    MVStore store;
    try {
      MVStore.Builder builder = new MVStore.Builder().fileName(path.toString()).autoCommitDisabled()
          .cacheSize(options.cacheSizeMb());
      if (options.pageCompression()) {
        builder.compress();
      }
      store = builder.open();
      // Freed chunks are reused once the background sync has surely forced their replacements to
      // the device; MVStore's default keeps them 45 s, which lets a busy file grow without bound.
      store.setRetentionTime(Committer.SAFE_REUSE_MILLIS);
    } catch (MVStoreException e) {
      boolean locked = e.getErrorCode() == org.h2.mvstore.DataUtils.ERROR_FILE_LOCKED;
      throw new ReplicaException(locked ? ReplicaException.Reason.LOCKED : ReplicaException.Reason.CORRUPT,
          (locked ? "replica file is in use by another process: " : "cannot open replica file: ") + path + " (" + e.getMessage() + ")", e);
    }
    try {
      return new Replica(store, path, options);
    } catch (RuntimeException e) {
      store.closeImmediately();
      throw e;
    }
  }

  /** A replica held in memory only, for tests and simulations. */
  public static Replica inMemory(ReplicaOptions options) {
    return new Replica(new MVStore.Builder().autoCommitDisabled().open(), null, options);
  }

  public ReplicaId id() {
    return id;
  }

  public ReplicaOptions options() {
    return options;
  }

  public ReplicaMetrics metrics() {
    return metrics;
  }

  /** The replica's hybrid logical clock. */
  public Hlc clock() {
    return clock;
  }

  /**
   * A namespace, created on first use.
   *
   * @throws ReplicaException INVALID_NAME if the name is not 1 to 64 of {@code [A-Za-z0-9_.-]}
   */
  public Namespace namespace(String name) {
    Names.checkIdentifier("namespace", name, Names.MAX_NAMESPACE);
    checkOpen();
    return namespaces.computeIfAbsent(name, n -> {
      writeLock.lock();
      try {
        return new Namespace(this, n, new Maps(), new Listeners(n, callbacks));
      } finally {
        writeLock.unlock();
      }
    });
  }

  /** The names of the namespaces this replica holds, sorted. */
  public java.util.SortedSet<String> namespaceNames() {
    return new TreeSet<>(namespaces.keySet());
  }

  /**
   * Waits until every write made so far is committed and synced.
   *
   * @throws ReplicaException INVALID_MUTATION if called inside a mutation function or a batch
   *     body (it would wait for a commit that waits for the caller), CLOSED if closed
   */
  public void flush() {
    refuseInsideMutation("flush()");
    if (openBatch.get() != null) {
      throw new ReplicaException(ReplicaException.Reason.INVALID_MUTATION,
          "flush() inside a batch body would wait for the batch's own commit; call it after batch() returns");
    }
    long ticket;
    writeLock.lock();
    try {
      checkOpen();
      ticket = committer.ticket();
    } finally {
      writeLock.unlock();
    }
    committer.await(ticket, true);
  }

  /**
   * Runs {@code body} as one batch: every update and delete it makes on this replica's
   * collections (from this thread) commits in one commit, each document mutation under its own
   * dot, and the call returns per {@code durability}. All or nothing: if the body throws, nothing
   * it wrote is stored and the exception propagates. Reads inside the body see the batch's own
   * writes. The body runs under the replica's write lock, so other writers wait for it: keep it
   * to computing writes.
   *
   * @throws ReplicaException INVALID_MUTATION if called inside a mutation function or another
   *     batch, or if a mutation of the body broke a rule of the write API (nothing is stored);
   *     CLOSED; STORAGE if the commit failed
   */
  public BatchReceipt batch(Durability durability, Runnable body) {
    java.util.Objects.requireNonNull(durability, "durability");
    java.util.Objects.requireNonNull(body, "body");
    refuseInsideMutation("batch()");
    if (openBatch.get() != null) {
      throw new ReplicaException(ReplicaException.Reason.INVALID_MUTATION, "batch() inside a batch body; make it one batch");
    }
    Batch batch = new Batch(this);
    long ticket;
    writeLock.lock();
    try {
      checkOpen();
      openBatch.set(batch);
      try {
        body.run();
      } finally {
        openBatch.remove();
      }
      batch.write();
      ticket = committer.ticket();
      if (durability == Durability.ASYNC && !batch.dots().isEmpty()) {
        committer.commitLater();
      }
    } finally {
      writeLock.unlock();
    }
    batch.notifyListeners();
    if (durability != Durability.ASYNC && !batch.dots().isEmpty()) {
      committer.await(ticket, durability == Durability.SYNC);
    }
    return new BatchReceipt(batch.dots(), committer, ticket);
  }

  /**
   * Background upkeep, at most about once a second while commits happen: trims delta logs that
   * grew past the retention policy, then, if the file's chunks are less than
   * {@link #TARGET_FILL_PERCENT} full, rewrites the live pages of the emptiest ones (a bounded
   * amount per round) so their space can be reused. Runs as the committer's leader: writers keep
   * staging meanwhile.
   */
  private void housekeeping() {
    namespaces.values().forEach(Namespace::trimIfDue);
    if (closed || store.getFileStore() == null || store.getFillRate() >= TARGET_FILL_PERCENT) {
      return;
    }
    committer.exclusive(() -> {
      if (store.compact(TARGET_FILL_PERCENT, REWRITE_BYTES_PER_ROUND)) {
        metrics.housekeeping.increment();
      }
    });
  }

  private static final int TARGET_FILL_PERCENT = 60;
  private static final int REWRITE_BYTES_PER_ROUND = 4 << 20;

  /** How long {@link #compact} may spend moving chunks to the front of the file, in all. */
  private static final long COMPACT_MOVE_NANOS = 30_000_000_000L;
  /** One round of chunk moving; MVStore keeps trying for the whole budget it is given. */
  private static final int COMPACT_MOVE_ROUND_MILLIS = 100;

  /**
   * Moves chunks to the front of the file in short rounds, as long as a round shrinks the file
   * (at most {@link #COMPACT_MOVE_NANOS} in all): MVStore's {@code compactFile} spends its whole
   * time budget even when nothing more can move.
   */
  private void moveChunksWhileTheFileShrinks() {
    if (store.getFileStore() == null) {
      return;
    }
    long deadline = System.nanoTime() + COMPACT_MOVE_NANOS;
    long size = store.getFileStore().size();
    while (System.nanoTime() < deadline) {
      store.compactFile(COMPACT_MOVE_ROUND_MILLIS);
      long now = store.getFileStore().size();
      if (now >= size) {
        return;
      }
      size = now;
    }
  }

  /** {@link #batch(Durability, Runnable)} with the replica's durability. */
  public BatchReceipt batch(Runnable body) {
    return batch(options.durability(), body);
  }

  /**
   * Rewrites the file so that it holds little more than its live data: every chunk is rewritten,
   * chunks are moved to the front and the file truncated. No commit runs meanwhile; writers go on
   * staging their writes (and wait only if the stage fills up). Between calls, MVStore reuses the
   * space of freed chunks once they are surely replaced on disk, so a busy file stays bounded
   * without this call.
   *
   * @throws ReplicaException CLOSED, INVALID_MUTATION inside a mutation or batch
   */
  public void compact() {
    flush();
    checkOpen();
    committer.exclusive(() -> {
      // Everything is synced, so chunks freed from here on may be reused at once: the rewritten
      // pages are forced to the device before any chunk they replace is overwritten.
      // Old versions are kept only for readers of a past version, which the replica never opens.
      store.sync();
      int versionsToKeep = store.getVersionsToKeep();
      store.setRetentionTime(0);
      store.setVersionsToKeep(0);
      try {
        store.compact(100, Integer.MAX_VALUE);
        store.commit();
        store.sync();
        moveChunksWhileTheFileShrinks();
        store.sync();
      } finally {
        store.setVersionsToKeep(versionsToKeep);
        store.setRetentionTime(Committer.SAFE_REUSE_MILLIS);
      }
      metrics.housekeeping.increment();
    });
  }

  /** Commits, syncs and closes the file. Closing twice is harmless. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    committer.close();
    closed = true;
    store.close();
  }

  /**
   * Checks that every namespace's stored parts agree (see {@code Namespace.validate}); for tests.
   *
   * @throws IllegalStateException naming the first disagreement
   */
  void validate() {
    flush();
    namespaces.values().forEach(Namespace::validate);
  }

  /** Stops as a crash would: nothing pending is committed. For tests of crash recovery. */
  void simulateCrash() {
    closed = true;
    committer.abandon();
    store.closeImmediately();
  }

  ReentrantLock writeLock() {
    return writeLock;
  }

  Committer committer() {
    return committer;
  }

  /** A future for the commit (and sync) of {@code ticket}, run at once in the background. */
  java.util.concurrent.CompletableFuture<Void> commitInBackground(long ticket, boolean sync) {
    return committer.commitSoon(ticket, sync);
  }

  /** The batch this thread is building, or null. */
  Batch openBatch() {
    return openBatch.get();
  }

  /** Runs a user mutation function, marking the thread so a nested write is refused. */
  void runMutation(Runnable mutation) {
    inMutation.set(Boolean.TRUE);
    try {
      mutation.run();
    } finally {
      inMutation.remove();
    }
  }

  /**
   * @throws ReplicaException INVALID_MUTATION if this thread is running a mutation function
   */
  void refuseInsideMutation(String what) {
    if (inMutation.get() != null) {
      throw new ReplicaException(ReplicaException.Reason.INVALID_MUTATION, what
          + " called inside a mutation function; a mutation writes one document under one dot. "
          + "Use batch() to write several documents together");
    }
  }

  void checkOpen() {
    if (closed) {
      throw new ReplicaException(ReplicaException.Reason.CLOSED, "replica " + id + " is closed");
    }
  }

  /**
   * Takes what every namespace staged, for one commit; under the write lock. Also stages a bound
   * above the clock whenever the clock has passed the last one, so a restart never issues a
   * timestamp already used and most commits write nothing for the clock: a restarted clock starts
   * at the bound, at most {@link #HLC_BOUND_STEP_MILLIS} ahead of the time it stopped.
   */
  private Committer.Swapped swap() {
    long now = clock.current();
    if (now > hlcBound) {
      hlcBound = now + (HLC_BOUND_STEP_MILLIS << 16);
      pendingMeta.put("hlc", Long.toString(hlcBound));
    }
    Map<String, String> metaChanges = pendingMeta;
    pendingMeta = new java.util.HashMap<>();
    List<Map.Entry<Namespace, PendingWrites>> swapped = new java.util.ArrayList<>();
    for (Namespace ns : namespaces.values()) {
      swapped.add(Map.entry(ns, ns.swap()));
    }
    return new Committer.Swapped() {
      @Override
      public void persist() {
        metaChanges.forEach(meta::put);
        swapped.forEach(e -> e.getKey().persist(e.getValue()));
      }

      @Override
      public void committed() {
        swapped.forEach(e -> e.getKey().committed(e.getValue()));
      }
    };
  }

  private static final long HLC_BOUND_STEP_MILLIS = 1_000;


  private ReplicaId establishIdentity(Path path) {
    String fileKey = path == null ? null : fileKey(path);
    String stored = meta.get("replica.id");
    String storedKey = meta.get("file.key");
    if (stored != null && Objects.equals(storedKey, fileKey)) {
      return ReplicaId.parse(stored);
    }
    ReplicaId fresh = ReplicaId.random(options.random());
    if (stored != null) {
      String retired = meta.get("replica.retired");
      meta.put("replica.retired", retired == null ? stored : retired + "," + stored);
    }
    meta.put("replica.id", fresh.toString());
    if (fileKey != null) {
      meta.put("file.key", fileKey);
    }
    return fresh;
  }

  private static String fileKey(Path path) {
    try {
      Object key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
      return key == null ? null : key.toString();
    } catch (IOException e) {
      throw new ReplicaException(ReplicaException.Reason.STORAGE, "cannot read attributes of " + path + ": " + e, e);
    }
  }

  /** Ids this file wrote under before it was copied or moved. */
  public java.util.List<ReplicaId> retiredIds() {
    String retired = meta.get("replica.retired");
    if (retired == null) {
      return java.util.List.of();
    }
    return java.util.Arrays.stream(retired.split(",")).map(ReplicaId::parse).toList();
  }

  /**
   * Keeps the store's current (just committed) version readable until the returned handle is
   * closed, for a reader that walks it across later commits.
   */
  AutoCloseable pinVersion() {
    org.h2.mvstore.MVStore.TxCounter counter = store.registerVersionUsage();
    java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true) && !store.isClosed()) {
        store.deregisterVersionUsage(counter);
      }
    };
  }

  /** Opens the MVStore maps a namespace uses. */
  final class Maps {
    boolean upgradingFrom1() {
      return upgradingFrom1;
    }

    void drop(String name) {
      if (store.hasMap(name)) {
        store.removeMap(name);
      }
    }

    MVMap<String, byte[]> strings(String name) {
      return store.openMap(name, new MVMap.Builder<String, byte[]>()
          .keyType(StringDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
    }

    MVMap<byte[], byte[]> bytes(String name) {
      return store.openMap(name, new MVMap.Builder<byte[], byte[]>()
          .keyType(ByteArrayDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
    }

    MVMap<Long, byte[]> longsToBytes(String name) {
      return store.openMap(name, new MVMap.Builder<Long, byte[]>()
          .keyType(LongDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
    }

    MVMap<Long, Long> longs(String name) {
      return store.openMap(name, new MVMap.Builder<Long, Long>()
          .keyType(LongDataType.INSTANCE).valueType(LongDataType.INSTANCE));
    }
  }
}
