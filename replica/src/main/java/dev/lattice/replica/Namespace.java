package dev.lattice.replica;

import dev.lattice.crdt.causal.CausalContext;
import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.clock.ClockSkewException;
import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.type.Field;
import dev.lattice.crdt.type.FieldKey;
import dev.lattice.crdt.type.FieldKind;
import dev.lattice.crdt.type.LwwRegister;
import dev.lattice.crdt.type.OrMap;
import dev.lattice.merkle.Scope;
import dev.lattice.replica.log.Delta;
import dev.lattice.replica.log.DeltaCodec;
import dev.lattice.replica.log.DeltaPage;
import dev.lattice.schema.Schema;
import dev.lattice.schema.migrate.Migration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One namespace of a replica: its {@link DocumentStore documents}, {@link DeltaLog delta log},
 * {@link VectorStore version vector}, {@link Digests Merkle digests} and (on a client)
 * {@link OutboundQueue outbound queue}, all in the replica's one MVStore so that a mutation
 * changes them in one commit. This class sequences a write through them.
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
  private final DocumentStore documents;
  private final DeltaLog log;
  private final VectorStore vector;
  private final Digests digests;
  private final OutboundQueue outbox;
  private final Listeners listeners;
  private final Staging staging = new Staging();

  /** A writer whose buffer holds more changes than this waits for a commit: backpressure. */
  private static final int MAX_STAGED_CHANGES = 1 << 17;

  Namespace(Replica replica, String name, Replica.Maps maps, Listeners listeners) {
    this.replica = replica;
    this.name = name;
    String p = "ns." + name + ".";
    var docs = maps.strings(p + "docs");
    this.documents = new DocumentStore(name, docs, staging);
    this.log = new DeltaLog(maps.bytes(p + "log"), maps.longs(p + "floor"), staging);
    this.vector = new VectorStore(name, maps.longsToBytes(p + "vector"));
    this.digests = new Digests(docs, maps.bytes(p + "digests"));
    if (maps.upgradingFrom1()) {
      // Format 1 kept a hash trie of digests per document; format 2 keeps bucket sums.
      maps.drop(p + "merkle");
      digests.rebuild(documents.committedEntries());
    }
    this.outbox = new OutboundQueue(replica, this, log, staging, maps.bytes(p + "outbox"), maps.bytes(p + "rejected"));
    this.listeners = listeners;
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
      return vector.applied();
    } finally {
      replica.writeLock().unlock();
    }
  }

  /** The version vector as of the last commit: what a peer may be sent. */
  public VersionVector committedVector() {
    return vector.committed();
  }

  /** The Merkle root of one collection's visible documents, as of the latest write. */
  public byte[] merkleRoot(String collection) {
    Digests.Snapshot snapshot = snapshot();
    try {
      return snapshot.root(collection);
    } finally {
      snapshot.close();
    }
  }

  // ---- documents ----

  Optional<Document> get(String collection, String id) {
    String key = Keys.document(collection, Names.checkDocumentId(id));
    Batch batch = replica.openBatch();
    if (batch != null) {
      Document staged = batch.staged(this, key);
      if (staged != null) {
        return staged.exists() ? Optional.of(staged) : Optional.empty();
      }
    }
    return documents.get(key);
  }

  List<Map.Entry<String, Document>> scan(String collection, String idPrefix, String after, int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative: " + limit);
    }
    Batch batch = replica.openBatch();
    return documents.scan(collection, idPrefix, after, limit, batch == null ? Map.of() : batch.stagedDocuments(this));
  }

  WriteReceipt update(String collection, String id, Consumer<DocumentWriter> mutation) {
    Names.checkDocumentId(id);
    replica.refuseInsideMutation("update " + collection + "/" + id);
    Batch batch = replica.openBatch();
    if (batch != null) {
      return batch.stage(this, collection, id, mutation);
    }
    Durability mode = replica.options().durability();
    Committer committer = replica.committer();
    Staged write;
    long ticket;
    boolean full;
    replica.writeLock().lock();
    try {
      replica.checkOpen();
      String key = Keys.document(collection, id);
      VersionVector applied = vector.applied();
      write = stage(key, collection, id, mutation, documents.load(key), applied, applied.max(replica.id()) + 1);
      if (write == null) {
        return WriteReceipt.unchanged();
      }
      writeLog(write);
      storeDocument(write.key(), write.after());
      ticket = committer.ticket();
      full = staging.current.changes > MAX_STAGED_CHANGES;
      if (mode == Durability.ASYNC) {
        committer.commitLater();
      }
    } finally {
      replica.writeLock().unlock();
    }
    listeners.changed(collection, Set.of(id), false);
    if (mode != Durability.ASYNC || full) {
      committer.await(ticket, mode == Durability.SYNC);
    }
    return new WriteReceipt(write.delta().dot(), write.delta().hlc(), committer, ticket);
  }

  /** One local mutation, computed but not yet written. */
  record Staged(String key, Delta delta, Document after, VersionVector vectorAfter) {}

  /**
   * Runs {@code mutation} against {@code current} under the next dot; returns null if it changed
   * nothing. Touches no map; under the write lock.
   *
   * @throws ReplicaException INVALID_MUTATION if the mutation broke a rule of the write API
   */
  Staged stage(String key, String collection, String id, Consumer<DocumentWriter> mutation, Document current,
      VersionVector applied, long seq) {
    Dot dot = new Dot(replica.id(), seq);
    DocumentWriter writer = new DocumentWriter(current, dot, replica.clock().now());
    replica.runMutation(() -> mutation.accept(writer));
    Document change = writer.delta();
    if (change.fields().isBottom()) {
      return null;
    }
    Dot foreign = Authorship.foreignDot(change, dot);
    if (foreign != null) {
      throw new ReplicaException(ReplicaException.Reason.INVALID_MUTATION, "the change of " + collection + "/" + id
          + " stores dot " + foreign + ", not the mutation's own " + dot + "; nothing was written");
    }
    Delta delta = new Delta(dot, writer.hlc(), collection, id, change);
    VersionVector next = applied.add(dot);
    Document after = current.join(change, applied, CausalContext.NONE).compact(next);
    return new Staged(key, delta, after, next);
  }

  /** Logs a staged local write, advances the vector and queues it on a client; under the write lock. */
  void writeLog(Staged write) {
    Dot dot = write.delta().dot();
    log.append(write.delta());
    vector.advance(write.vectorAfter(), dot);
    if (replica.options().role() == Role.CLIENT) {
      outbox.add(dot);
    }
    replica.metrics().localWrites.increment();
  }

  /** Stages a document's new state; under the write lock. */
  void storeDocument(String key, Document document) {
    documents.stage(key, document);
  }

  /** The stored document under {@code key}; under the write lock when used for a write. */
  Document load(String key) {
    return documents.load(key);
  }

  Listeners listeners() {
    return listeners;
  }

  VersionVector appliedVector() {
    return vector.applied();
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
   * @throws ReplicaException CLOCK_SKEW if a delta's timestamp is beyond the skew bound,
   *     INVALID_NAME if it names an invalid collection or document, or INVALID_MUTATION if its
   *     change stores a dot other than its own; nothing is applied
   */
  public ApplyResult applyRemote(List<Delta> deltas) {
    for (Delta d : deltas) {
      Names.checkIdentifier("collection", d.collection(), Names.MAX_COLLECTION);
      Names.checkDocumentId(d.documentId());
      Dot foreign = Authorship.foreignDot(d.change(), d.dot());
      if (foreign != null) {
        throw new ReplicaException(ReplicaException.Reason.INVALID_MUTATION, "delta " + d.dot() + " stores dot "
            + foreign + ", not its own; nothing applied");
      }
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
    Committer committer = replica.committer();
    long ticket;
    replica.writeLock().lock();
    try {
      replica.checkOpen();
      for (Delta d : deltas) {
        VersionVector before = vector.applied();
        if (before.covers(d.dot())) {
          duplicates.add(d.dot());
          continue;
        }
        String key = Keys.document(d.collection(), d.documentId());
        Document current = documents.load(key);
        VersionVector next = before.add(d.dot());
        Document joined = current.join(d.change(), before, CausalContext.NONE).compact(next);
        storeDocument(key, joined);
        log.append(d);
        vector.advance(next, d.dot());
        countOverwrites(d.change(), current, joined);
        replica.clock().advanceTo(d.hlc());
        applied.add(d.dot());
        changed.computeIfAbsent(d.collection(), c -> new HashSet<>()).add(d.documentId());
      }
      ticket = committer.ticket();
    } finally {
      replica.writeLock().unlock();
    }
    replica.metrics().remoteApplied.add(applied.size());
    replica.metrics().remoteDuplicates.add(duplicates.size());
    changed.forEach((collection, ids) -> listeners.changed(collection, ids, true));
    // An upstream acks only what is durable, so remote deltas are never left to the async delay.
    boolean sync = replica.options().durability() == Durability.SYNC;
    java.util.concurrent.CompletableFuture<Void> durable = applied.isEmpty()
        ? java.util.concurrent.CompletableFuture.completedFuture(null)
        : replica.commitInBackground(ticket, sync);
    return new ApplyResult(applied, duplicates, durable);
  }

  /**
   * The deltas a peer at {@code peer} is missing, from what is committed here, in dot order, at
   * most about {@code maxBytes} of them (always at least one, if any is missing).
   */
  public DeltaPage deltasSince(VersionVector peer, int maxBytes) {
    return log.since(peer, vector.committed(), maxBytes);
  }

  /**
   * Trims the delta log by {@code policy} and records, per origin replica, the highest sequence
   * trimmed (the floor). A client's own writes that wait for acknowledgement are kept. Returns how
   * many deltas were trimmed.
   */
  public int compactLog(RetentionPolicy policy) {
    int trimmed;
    replica.writeLock().lock();
    try {
      replica.checkOpen();
      trimmed = log.trim(policy, replica.options().wallClock().getAsLong(), outbox::lowestQueued);
      if (trimmed > 0) {
        replica.committer().commitLater();
      }
    } finally {
      replica.writeLock().unlock();
    }
    replica.metrics().logTrimmed.add(trimmed);
    return trimmed;
  }

  /** Deltas logged since the log was last trimmed; the committing thread counts. */
  private volatile long appendedSinceTrim;

  private long trimEvery() {
    return Math.max(1_024, replica.options().retention().keepPerReplica() / 8);
  }

  /** Trims the log by the replica's retention policy if it has grown enough; background upkeep. */
  void trimIfDue() {
    if (appendedSinceTrim >= trimEvery()) {
      appendedSinceTrim = 0;
      compactLog(replica.options().retention());
    }
  }

  /** The compaction floor of {@code origin}: its deltas up to this sequence are no longer logged. */
  public long floor(ReplicaId origin) {
    return log.floor(origin);
  }

  // ---- Merkle repair ----

  /**
   * Opens the initiating side of a repair over {@code scope} (a set of collections, as
   * {@code collection \0} partitions, or {@link Scope#all()}).
   */
  public RepairSession openRepair(Scope scope) {
    Digests.Snapshot snapshot = snapshot();
    return new RepairSession(snapshot.initiator(scope), snapshot.vector(), snapshot::close);
  }

  /** Opens the answering side of a repair; refuses a peer asking for more than {@code allowed}. */
  public RepairSession answerRepair(Scope allowed) {
    Digests.Snapshot snapshot = snapshot();
    return new RepairSession(snapshot.responder(allowed), snapshot.vector(), snapshot::close);
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
      List<Map.Entry<String, Document>> seen = new ArrayList<>();
      for (String collection : collections) {
        for (Map.Entry<String, Document> e : documents.scan(collection, "", null, Integer.MAX_VALUE)) {
          Optional<Document> d = view.apply(collection, e.getKey(), e.getValue());
          if (d.isPresent() && d.get().exists()) {
            seen.add(Map.entry(Keys.document(collection, e.getKey()), d.get()));
          }
        }
      }
      return new RepairSession(Digests.viewInitiator(seen), vector.applied(), () -> { });
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
        Document stored = documents.load(key);
        Document d = !stored.exists() ? Document.EMPTY : view.apply(collection, id, stored).orElse(Document.EMPTY);
        states.add(new RepairStates.State(collection, id, d));
      }
      return new RepairStates(states, vector.applied());
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
      VersionVector before = vector.applied();
      VersionVector next = before.merge(adopt);
      int n = 0;
      for (RepairStates.State s : peer.states()) {
        String key = Keys.document(s.collection(), s.documentId());
        Document current = documents.load(key);
        Document joined = current.join(s.document(), observedHere == null ? before : observedHere, peer.vector())
            .compact(next);
        if (!joined.equals(current)) {
          storeDocument(key, joined);
          changed.computeIfAbsent(s.collection(), c -> new HashSet<>()).add(s.documentId());
          n++;
        }
      }
      vector.advanceTo(next);
      replica.committer().commitLater();
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

  /**
   * Commits what is staged, then takes the committed documents, digests and vector of that one
   * version, pinned until the snapshot is closed.
   */
  private Digests.Snapshot snapshot() {
    replica.checkOpen();
    java.util.concurrent.atomic.AtomicReference<Digests.Snapshot> out = new java.util.concurrent.atomic.AtomicReference<>();
    replica.committer().exclusive(() -> out.set(digests.snapshot(vector.committed(), replica.pinVersion())));
    return out.get();
  }

  /** Runs {@code action} under the write lock. */
  <T> T underLock(java.util.function.Supplier<T> action) {
    replica.writeLock().lock();
    try {
      return action.get();
    } finally {
      replica.writeLock().unlock();
    }
  }

  // ---- schema migration (clients) ----

  /**
   * Brings the namespace's stored data to {@code schema}'s newest version: every document and
   * every logged delta (queued writes included), in one commit, before anything else uses the
   * namespace. A crash before that commit leaves the old version on disk and the next open runs
   * the migration again; it is a pure function of the stored data, so running it again gives the
   * same result.
   *
   * @param beforeCommit runs after the migration, before its commit (tests use it to crash there)
   * @throws ReplicaException SCHEMA_MISMATCH if the stored data is of a newer version than
   *     {@code schema} knows
   */
  void migrateTo(Schema schema, Runnable beforeCommit) {
    int target = schema.currentVersion();
    Long ticket = underLock(() -> {
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
        for (String key : documents.keys()) {
          Document current = documents.load(key);
          Document migrated = migration.apply(Keys.collectionOf(key), current, from, target);
          if (!migrated.equals(current)) {
            storeDocument(key, migrated);
          }
        }
        log.rewrite(d -> {
          Document change = migration.migrateDelta(d.collection(), d.change(), from, target);
          return change.equals(d.change()) ? d : new Delta(d.dot(), d.hlc(), d.collection(), d.documentId(), change);
        });
      }
      replica.recordSchemaVersion(name, target);
      beforeCommit.run();
      return replica.committer().ticket();
    });
    if (ticket != null) {
      replica.committer().await(ticket, true);
    }
  }

  /** The queue of local writes waiting for an upstream's acknowledgement (empty on an edge). */
  public OutboundQueue outbox() {
    return outbox;
  }

  // ---- internals ----

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

  // ---- structure validation (tests) ----

  /**
   * Checks that the stored parts agree, as of the last commit: every logged delta and every dot a
   * document stores is covered by the vector, queued writes are logged and this replica's own,
   * the stored vector is the committed one, and the digests equal digests computed afresh from
   * the documents. For tests; call after {@link Replica#flush()} with no writer running.
   *
   * @throws IllegalStateException naming the first disagreement
   */
  void validate() {
    VersionVector v = vector.committed();
    if (!vector.stored().equals(v)) {
      throw new IllegalStateException(name + ": stored vector " + vector.stored() + " is not the committed " + v);
    }
    for (Map.Entry<Dot, byte[]> e : log.committedEntries()) {
      if (!v.covers(e.getKey())) {
        throw new IllegalStateException(name + ": logged delta " + e.getKey() + " is not covered by " + v);
      }
      Delta d = DeltaCodec.decode(e.getValue());
      if (!d.dot().equals(e.getKey())) {
        throw new IllegalStateException(name + ": log entry " + e.getKey() + " holds delta " + d.dot());
      }
    }
    List<Map.Entry<String, Document>> all = new ArrayList<>();
    for (Map.Entry<String, Document> e : documents.committedEntries()) {
      Dot uncovered = Authorship.firstDot(e.getValue(), dot -> !v.covers(dot));
      if (uncovered != null) {
        throw new IllegalStateException(name + ": document " + e.getKey() + " stores " + uncovered + ", not covered by " + v);
      }
      if (e.getValue().exists()) {
        all.add(e);
      }
    }
    for (Dot queued : outbox.committedDots()) {
      if (!queued.replica().equals(replica.id()) || log.get(queued) == null || !v.covers(queued)) {
        throw new IllegalStateException(name + ": queued write " + queued + " is not a logged write of this replica");
      }
    }
    digests.validate(all);
  }

  // ---- commit ----

  /** Swaps out what writers staged, with the vector it brings; under the write lock. */
  PendingWrites swap() {
    PendingWrites full = staging.swap();
    vector.capture(full);
    return full;
  }

  /**
   * Writes a swapped buffer into the maps: documents encoded, digests brought up to date, log,
   * vector and queue changes; on the committing thread, outside the write lock.
   */
  void persist(PendingWrites p) {
    // A plain loop: OpenJDK 17.0.15's C2 crashed compiling the nested lambdas this used to be
    // (PhaseIdealLoop::identical_backtoback_ifs); tests and benches also run with -XX:-SplitIfBlocks.
    for (Map.Entry<String, Document> e : p.documents.entrySet()) {
      DocumentStore.Written written = documents.persist(e.getKey(), e.getValue());
      digests.changed(e.getKey(), written.previous(), e.getValue(), written.encoded());
    }
    digests.persist();
    log.persist(p);
    vector.persist(p);
    outbox.persist(p);
  }

  /** Marks a swapped buffer as committed; after its commit. */
  void committed(PendingWrites p) {
    vector.committed(p);
    appendedSinceTrim += p.logAppends.size();
    if (appendedSinceTrim >= trimEvery()) {
      replica.committer().requestHousekeeping();
    }
    if (staging.committing == p) {
      staging.committing = null;
    }
  }
}
