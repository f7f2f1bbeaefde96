package dev.lattice.replica;

import dev.lattice.crdt.codec.CrdtCodec;
import dev.lattice.crdt.type.Document;
import dev.lattice.merkle.MerkleConfig;
import dev.lattice.merkle.MerkleIndex;
import dev.lattice.merkle.Scope;
import dev.lattice.merkle.store.InMemoryNodeStore;
import dev.lattice.merkle.store.SortedBytesNodeStore;
import dev.lattice.merkle.sync.Reconciler;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import dev.lattice.crdt.causal.VersionVector;
import org.bouncycastle.crypto.digests.Blake3Digest;
import org.h2.mvstore.MVMap;

/**
 * The Merkle digests of a namespace's documents: what a repair compares. The committing thread
 * reports each document it writes and brings the index up to date before the commit, once per
 * document however often it changed since; the index then describes the committed documents and
 * {@link #asOf} the vector they are stored beside. Repair steps synchronize on this object.
 */
final class Digests {
  private final MerkleIndex index;
  /** Documents written since the index was last brought up to date, latest state each. */
  private final Map<String, Document> dirty = new HashMap<>();
  /** The vector of the documents the index describes. */
  private VersionVector asOf = VersionVector.EMPTY;

  Digests(MVMap<byte[], byte[]> nodes) {
    this.index = new MerkleIndex(MerkleConfig.defaults(), new SortedBytesNodeStore(new MvByteMap(nodes)));
  }

  /** Notes a document's new state; on the committing thread. */
  synchronized void changed(String key, Document document) {
    dirty.put(key, document);
  }

  /** Folds the changed documents into the index, which then describes {@code vector}. */
  synchronized void flush(VersionVector vector) {
    if (vector != null) {
      asOf = vector;
    }
    flush();
  }

  private void flush() {
    for (Map.Entry<String, Document> e : dirty.entrySet()) {
      byte[] key = Keys.bytes(e.getKey());
      if (e.getValue().exists()) {
        index.put(key, digest(e.getValue()));
      } else {
        index.remove(key);
      }
    }
    dirty.clear();
    index.flush();
  }

  /** The root digest over one collection's documents; under the write lock. */
  synchronized byte[] root(String collection) {
    flush();
    return index.rootDigest(Keys.bytes(Keys.collectionPrefix(collection)));
  }

  /** The vector of the documents the index describes. */
  synchronized VersionVector asOf() {
    return asOf;
  }

  synchronized Reconciler initiator(Scope scope) {
    flush();
    return Reconciler.initiator(index, scope);
  }

  synchronized Reconciler responder(Scope allowed) {
    flush();
    return Reconciler.responder(index, allowed);
  }

  /**
   * Checks that the index equals one built afresh from {@code documents} (every committed
   * document that exists).
   *
   * @throws IllegalStateException naming the first collection whose root differs
   */
  synchronized void validate(List<Map.Entry<String, Document>> documents) {
    flush();
    MerkleIndex fresh = new MerkleIndex(MerkleConfig.defaults(), new InMemoryNodeStore());
    java.util.Set<String> collections = new java.util.TreeSet<>();
    for (Map.Entry<String, Document> e : documents) {
      fresh.put(Keys.bytes(e.getKey()), digest(e.getValue()));
      collections.add(Keys.collectionOf(e.getKey()));
    }
    fresh.flush();
    for (String c : collections) {
      byte[] prefix = Keys.bytes(Keys.collectionPrefix(c));
      if (!java.util.Arrays.equals(fresh.rootDigest(prefix), index.rootDigest(prefix))) {
        throw new IllegalStateException("digests of collection " + c + " differ from digests computed afresh");
      }
    }
  }

  /** A throwaway index over the given (key, document) pairs, for one reader's view. */
  static Reconciler viewInitiator(Iterable<Map.Entry<String, Document>> documents) {
    MerkleIndex view = new MerkleIndex(MerkleConfig.defaults(), new InMemoryNodeStore());
    for (Map.Entry<String, Document> e : documents) {
      view.put(Keys.bytes(e.getKey()), digest(e.getValue()));
    }
    view.flush();
    return Reconciler.initiator(view, Scope.all());
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
