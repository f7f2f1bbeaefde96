package dev.lattice.replica;

import dev.lattice.crdt.codec.CodecException;
import dev.lattice.crdt.codec.CrdtCodec;
import dev.lattice.crdt.type.Document;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;

/**
 * The documents of one namespace, keyed {@code collection \0 id}, each stored compacted beside the
 * namespace's version vector. Writers stage new states in the namespace's {@link Staging}; the
 * committing thread encodes them into the map. Reads see staged states first.
 */
final class DocumentStore {
  private final String namespace;
  private final MVMap<String, byte[]> documents;
  private final Staging staging;

  DocumentStore(String namespace, MVMap<String, byte[]> documents, Staging staging) {
    this.namespace = namespace;
    this.documents = documents;
    this.staging = staging;
  }

  /** The document as last written (staged or stored), or {@link Document#EMPTY}. */
  Document load(String key) {
    Document staged = staging.find(p -> p.documents.get(key));
    if (staged != null) {
      return staged;
    }
    byte[] raw = documents.get(key);
    return raw == null ? Document.EMPTY : decode(raw, key);
  }

  Optional<Document> get(String key) {
    Document d = load(key);
    return d.exists() ? Optional.of(d) : Optional.empty();
  }

  /** Stages a document's new state; under the write lock. */
  void stage(String key, Document document) {
    PendingWrites p = staging.current;
    p.documents.put(key, document);
    p.changes++;
  }

  /**
   * Writes a staged state into the map (a document with no entry left is dropped); on the
   * committing thread.
   */
  Written persist(String key, Document document) {
    if (document.fields().isBottom()) {
      return new Written(documents.remove(key), null);
    }
    byte[] encoded = CrdtCodec.encode(document);
    return new Written(documents.put(key, encoded), encoded);
  }

  /** What {@link #persist} replaced (or null) and wrote (or null). */
  record Written(byte[] previous, byte[] encoded) {}

  /**
   * Up to {@code limit} existing documents of {@code collection} whose id starts with
   * {@code idPrefix} and sorts after {@code after} (null: from the first), in id order.
   */
  List<Map.Entry<String, Document>> scan(String collection, String idPrefix, String after, int limit) {
    return scan(collection, idPrefix, after, limit, Map.of());
  }

  /** {@link #scan} with {@code newest} (an open batch's writes) over everything else. */
  List<Map.Entry<String, Document>> scan(String collection, String idPrefix, String after, int limit,
      Map<String, Document> newest) {
    String prefix = Keys.document(collection, idPrefix);
    String from = after == null || after.compareTo(idPrefix) < 0 ? prefix : Keys.document(collection, after);
    TreeMap<String, Document> staged = new TreeMap<>();
    PendingWrites committing = staging.committing;
    List<Map<String, Document>> layers = committing == null ? List.of(staging.current.documents, newest)
        : List.of(committing.documents, staging.current.documents, newest);
    for (Map<String, Document> layer : layers) {
      layer.forEach((key, doc) -> {
        if (key.startsWith(prefix) && key.compareTo(from) >= 0) {
          staged.put(key, doc);
        }
      });
    }
    Iterator<Map.Entry<String, Document>> overlay = staged.entrySet().iterator();
    Map.Entry<String, Document> nextStaged = overlay.hasNext() ? overlay.next() : null;
    Cursor<String, byte[]> cursor = documents.cursor(from);
    String nextKey = advance(cursor, prefix);
    List<Map.Entry<String, Document>> out = new ArrayList<>();
    while (out.size() < limit && (nextKey != null || nextStaged != null)) {
      String key;
      Document d;
      int order = nextKey == null ? 1 : nextStaged == null ? -1 : nextKey.compareTo(nextStaged.getKey());
      if (order < 0) {
        key = nextKey;
        d = decode(cursor.getValue(), key);
        nextKey = advance(cursor, prefix);
      } else {
        key = nextStaged.getKey();
        d = nextStaged.getValue();
        nextStaged = overlay.hasNext() ? overlay.next() : null;
        if (order == 0) {
          nextKey = advance(cursor, prefix);
        }
      }
      String id = Keys.idOf(key);
      if (d.exists() && !(after != null && id.equals(after))) {
        out.add(Map.entry(id, d));
      }
    }
    return out;
  }

  private static String advance(Cursor<String, byte[]> cursor, String prefix) {
    if (!cursor.hasNext()) {
      return null;
    }
    String key = cursor.next();
    return key.startsWith(prefix) ? key : null;
  }

  /** Every committed document, decoded, by key. */
  List<Map.Entry<String, Document>> committedEntries() {
    List<Map.Entry<String, Document>> out = new ArrayList<>();
    documents.forEach((k, v) -> out.add(Map.entry(k, decode(v, k))));
    return out;
  }

  /** Every document key, staged ones included. */
  List<String> keys() {
    java.util.TreeSet<String> keys = new java.util.TreeSet<>(documents.keySet());
    PendingWrites committing = staging.committing;
    if (committing != null) {
      keys.addAll(committing.documents.keySet());
    }
    keys.addAll(staging.current.documents.keySet());
    return new ArrayList<>(keys);
  }

  Document decode(byte[] raw, String key) {
    try {
      return CrdtCodec.decode(raw, Document.class);
    } catch (CodecException e) {
      throw new ReplicaException(ReplicaException.Reason.CORRUPT, "stored document " + namespace + "/"
          + Keys.collectionOf(key) + "/" + Keys.idOf(key) + " does not decode: " + e.getMessage(), e);
    }
  }
}
