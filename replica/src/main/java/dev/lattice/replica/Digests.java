package dev.lattice.replica;

import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.codec.CrdtCodec;
import dev.lattice.crdt.type.Document;
import dev.lattice.merkle.MerkleCodecException;
import dev.lattice.merkle.MerkleConfig;
import dev.lattice.merkle.NodeKey;
import dev.lattice.merkle.Scope;
import dev.lattice.merkle.sync.Reconciler;
import dev.lattice.merkle.tree.BucketSnapshot;
import dev.lattice.merkle.tree.DerivedTree;
import dev.lattice.merkle.tree.DigestBuckets;
import dev.lattice.merkle.tree.Enumerator;
import dev.lattice.merkle.tree.MemoryTree;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.LongPredicate;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.RootReference;

/**
 * The Merkle digests of a namespace's documents, kept current on the committing thread with O(1)
 * work per written document: its element digest (over the key and the canonical encoding of what
 * a reader sees), and one 256-bit addition to its bucket's sum (see {@link DigestBuckets}). The
 * trie a repair compares is derived when the repair opens, from a snapshot of the bucket sums and
 * the documents of the same committed version ({@link #snapshot}).
 *
 * <p>Replacing a document subtracts its previous element digest. The digests of recently written
 * documents are remembered, so a document written again (a hot key) is not decoded and rehashed;
 * others are recomputed from the bytes being replaced.
 */
final class Digests {
  private static final int REMEMBERED = 1 << 16;

