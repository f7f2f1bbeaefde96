package dev.lattice.replica;

import dev.lattice.crdt.type.Document;
import java.util.Optional;

/**
 * What one reader may see of a stored document, in the reader's shape (an edge passes each
 * document through its schema projector for a client's version and claims).
 */
@FunctionalInterface
public interface DocumentView {
  /** The document as the reader sees it, or empty if the reader may not see it at all. */
  Optional<Document> apply(String collection, String documentId, Document stored);
}
