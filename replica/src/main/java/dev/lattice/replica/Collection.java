package dev.lattice.replica;

import dev.lattice.crdt.type.Document;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A collection of documents in a namespace: where reads and writes happen.
 *
 * <pre>{@code
 * Collection tasks = replica.namespace("team").collection("tasks");
 * tasks.update("t1", doc -> doc.set("title", "Buy milk"));
 * }</pre>
 */
public final class Collection {
  private final Namespace namespace;
  private final String name;

  Collection(Namespace namespace, String name) {
    this.namespace = namespace;
    this.name = name;
  }

  public String name() {
    return name;
  }

  /**
   * The document, if it exists (has a field).
   *
   * @throws ReplicaException INVALID_NAME for a bad id, CORRUPT if the stored bytes do not decode
   */
  public Optional<Document> get(String id) {
    return namespace.get(name, id);
  }

  /** Up to {@code limit} existing documents whose id starts with {@code idPrefix}, in id order. */
  public List<Map.Entry<String, Document>> scan(String idPrefix, int limit) {
    return namespace.scan(name, idPrefix, null, limit);
  }

  /**
   * The next page of a scan: up to {@code limit} existing documents whose id starts with
   * {@code idPrefix} and sorts after {@code after} (the last id of the previous page; null for
   * the first page), in id order.
   */
  public List<Map.Entry<String, Document>> scan(String idPrefix, String after, int limit) {
    return namespace.scan(name, idPrefix, after, limit);
  }

  /**
   * Mutates one document: {@code mutation} writes fields through the {@link DocumentWriter}, and
   * the whole mutation commits under one dot, atomically with its delta-log entry, the vector
   * advance and (on a client) its outbound-queue entry. Returns per the replica's durability.
   *
   * @throws ReplicaException INVALID_NAME, INVALID_MUTATION (nothing is stored), CLOSED, or
   *     STORAGE if the commit failed
   */
  public WriteReceipt update(String id, Consumer<DocumentWriter> mutation) {
    return namespace.update(name, id, mutation);
  }

  /** Deletes the document as this replica sees it; see {@link Document} for concurrent updates. */
  public WriteReceipt delete(String id) {
    return namespace.update(name, id, DocumentWriter::delete);
  }

  /** Listens to every document of the collection. */
  public Subscription listen(ChangeListener listener) {
    return namespace.listen(name, null, listener);
  }

  /** Listens to one document. */
  public Subscription listen(String id, ChangeListener listener) {
    return namespace.listen(name, Names.checkDocumentId(id), listener);
  }
}