  private final MVMap<String, byte[]> documents;
  private final MVMap<byte[], byte[]> stored;
  private final DigestBuckets buckets = new DigestBuckets(MerkleConfig.defaults());
  private final Map<String, byte[]> recent = new LinkedHashMap<>(1024, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
      return size() > REMEMBERED;
    }
  };

  /**
   * @param documents the namespace's committed documents, read by repairs
   * @param stored where the bucket sums are kept, one entry per non-empty bucket
   * @throws ReplicaException CORRUPT if a stored bucket does not decode
   */
  Digests(MVMap<String, byte[]> documents, MVMap<byte[], byte[]> stored) {
    this.documents = documents;
    this.stored = stored;
    loadStored(buckets);
  }

  /**
   * Loads every stored bucket into {@code into}.
   *
   * @throws ReplicaException CORRUPT if a stored bucket does not decode
   */
  private void loadStored(DigestBuckets into) {
    for (Map.Entry<byte[], byte[]> e : stored.entrySet()) {
      try {
        into.load(e.getKey(), e.getValue());
      } catch (MerkleCodecException ex) {
        throw new ReplicaException(ReplicaException.Reason.CORRUPT, "stored digest bucket does not decode: " + ex.getMessage(), ex);
      }
    }
  }

  /**
   * Notes that {@code key} now holds {@code document}, replacing {@code previous} (its stored
   * bytes, or null); on the committing thread, before the commit.
   */
  void changed(String key, byte[] previous, Document document, byte[] storedBytes) {
    byte[] k = Keys.bytes(key);
    byte[] before = recent.remove(key);
    if (before == null && previous != null) {
      before = element(k, decode(previous, key));
    }
    byte[] after = element(k, document, storedBytes);
    buckets.update(k, before, after);
    if (after != null) {
      recent.put(key, after);
    }
  }

  /** Writes the buckets changed since the last call into their map; before the commit. */
  void persist() {
    buckets.drainDirty((storageKey, entry) -> {
      if (entry == null) {
        stored.remove(storageKey);
      } else {
        stored.put(storageKey, entry);
      }
    });
  }

  private static Document decode(byte[] stored, String key) {
    try {
      return CrdtCodec.decode(stored, Document.class);
    } catch (dev.lattice.crdt.codec.CodecException e) {
      throw new ReplicaException(ReplicaException.Reason.CORRUPT, "stored document " + Keys.collectionOf(key) + "/"
          + Keys.idOf(key) + " does not decode: " + e.getMessage(), e);
    }
  }

  /** The element digest of a document, or null if it does not exist (it is then in no bucket). */
  static byte[] element(byte[] key, Document document) {
    return element(key, document, null);
  }

  /**
   * As {@link #element(byte[], Document)}, reusing {@code encoded} (the document's own encoding,
   * or null) when the document is already its visible form, as a document whose context the
   * vector covers is.
   */
  private static byte[] element(byte[] key, Document document, byte[] encoded) {
    if (!document.exists()) {
      return null;
    }
    Document visible = document.visible();
    byte[] bytes = encoded != null && visible.equals(document) ? encoded : CrdtCodec.encode(visible);
    return dev.lattice.merkle.Digests.element(key, bytes);
  }

  /**
   * A view of the committed documents and their bucket sums at this instant, for one repair.
   * Call while no commit runs (the committer's exclusive section); {@code pin} keeps the
   * version's pages readable until the session closes.
   */
  Snapshot snapshot(VersionVector vector, AutoCloseable pin) {
    return new Snapshot(buckets.snapshot(), documents.flushAndGetRoot(), vector, pin);
  }

  /** The committed documents and digests of one version: what one repair session compares. */
  final class Snapshot implements Enumerator {
    private final BucketSnapshot buckets;
    private final RootReference<String, byte[]> root;
    private final VersionVector vector;
    private final AutoCloseable pin;

    private Snapshot(BucketSnapshot buckets, RootReference<String, byte[]> root, VersionVector vector, AutoCloseable pin) {
      this.buckets = buckets;
      this.root = root;
      this.vector = vector;
      this.pin = pin;
    }

    VersionVector vector() {
      return vector;
    }

    /** The root digest of one collection's documents (a partition), or null if it has none. */
    byte[] root(String collection) {
      return DerivedTree.open(buckets, this).digest(NodeKey.root(Keys.bytes(Keys.collectionPrefix(collection))));
    }

    Reconciler initiator(Scope scope) {
      return Reconciler.initiator(DerivedTree.open(buckets, this), scope);
    }

    Reconciler responder(Scope allowed) {
      return Reconciler.responder(DerivedTree.open(buckets, this), allowed);
    }

    /** Lists a partition's documents under some hash prefixes: one scan of the collection's keys. */
    @Override
    public void enumerate(byte[] partition, List<NodeKey> prefixes, BiConsumer<byte[], byte[]> sink) {
      LongPredicate wanted = Enumerator.filter(prefixes);
      String from = new String(partition, StandardCharsets.UTF_8);
      Cursor<String, byte[]> cursor = documents.cursor(root, from, null, false);
      while (cursor.hasNext()) {
        String key = cursor.next();
        if (!key.startsWith(from)) {
          break;
        }
        byte[] k = Keys.bytes(key);
        if (wanted.test(dev.lattice.merkle.Digests.keyHash(k))) {
          byte[] element = element(k, decode(cursor.getValue(), key));
          if (element != null) {
            sink.accept(k, element);
          }
        }
      }
    }

    /** Releases the pinned version; the session is over. Closing twice is harmless. */
    void close() {
      try {
        pin.close();
      } catch (Exception e) {
        throw new IllegalStateException("cannot release a repair snapshot", e);
      }
    }
  }

  /** Recomputes every bucket from the documents (a file written before the buckets existed). */
  void rebuild(List<Map.Entry<String, Document>> committed) {
    stored.clear();
    for (Map.Entry<String, Document> e : committed) {
      byte[] k = Keys.bytes(e.getKey());
      byte[] element = element(k, e.getValue());
      if (element != null) {
        buckets.update(k, null, element);
      }
    }
    persist();
  }

  /** A reconciler over a throwaway tree of the given (key, document) pairs, for one reader's view. */
  static Reconciler viewInitiator(Iterable<Map.Entry<String, Document>> documents) {
    MemoryTree.Builder tree = MemoryTree.builder(MerkleConfig.defaults());
    for (Map.Entry<String, Document> e : documents) {
      byte[] k = Keys.bytes(e.getKey());
      byte[] element = element(k, e.getValue());
      if (element != null) {
        tree.add(k, element);
      }
    }
    return Reconciler.initiator(tree.build(), Scope.all());
  }

  /**
   * Checks that the bucket sums equal sums computed afresh from {@code committed} (every
   * committed document) and that the stored buckets are the ones in memory.
   *
   * @throws IllegalStateException if they differ
   */
  void validate(List<Map.Entry<String, Document>> committed) {
    DigestBuckets fresh = new DigestBuckets(MerkleConfig.defaults());
    for (Map.Entry<String, Document> e : committed) {
      byte[] k = Keys.bytes(e.getKey());
      fresh.update(k, null, element(k, e.getValue()));
    }
    if (!fresh.snapshot().equals(buckets.snapshot())) {
      throw new IllegalStateException("digest buckets differ from buckets computed afresh from the documents");
    }
    DigestBuckets reloaded = new DigestBuckets(MerkleConfig.defaults());
    try {
      loadStored(reloaded);
    } catch (ReplicaException ex) {
      throw new IllegalStateException("a stored digest bucket does not decode", ex);
    }
    if (!reloaded.snapshot().equals(buckets.snapshot())) {
      throw new IllegalStateException("stored digest buckets differ from the buckets in memory");
    }
  }
}
