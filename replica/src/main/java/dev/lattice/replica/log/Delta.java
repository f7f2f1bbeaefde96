package dev.lattice.replica.log;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.type.Document;
import java.util.Objects;

/**
 * One mutation as it travels and is logged: its dot, its HLC timestamp, the document it changed,
 * and the change itself as a document delta.
 */
public record Delta(Dot dot, long hlc, String collection, String documentId, Document change) {
  public Delta {
    Objects.requireNonNull(dot, "dot");
    Objects.requireNonNull(collection, "collection");
    Objects.requireNonNull(documentId, "documentId");
    Objects.requireNonNull(change, "change");
  }
}
