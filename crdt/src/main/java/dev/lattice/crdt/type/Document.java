package dev.lattice.crdt.type;

import dev.lattice.crdt.causal.CausalContext;
import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.value.Value;
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

  // ---- typed reads of the common field kinds ----

  /**
   * The winning value of the last-writer-wins field {@code field}, if it is set.
   */
  public java.util.Optional<Value> value(String field) {
    return fields.lww(field).value();
  }

  /**
   * The last-writer-wins field {@code field} as a string, if it is set.
   *
   * @throws IllegalStateException if it holds a value of another type, naming both
   */
  public java.util.Optional<String> string(String field) {
    return value(field).map(v -> typed(field, v, Value.Str.class).value());
  }

  /**
   * The last-writer-wins field {@code field} as an integer, if it is set.
   *
   * @throws IllegalStateException if it holds a value of another type, naming both
   */
  public java.util.OptionalLong integer(String field) {
    java.util.Optional<Value> v = value(field);
    return v.isEmpty() ? java.util.OptionalLong.empty()
        : java.util.OptionalLong.of(typed(field, v.get(), Value.Int.class).value());
  }

  /**
   * The last-writer-wins field {@code field} as a boolean, if it is set.
   *
   * @throws IllegalStateException if it holds a value of another type, naming both
   */
  public java.util.Optional<Boolean> bool(String field) {
    return value(field).map(v -> typed(field, v, Value.Bool.class).value());
  }

  /** The value of the counter field {@code field} (0 if it was never incremented). */
  public long counter(String field) {
    return fields.counter(field).value();
  }

  /** The elements of the set field {@code field}, in order (empty if none). */
  public java.util.List<Value> set(String field) {
    return fields.set(field).values();
  }

  /** Whether the flag field {@code field} is enabled. */
  public boolean flag(String field) {
    return fields.flag(field).enabled();
  }

  private static <T extends Value> T typed(String field, Value v, Class<T> type) {
    if (!type.isInstance(v)) {
      throw new IllegalStateException("field '" + field + "' holds " + v + ", not a " + type.getSimpleName());
    }
    return type.cast(v);
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
