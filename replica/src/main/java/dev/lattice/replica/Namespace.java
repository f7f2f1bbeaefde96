package dev.lattice.replica;

import dev.lattice.crdt.causal.CausalContext;
import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.DotRange;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.clock.ClockSkewException;
import dev.lattice.crdt.codec.CodecException;
import dev.lattice.crdt.codec.CrdtCodec;
import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.type.Field;
import dev.lattice.crdt.type.LwwRegister;
import dev.lattice.crdt.type.OrMap;
import dev.lattice.crdt.type.FieldKey;
import dev.lattice.crdt.type.FieldKind;
import dev.lattice.merkle.MerkleConfig;
import dev.lattice.merkle.MerkleIndex;
import dev.lattice.merkle.Scope;
import dev.lattice.merkle.sync.Reconciler;
import dev.lattice.schema.Schema;
import dev.lattice.schema.migrate.Migration;
import dev.lattice.merkle.store.SortedBytesNodeStore;
import dev.lattice.replica.log.Delta;
import dev.lattice.replica.log.DeltaCodec;
import dev.lattice.replica.log.DeltaPage;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.bouncycastle.crypto.digests.Blake3Digest;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;

/**
 * One namespace of a replica: its documents, delta log, version vector, Merkle index and (on a
 * client) outbound queue, all in the replica's one MVStore so that a mutation changes them in one
 * commit.
 *
 * <p>Documents are stored compacted beside the namespace's version vector (see
 * {@link Document#compact}): the vector covers a dot only once that dot's whole delta is applied,
 * so it is a true causal context for every document, and fields keep only the context dots it
 * lacks. Removed fields and deleted documents therefore leave nothing behind once the removal is
 * applied; a document with no field left is dropped from the map.
 *
 * <p>All mutations run under the replica's write lock; reads need no lock.
 */
public final class Namespace {
  private final Replica replica;
  private final String name;
  private final MVMap<String, byte[]> documents;
  private final MVMap<byte[], byte[]> log;
  private final MVMap<Long, byte[]> vectorEntries;
  private final MVMap<Long, Long> floors;
  private final MVMap<byte[], byte[]> outboxEntries;
  private final OutboundQueue outbox;
  private final MerkleIndex merkle;
  private final Listeners listeners;
  /** Documents written since the Merkle index was last brought up to date, latest state each. */
  private final Map<String, Document> merkleDirty = new HashMap<>();

  /** Everything applied, committed or not; changed under the write lock. */
  private VersionVector vector;
  /** What the last commit holds: only this is shipped, so a crash never unsends a delta. */
  private volatile VersionVector committed;

  Namespace(Replica replica, String name, MapOpener maps, Listeners listeners) {
    this.replica = replica;
    this.name = name;
    String p = "ns." + name + ".";
    this.documents = maps.strings(p + "docs");
    this.log = maps.bytes(p + "log");
    this.vectorEntries = maps.longsToBytes(p + "vector");
    this.floors = maps.longs(p + "floor");
    this.outboxEntries = maps.bytes(p + "outbox");
    this.outbox = new OutboundQueue(replica, this, outboxEntries, maps.bytes(p + "rejected"));
    MVMap<byte[], byte[]> nodes = maps.bytes(p + "merkle");
    this.merkle = new MerkleIndex(MerkleConfig.defaults(), new SortedBytesNodeStore(new MvByteMap(nodes)));
    this.listeners = listeners;
    this.vector = loadVector();
    this.committed = vector;
  }

  /** Opens the MVStore maps a namespace uses; supplied by the replica. */
  interface MapOpener {
    MVMap<String, byte[]> strings(String name);

    MVMap<byte[], byte[]> bytes(String name);

    MVMap<Long, byte[]> longsToBytes(String name);

    MVMap<Long, Long> longs(String name);
  }

  public String name() {
    return name;
  }

  /**
   * A collection of this namespace.
   *
   * @throws ReplicaException INVALID_NAME if the name is not 1 to 64 of {@code [A-Za-z0-9_.-]}
   */
  public Collection collection(String collection) {
    return new Collection(this, Names.checkIdentifier("collection", collection, Names.MAX_COLLECTION));
  }

