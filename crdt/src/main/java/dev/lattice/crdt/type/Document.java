package dev.lattice.crdt.type;

import dev.lattice.crdt.causal.CausalContext;
import dev.lattice.crdt.causal.Dot;
import java.util.Objects;

/**
 * A document: the map of named fields that every collection stores, one CRDT per field.
 *
 * <h2>Deletion rule: update wins, and only the update survives</h2>
 *
 * A delete (of the document, or of one field) removes exactly the state the deleter had observed.
 * An update concurrent with the delete is not observed by it, so it survives, and the document or
 * field reappears holding only what those concurrent updates wrote:
 *
 * <ul>
 *   <li>{@code lww}, {@code mvreg}, {@code custom}: the concurrent assignments.
 *   <li>{@code set}: the elements added concurrently.
 *   <li>{@code flag}: enabled if it was enabled concurrently.
 *   <li>{@code map}: recursively, the entries updated concurrently.
 *   <li>{@code counter}: each replica's contribution is one cumulative entry, so a replica that
 *       incremented concurrently brings back its whole contribution, earlier increments included.
 * </ul>
 *
 * A document exists while at least one field is present; deleting every field deletes it. The
 * removed entries keep their contexts until the replica collects them once causally stable.
 */
public record Document(OrMap fields) implements Crdt<Document> {
  public static final Document EMPTY = new Document(OrMap.EMPTY);

  public Document {
    Objects.requireNonNull(fields, "fields");
  }

  /** A delta that writes one field; chain {@link #with} for more. */
  public static Document of(FieldKey key, Field delta) {
    return new Document(OrMap.of(key, delta));
  }

  public Document with(FieldKey key, Field delta) {
    return new Document(fields.with(key, delta));
  }

  public boolean exists() {
    return fields.isPresent();
  }

  /** The delta that removes one field as observed here. */
  public Document remove(FieldKey key, Dot dot) {
    return new Document(fields.remove(key, dot));
  }

  /** The delta that deletes the document as observed here. */
  public Document deletion(Dot dot) {
    return new Document(fields.removal(dot));
  }

  @Override
  public Document merge(Document other) {
    return new Document(fields.merge(other.fields));
  }

  /**
   * The join of two stored documents, each beside the version vector of its replica, which
   * widens every field's stored context (see {@link CausalContext}). Pass
   * {@link CausalContext#NONE} for a delta.
   */
  public Document join(Document other, CausalContext ambientMine, CausalContext ambientTheirs) {
    return new Document(fields.join(other.fields, ambientMine, ambientTheirs));
  }

  /**
   * This document as a replica stores it beside {@code vector}: contexts keep only the dots the
   * vector does not cover, and a removed field whose removal the vector covers is dropped.
   */
  public Document compact(CausalContext vector) {
    return new Document(fields.compact(vector));
  }

  /**
   * What a reader sees: the document with every context dropped. Replicas that hold the same
   * values hold equal visible documents, whatever each has observed; Merkle digests are taken
   * over this form.
   */
  public Document visible() {
    return compact(CausalContext.ALL);
  }


}
