package dev.lattice.replica;

import dev.lattice.crdt.codec.CodecException;
import dev.lattice.crdt.codec.CrdtCodec;
import dev.lattice.crdt.type.Document;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;

/**
 * The documents of one namespace, keyed {@code collection \0 id}, each stored compacted beside the
 * namespace's version vector. Writes happen under the replica's write lock; reads take no lock.
 */
final class DocumentStore {
  private final String namespace;
  private final MVMap<String, byte[]> documents;

  DocumentStore(String namespace, MVMap<String, byte[]> documents) {
    this.namespace = namespace;
    this.documents = documents;
  }

  /** The stored document, or {@link Document#EMPTY}. */
  Document load(String key) {
    byte[] raw = documents.get(key);
    return raw == null ? Document.EMPTY : decode(raw, key);
  }

  /** The stored bytes, or null. */
  byte[] raw(String key) {
    return documents.get(key);
  }

  /** Writes a document; one with no entry left is dropped. Returns the stored bytes, or null. */
  byte[] store(String key, Document document) {
    if (document.fields().isBottom()) {
      documents.remove(key);
      return null;
    }
    byte[] encoded = CrdtCodec.encode(document);
    documents.put(key, encoded);
    return encoded;
  }

  /**
   * Up to {@code limit} existing documents of {@code collection} whose id starts with
   * {@code idPrefix} and sorts after {@code after} (null: from the first), in id order.
   */
  List<Map.Entry<String, Document>> scan(String collection, String idPrefix, String after, int limit) {
    String prefix = Keys.document(collection, idPrefix);
    String from = after == null || after.compareTo(idPrefix) < 0 ? prefix : Keys.document(collection, after);
    List<Map.Entry<String, Document>> out = new ArrayList<>();
    Cursor<String, byte[]> cursor = documents.cursor(from);
    while (out.size() < limit && cursor.hasNext()) {
      String key = cursor.next();
      if (!key.startsWith(prefix)) {
        break;
      }
      String id = Keys.idOf(key);
      if (after != null && id.equals(after)) {
        continue;
      }
      Document d = decode(cursor.getValue(), key);
      if (d.exists()) {
        out.add(Map.entry(id, d));
      }
    }
    return out;
  }

  Optional<Document> get(String key) {
    byte[] raw = documents.get(key);
    if (raw == null) {
      return Optional.empty();
    }
    Document d = decode(raw, key);
    return d.exists() ? Optional.of(d) : Optional.empty();
  }

  /** A cursor over the stored keys and bytes from {@code from}. */
  Cursor<String, byte[]> cursor(String from) {
    return documents.cursor(from);
  }

  Iterable<String> keys() {
    return new ArrayList<>(documents.keySet());
  }

  long size() {
    return documents.sizeAsLong();
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