  /** The version vector of everything applied here, including writes not yet committed. */
  public VersionVector vector() {
    replica.writeLock().lock();
    try {
      return vector;
    } finally {
      replica.writeLock().unlock();
    }
  }

  /** The version vector as of the last commit: what a peer may be sent. */
  public VersionVector committedVector() {
    return committed;
  }

  /** The Merkle root of one collection's visible documents, as of the latest write. */
  public byte[] merkleRoot(String collection) {
    replica.writeLock().lock();
    try {
      syncMerkle();
      return merkle.rootDigest(Keys.bytes(Keys.collectionPrefix(collection)));
    } finally {
      replica.writeLock().unlock();
    }
  }

  // ---- documents ----

  Optional<Document> get(String collection, String id) {
    byte[] raw = documents.get(Keys.document(collection, Names.checkDocumentId(id)));
    if (raw == null) {
      return Optional.empty();
    }
    Document d = decodeDocument(raw, collection, id);
    return d.exists() ? Optional.of(d) : Optional.empty();
  }

  List<Map.Entry<String, Document>> scan(String collection, String idPrefix, int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative: " + limit);
    }
    String from = Keys.document(collection, idPrefix);
    List<Map.Entry<String, Document>> out = new ArrayList<>();
    Cursor<String, byte[]> cursor = documents.cursor(from);
    while (out.size() < limit && cursor.hasNext()) {
      String key = cursor.next();
      if (!key.startsWith(from)) {
        break;
      }
      String id = Keys.idOf(key);
      Document d = decodeDocument(cursor.getValue(), collection, id);
      if (d.exists()) {
        out.add(Map.entry(id, d));
      }
    }
    return out;
  }

  WriteReceipt update(String collection, String id, Consumer<DocumentWriter> mutation) {
    Names.checkDocumentId(id);
    Durability mode = replica.options().durability();
    String key = Keys.document(collection, id);
    CompletableFuture<Void> durable;
    Delta delta;
    replica.writeLock().lock();
    try {
      replica.checkOpen();
      Document current = load(key, collection, id);
      ReplicaId self = replica.id();
      Dot dot = new Dot(self, vector.max(self) + 1);
      long hlc = replica.clock().now();
      DocumentWriter writer = new DocumentWriter(current, dot, hlc);
      mutation.accept(writer);
      if (writer.delta().fields().isBottom()) {
        return WriteReceipt.unchanged();
      }
      delta = new Delta(dot, hlc, collection, id, writer.delta());
      byte[] encoded = DeltaCodec.encode(delta);
      applyLocked(delta, encoded, key, current);
      if (replica.options().role() == Role.CLIENT) {
        outboxEntries.put(Keys.dot(dot), encoded);
      }
      replica.metrics().localWrites.increment();
      durable = replica.committer().request(mode);
    } finally {
      replica.writeLock().unlock();
    }
    listeners.changed(collection, Set.of(id), false);
    if (mode != Durability.ASYNC) {
      awaitDurable(durable);
    }
    return new WriteReceipt(delta.dot(), delta.hlc(), durable);
  }

  Subscription listen(String collection, String documentId, ChangeListener listener) {
    return listeners.add(collection, documentId, listener);
  }

  /**
   * Checks a collection name and document id as every write and apply does.
   *
   * @throws ReplicaException INVALID_NAME naming what is wrong
   */
  public static void checkNames(String collection, String documentId) {
    Names.checkIdentifier("collection", collection, Names.MAX_COLLECTION);
    Names.checkDocumentId(documentId);
  }

  /** The key of a document in repair sessions and states ({@code collection \0 id}). */
  public static String documentKey(String collection, String documentId) {
    return Keys.document(collection, documentId);
  }

  // ---- remote deltas ----

  /**
   * Applies deltas from a peer: idempotent (a delta already covered by the vector changes
   * nothing) and order-free (a delta whose predecessors are missing joins safely, and the vector
   * records it beyond the gap). All deltas are vetted first; if any is refused, none is applied.
   *
   * @throws ReplicaException CLOCK_SKEW if a delta's timestamp is beyond the skew bound, or
   *     INVALID_NAME if it names an invalid collection or document; nothing is applied
   */
  public ApplyResult applyRemote(List<Delta> deltas) {
    for (Delta d : deltas) {
      Names.checkIdentifier("collection", d.collection(), Names.MAX_COLLECTION);
      Names.checkDocumentId(d.documentId());
      try {
        replica.clock().check(d.hlc());
      } catch (ClockSkewException e) {
        throw new ReplicaException(ReplicaException.Reason.CLOCK_SKEW,
            "delta " + d.dot() + " refused, nothing applied: " + e.getMessage(), e);
      }
    }
    List<Dot> applied = new ArrayList<>();
    List<Dot> duplicates = new ArrayList<>();
    Map<String, Set<String>> changed = new LinkedHashMap<>();
    CompletableFuture<Void> durable;
    replica.writeLock().lock();
    try {
      replica.checkOpen();
      for (Delta d : deltas) {
        if (vector.covers(d.dot())) {
          duplicates.add(d.dot());
          continue;
        }
        String key = Keys.document(d.collection(), d.documentId());
        Document current = load(key, d.collection(), d.documentId());
        Document joined = applyLocked(d, DeltaCodec.encode(d), key, current);
        countOverwrites(d.change(), current, joined);
        replica.clock().advanceTo(d.hlc());
        applied.add(d.dot());
        changed.computeIfAbsent(d.collection(), c -> new HashSet<>()).add(d.documentId());
      }
      durable = applied.isEmpty() ? CompletableFuture.completedFuture(null)
          : replica.committer().request(replica.options().durability() == Durability.ASYNC ? Durability.COMMIT
              : replica.options().durability());
    } finally {
      replica.writeLock().unlock();
    }
    replica.metrics().remoteApplied.add(applied.size());
    replica.metrics().remoteDuplicates.add(duplicates.size());
    changed.forEach((collection, ids) -> listeners.changed(collection, ids, true));
    return new ApplyResult(applied, duplicates, durable);
  }

  /**
   * The deltas a peer at {@code peer} is missing, from what is committed here, in dot order, at
   * most about {@code maxBytes} of them (always at least one, if any is missing).
   */
  public DeltaPage deltasSince(VersionVector peer, int maxBytes) {
    VersionVector have = committed;
    List<DotRange> ranges = peer.missingFrom(have);
    for (DotRange range : ranges) {
      long floor = floors.getOrDefault(range.replica().value(), 0L);
      if (range.first() <= floor) {
        return new DeltaPage.NeedsRepair(range.replica(), floor, range.first());
      }
    }
    List<Delta> out = new ArrayList<>();
    long bytes = 0;
    for (DotRange range : ranges) {
      // Every covered dot must be in the log: one the vector learned by repair, or one trimmed,
      // is not, and then only a repair can bring the peer up to date.
      long expected = range.first();
      Cursor<byte[], byte[]> cursor = log.cursor(Keys.dot(range.replica().value(), range.first()));
      while (expected <= range.last()) {
        byte[] key = cursor.hasNext() ? cursor.next() : null;
        if (key == null || !Keys.dotOf(key).equals(new Dot(range.replica(), expected))) {
          return new DeltaPage.NeedsRepair(range.replica(), floors.getOrDefault(range.replica().value(), 0L), expected);
        }
        byte[] raw = cursor.getValue();
        if (!out.isEmpty() && bytes + raw.length > maxBytes) {
          return new DeltaPage.Deltas(out, true, bytes);
        }
        out.add(DeltaCodec.decode(raw));
        bytes += raw.length;
        expected++;
      }
    }
    return new DeltaPage.Deltas(out, false, bytes);
  }

  /**
   * Trims the delta log by {@code policy} and records, per origin replica, the highest sequence
   * trimmed (the floor). Returns how many deltas were trimmed.
   */
  public int compactLog(RetentionPolicy policy) {
    long cutoffMillis = replica.options().wallClock().getAsLong() - policy.maxAge().toMillis();
    int trimmed = 0;
    replica.writeLock().lock();
    try {
      replica.checkOpen();
      Map<Long, List<long[]>> byOrigin = new LinkedHashMap<>();  // origin -> (seq, hlc) in seq order
      for (Iterator<byte[]> it = log.keyIterator(null); it.hasNext(); ) {
        byte[] key = it.next();
        Dot dot = Keys.dotOf(key);
        long hlc = ByteBuffer.wrap(log.get(key), 18, 8).getLong();
        byOrigin.computeIfAbsent(dot.replica().value(), r -> new ArrayList<>()).add(new long[] {dot.seq(), hlc});
      }
      for (Map.Entry<Long, List<long[]>> e : byOrigin.entrySet()) {
        List<long[]> entries = e.getValue();
        int cut = Math.max(0, entries.size() - policy.keepPerReplica());
        while (cut < entries.size() && (entries.get(cut)[1] >>> 16) < cutoffMillis) {
          cut++;
        }
        for (int i = 0; i < cut; i++) {
          log.remove(Keys.dot(e.getKey(), entries.get(i)[0]));
        }
        if (cut > 0) {
          floors.put(e.getKey(), Math.max(floors.getOrDefault(e.getKey(), 0L), entries.get(cut - 1)[0]));
          trimmed += cut;
        }
      }
      if (trimmed > 0) {
        replica.committer().request(Durability.ASYNC);
      }
    } finally {
      replica.writeLock().unlock();
    }
    replica.metrics().logTrimmed.add(trimmed);
    return trimmed;
  }

  /** The compaction floor of {@code origin}: its deltas up to this sequence are no longer logged. */
  public long floor(ReplicaId origin) {
    return floors.getOrDefault(origin.value(), 0L);
  }

  // ---- Merkle repair ----

  /**
   * Opens the initiating side of a repair over {@code scope} (a set of collections, as
   * {@code collection \0} partitions, or {@link Scope#all()}).
   */
  public RepairSession openRepair(Scope scope) {
    return underLock(() -> new RepairSession(this, Reconciler.initiator(merkle, scope), vector));
  }

  /** Opens the answering side of a repair; refuses a peer asking for more than {@code allowed}. */
  public RepairSession answerRepair(Scope allowed) {
    return underLock(() -> new RepairSession(this, Reconciler.responder(merkle, allowed), vector));
  }

  /**
   * Opens the initiating side of a repair of what one reader may see: a Merkle index is built,
   * for this session only, over {@code collections} as {@code view} shows them, so the reader's
   * replica (which holds exactly such documents) compares against it and learns nothing of
   * documents it may not read. Costs one pass over those collections under the write lock; use it
   * only for a reader below the compaction floor. Answer with {@link #viewStates}.
   */
  public RepairSession openRepairOfView(java.util.Collection<String> collections, DocumentView view) {
    return underLock(() -> {
      MerkleIndex index = new MerkleIndex(MerkleConfig.defaults(), new dev.lattice.merkle.store.InMemoryNodeStore());
      for (String collection : collections) {
        Cursor<String, byte[]> cursor = documents.cursor(Keys.collectionPrefix(collection));
        while (cursor.hasNext()) {
          String key = cursor.next();
          if (!Keys.collectionOf(key).equals(collection)) {
            break;
          }
          String id = Keys.idOf(key);
          Optional<Document> seen = view.apply(collection, id, decodeDocument(cursor.getValue(), collection, id));
          if (seen.isPresent() && seen.get().exists()) {
            index.put(Keys.bytes(key), digest(seen.get()));
          }
        }
      }
      index.flush();
      return new RepairSession(this, Reconciler.initiator(index, Scope.all()), vector);
    });
  }

  /**
   * {@link #repairStates} as {@code view} shows them: a document the reader may not see is sent
   * empty, which removes from the reader's replica what it holds of it up to the vector.
   */
  public RepairStates viewStates(List<String> keys, DocumentView view) {
    return underLock(() -> {
      List<RepairStates.State> states = new ArrayList<>();
      for (String key : keys) {
        String collection = Keys.collectionOf(key);
        String id = Keys.idOf(key);
        byte[] raw = documents.get(key);
        Document d = raw == null ? Document.EMPTY
            : view.apply(collection, id, decodeDocument(raw, collection, id)).orElse(Document.EMPTY);
        states.add(new RepairStates.State(collection, id, d));
      }
      return new RepairStates(states, vector);
    });
  }

  /**
   * The stored states of the given documents ({@code collection \0 id} keys), read together with
   * the vector they are stored beside; absent documents are sent as empty.
   */
  public RepairStates repairStates(List<String> keys) {
    return viewStates(keys, (collection, id, stored) -> Optional.of(stored));
  }

  /**
   * Joins a peer's document states, each widened by the vector they were stored beside. Joining
   * states is always safe. If {@code adopt} is not empty (a repair of the whole namespace), the
   * vector then also takes in {@code adopt}, the peer's vector when its session opened.
   *
   * @throws ReplicaException INVALID_NAME if a state names an invalid collection or document,
   *     CLOCK_SKEW if a state holds a timestamp beyond the skew bound; nothing is applied then
   */
  public int applyRepair(RepairStates peer, VersionVector adopt) {
    return joinStates(peer, adopt, null);
  }

  /**
   * Joins documents a peer reveals: ones this replica may not have been allowed to read before,
   * whose dots its vector may already cover (a client adopts the vectors of its catch-ups, which
   * include dots withheld from it). They are joined as if this replica had observed nothing of them
   * beyond what it holds, so their content is taken in; what the peer's vector removed still goes.
   *
   * @throws ReplicaException as {@link #applyRepair}
   */
  public int applyRevealed(RepairStates peer) {
    return joinStates(peer, VersionVector.EMPTY, CausalContext.NONE);
  }

  private int joinStates(RepairStates peer, VersionVector adopt, CausalContext observedHere) {
    long newest = 0;
    for (RepairStates.State s : peer.states()) {
      Names.checkIdentifier("collection", s.collection(), Names.MAX_COLLECTION);
      Names.checkDocumentId(s.documentId());
      long hlc = newestTimestamp(s.document().fields());
      try {
        replica.clock().check(hlc);
      } catch (ClockSkewException e) {
        throw new ReplicaException(ReplicaException.Reason.CLOCK_SKEW, "repair state of " + s.collection() + "/"
            + s.documentId() + " refused, nothing applied: " + e.getMessage(), e);
      }
      newest = Math.max(newest, hlc);
    }
    replica.clock().advanceTo(newest);
    Map<String, Set<String>> changed = new LinkedHashMap<>();
    int joinedCount = underLock(() -> {
      replica.checkOpen();
      VersionVector next = vector.merge(adopt);
      int n = 0;
      for (RepairStates.State s : peer.states()) {
        String key = Keys.document(s.collection(), s.documentId());
        Document current = load(key, s.collection(), s.documentId());
        Document joined = current.join(s.document(), observedHere == null ? vector : observedHere, peer.vector())
            .compact(next);
        if (!joined.equals(current)) {
          store(key, joined);
          changed.computeIfAbsent(s.collection(), c -> new HashSet<>()).add(s.documentId());
          n++;
        }
      }
      for (ReplicaId r : next.replicas()) {
        if (next.contiguous(r) != vector.contiguous(r) || next.max(r) != vector.max(r)) {
          vectorEntries.put(r.value(), encodeEntry(next, r));
        }
      }
      vector = next;
      replica.committer().request(Durability.COMMIT);
      return n;
    });
    changed.forEach((collection, ids) -> listeners.changed(collection, ids, true));
    return joinedCount;
  }

  /** The greatest LWW timestamp anywhere in a map, nested maps included (0 if none). */
  private static long newestTimestamp(OrMap fields) {
    long newest = 0;
    for (Map.Entry<FieldKey, Field> e : fields.entries()) {
      if (e.getValue() instanceof LwwRegister lww) {
        for (LwwRegister.Stamped stamp : lww.entries().values()) {
          newest = Math.max(newest, stamp.hlc());
        }
      } else if (e.getValue() instanceof OrMap nested) {
        newest = Math.max(newest, newestTimestamp(nested));
      }
    }
    return newest;
  }

  /** Runs {@code action} under the write lock with the Merkle index up to date. */
  <T> T underLock(java.util.function.Supplier<T> action) {
    replica.writeLock().lock();
    try {
      syncMerkle();
      return action.get();
    } finally {
      replica.writeLock().unlock();
    }
  }

  // ---- schema migration (clients) ----

  /**
   * Brings the namespace's stored data to {@code schema}'s newest version: every document, every
   * logged delta and every queued write, in one commit, before anything else uses the namespace.
   * A crash before that commit leaves the old version on disk and the next open runs the migration
   * again; it is a pure function of the stored data, so running it again gives the same result.
   *
   * @param beforeCommit runs after the migration, before its commit (tests use it to crash there)
   * @throws ReplicaException SCHEMA_MISMATCH if the stored data is of a newer version than
   *     {@code schema} knows
   */
  void migrateTo(Schema schema, Runnable beforeCommit) {
    int target = schema.currentVersion();
    CompletableFuture<Void> done = underLock(() -> {
      java.util.OptionalInt stored = replica.schemaVersion(name);
      if (stored.isPresent() && stored.getAsInt() == target) {
        return null;
      }
      if (stored.isPresent() && stored.getAsInt() > target) {
        throw new ReplicaException(ReplicaException.Reason.SCHEMA_MISMATCH, "namespace " + name + " holds schema version "
            + stored.getAsInt() + ", newer than the configured version " + target + "; refusing to open it with the older schema");
      }
      if (stored.isPresent()) {
        Migration migration = new Migration(schema);
        int from = stored.getAsInt();
        for (String key : new ArrayList<>(documents.keySet())) {
          Document current = load(key, Keys.collectionOf(key), Keys.idOf(key));
          Document migrated = migration.apply(Keys.collectionOf(key), current, from, target);
          if (!migrated.equals(current)) {
            store(key, migrated);
          }
        }
        migrateDeltas(log, migration, from, target);
        migrateDeltas(outboxEntries, migration, from, target);
      }
      replica.recordSchemaVersion(name, target);
      beforeCommit.run();
      return replica.committer().request(Durability.SYNC);
    });
    if (done != null) {
      awaitDurable(done);
    }
  }

  private static void migrateDeltas(MVMap<byte[], byte[]> map, Migration migration, int from, int to) {
    for (byte[] key : new ArrayList<>(map.keySet())) {
      Delta d = DeltaCodec.decode(map.get(key));
      Document change = migration.migrateDelta(d.collection(), d.change(), from, to);
      if (!change.equals(d.change())) {
        map.put(key, DeltaCodec.encode(new Delta(d.dot(), d.hlc(), d.collection(), d.documentId(), change)));
      }
    }
  }

  /** The queue of local writes waiting for an upstream's acknowledgement (empty on an edge). */
  public OutboundQueue outbox() {
    return outbox;
  }

  /** What the last commit holds; the queue ships nothing newer. */
  VersionVector committed() {
    return committed;
  }

  // ---- internals ----

  /** Joins one delta into its document and records it everywhere; under the write lock. */
  private Document applyLocked(Delta delta, byte[] encoded, String key, Document current) {
    VersionVector next = vector.add(delta.dot());
    Document joined = current.join(delta.change(), vector, CausalContext.NONE).compact(next);
    store(key, joined);
    log.put(Keys.dot(delta.dot()), encoded);
    vector = next;
    vectorEntries.put(delta.dot().replica().value(), encodeEntry(next, delta.dot().replica()));
    return joined;
  }

  /**
   * Writes a document; a document with no entry left is dropped. Its Merkle digest is brought up
   * to date at the next commit (or repair step), once however often the document changed since.
   */
  private void store(String key, Document document) {
    if (document.fields().isBottom()) {
      documents.remove(key);
    } else {
      documents.put(key, CrdtCodec.encode(document));
    }
    merkleDirty.put(key, document);
  }

  /** Folds the documents changed since the last call into the Merkle index; under the write lock. */
  private void syncMerkle() {
    for (Map.Entry<String, Document> e : merkleDirty.entrySet()) {
      byte[] merkleKey = Keys.bytes(e.getKey());
      if (e.getValue().exists()) {
        merkle.put(merkleKey, digest(e.getValue()));
      } else {
        merkle.remove(merkleKey);
      }
    }
    merkleDirty.clear();
    merkle.flush();
  }

  private void countOverwrites(Document change, Document before, Document after) {
    for (FieldKey key : change.fields().keys()) {
      if (key.kind() == FieldKind.LWW) {
        int lost = after.fields().lww(key.name()).losers() - before.fields().lww(key.name()).losers();
        if (lost > 0) {
          replica.metrics().lwwOverwrites.add(lost);
        }
      }
    }
  }

  /** BLAKE3-256 of the canonical encoding of what a reader sees. */
  static byte[] digest(Document document) {
    byte[] encoded = CrdtCodec.encode(document.visible());
    Blake3Digest d = new Blake3Digest(256);
    d.update(encoded, 0, encoded.length);
    byte[] out = new byte[32];
    d.doFinal(out, 0);
    return out;
  }

  /** Flushes Merkle digests into their map; the committer calls it before each commit. */
  void beforeCommit() {
    syncMerkle();
  }

  /** Marks everything applied so far as committed; the committer calls it after each commit. */
  void afterCommit() {
    committed = vector;
  }

  private Document load(String key, String collection, String id) {
    byte[] raw = documents.get(key);
    return raw == null ? Document.EMPTY : decodeDocument(raw, collection, id);
  }

  private Document decodeDocument(byte[] raw, String collection, String id) {
    try {
      return CrdtCodec.decode(raw, Document.class);
    } catch (CodecException e) {
      throw new ReplicaException(ReplicaException.Reason.CORRUPT,
          "stored document " + name + "/" + collection + "/" + id + " does not decode: " + e.getMessage(), e);
    }
  }

  private static byte[] encodeEntry(VersionVector v, ReplicaId r) {
    long[] extras = v.beyondGap(r);
    ByteBuffer b = ByteBuffer.allocate(8 + 4 + 8 * extras.length);
    b.putLong(v.contiguous(r)).putInt(extras.length);
    for (long s : extras) {
      b.putLong(s);
    }
    return b.array();
  }

  private VersionVector loadVector() {
    int n = vectorEntries.size();
    long[] ids = new long[n];
    long[] contiguous = new long[n];
    long[][] extras = new long[n][];
    int i = 0;
    for (Map.Entry<Long, byte[]> e : vectorEntries.entrySet()) {
      ByteBuffer b = ByteBuffer.wrap(e.getValue());
      ids[i] = e.getKey();
      contiguous[i] = b.getLong();
      int k = b.getInt();
      if (k < 0 || k > b.remaining() / 8) {
        throw new ReplicaException(ReplicaException.Reason.CORRUPT, "vector entry of " + new ReplicaId(ids[i]) + " is damaged");
      }
      extras[i] = new long[k];
      for (int j = 0; j < k; j++) {
        extras[i][j] = b.getLong();
      }
      i++;
    }
    try {
      return VersionVector.fromEntries(ids, contiguous, extras);
    } catch (IllegalArgumentException e) {
      throw new ReplicaException(ReplicaException.Reason.CORRUPT, "namespace " + name + " vector is damaged: " + e.getMessage(), e);
    }
  }

  static void awaitDurable(CompletableFuture<Void> durable) {
    try {
      durable.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof ReplicaException r) {
        throw r;
      }
      throw e;
    }
  }

  /** The Merkle node store's view of an MVStore map. */
  private record MvByteMap(MVMap<byte[], byte[]> map) implements SortedBytesNodeStore.ByteMap {
    public byte[] get(byte[] key) {
      return map.get(key);
    }

    public void put(byte[] key, byte[] value) {
      map.put(key, value);
    }

    public void remove(byte[] key) {
      map.remove(key);
    }

    public byte[] ceilingKey(byte[] key) {
      return map.ceilingKey(key);
    }

    public boolean isEmpty() {
      return map.isEmpty();
    }
  }
}
