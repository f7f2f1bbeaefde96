package dev.lattice.replica;

import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.clock.Hlc;
import dev.lattice.schema.Schema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
  static final String FORMAT = "1";

  private final MVStore store;
  private final ReplicaOptions options;
  private final MVMap<String, String> meta;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final Hlc clock;
  private final ReplicaMetrics metrics = new ReplicaMetrics();
  private final Committer committer;
  private final ExecutorService notifier;
  private final Map<String, Namespace> namespaces = new ConcurrentHashMap<>();
  private final ReplicaId id;
  private volatile boolean closed;

  private Replica(MVStore store, Path path, ReplicaOptions options) {
    this.store = store;
    this.options = options;
    this.meta = store.openMap("meta", new MVMap.Builder<String, String>()
        .keyType(StringDataType.INSTANCE).valueType(StringDataType.INSTANCE));
    String format = meta.get("format");
    if (format != null && !format.equals(FORMAT)) {
      throw new ReplicaException(ReplicaException.Reason.CORRUPT,
          "replica file format " + format + " is not supported (this build reads " + FORMAT + ")");
    }
    meta.put("format", FORMAT);
    this.id = establishIdentity(path);
    this.clock = new Hlc(options.wallClock(), options.maxSkew());
    String hlc = meta.get("hlc");
    if (hlc != null) {
      clock.advanceTo(Long.parseLong(hlc));
    }
    this.notifier = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "lattice-notifier");
      t.setDaemon(true);
      return t;
    });
    this.committer = new Committer(store, writeLock, options.asyncCommitDelay(), this::beforeCommit,
        this::afterCommit, metrics);
    store.commit();
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
      notifier.shutdownNow();
      throw e;
    }
  }

  /** The schema version the namespace's stored data is in, or empty if none was ever recorded. */
  java.util.OptionalInt schemaVersion(String namespace) {
    String v = meta.get("schema." + namespace);
    return v == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(Integer.parseInt(v));
  }

  /** Records the schema version of a namespace's data; under the write lock, part of the next commit. */
  void recordSchemaVersion(String namespace, int version) {
    meta.put("schema." + namespace, Integer.toString(version));
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
      store = new MVStore.Builder().fileName(path.toString()).autoCommitDisabled()
          .cacheSize(options.cacheSizeMb()).open();
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
        return new Namespace(this, n, new Maps(), new Listeners(n, notifier));
      } finally {
        writeLock.unlock();
      }
    });
  }

  /** The names of the namespaces this replica holds, sorted. */
  public java.util.SortedSet<String> namespaceNames() {
    return new TreeSet<>(namespaces.keySet());
  }

  /** Waits until every write made so far is committed and synced. */
  public void flush() {
    Namespace.awaitDurable(requestCommit(Durability.SYNC));
  }

  /** Commits, syncs and closes the file. Closing twice is harmless. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    committer.close();
    notifier.shutdown();
    store.close();
  }

  /** Stops as a crash would: nothing pending is committed. For tests of crash recovery. */
  void simulateCrash() {
    closed = true;
    committer.abandon();
    notifier.shutdownNow();
    store.closeImmediately();
  }

  ReentrantLock writeLock() {
    return writeLock;
  }

  Committer committer() {
    return committer;
  }

  java.util.concurrent.CompletableFuture<Void> requestCommit(Durability mode) {
    writeLock.lock();
    try {
      checkOpen();
      return committer.request(mode);
    } finally {
      writeLock.unlock();
    }
  }

  void checkOpen() {
    if (closed) {
      throw new ReplicaException(ReplicaException.Reason.CLOSED, "replica " + id + " is closed");
    }
  }

  /** Persists the clock once per commit, so a restart never issues a timestamp already used. */
  private void beforeCommit() {
    meta.put("hlc", Long.toString(clock.current()));
    namespaces.values().forEach(Namespace::beforeCommit);
  }

  private void afterCommit() {
    namespaces.values().forEach(Namespace::afterCommit);
  }

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

  private final class Maps implements Namespace.MapOpener {
    public MVMap<String, byte[]> strings(String name) {
      return store.openMap(name, new MVMap.Builder<String, byte[]>()
          .keyType(StringDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
    }

    public MVMap<byte[], byte[]> bytes(String name) {
      return store.openMap(name, new MVMap.Builder<byte[], byte[]>()
          .keyType(ByteArrayDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
    }

    public MVMap<Long, byte[]> longsToBytes(String name) {
      return store.openMap(name, new MVMap.Builder<Long, byte[]>()
          .keyType(LongDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
    }

    public MVMap<Long, Long> longs(String name) {
      return store.openMap(name, new MVMap.Builder<Long, Long>()
          .keyType(LongDataType.INSTANCE).valueType(LongDataType.INSTANCE));
    }
  }
}
