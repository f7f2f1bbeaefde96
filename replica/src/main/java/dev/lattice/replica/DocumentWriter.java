package dev.lattice.replica;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.merge.MergeHandler;
import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.type.Field;
import dev.lattice.crdt.type.FieldKey;
import dev.lattice.crdt.type.FieldKind;
import dev.lattice.crdt.value.Value;
import java.util.HashSet;
import java.util.Set;

/**
 * Builds one mutation of one document: every call adds to a single delta that commits under one
 * dot. Handed to the function given to {@link Collection#update}.
 *
 * <p>Each field may be written once per mutation (a dot must name one write of a field), and
 * {@link #delete} excludes every other write; breaking either rule throws
 * {@link ReplicaException} with reason {@code INVALID_MUTATION} and nothing is stored.
 */
public final class DocumentWriter {
  private final Document current;
  private final Dot dot;
  private final long hlc;
  private final Set<FieldKey> written = new HashSet<>();
  private Document delta = Document.EMPTY;
  private boolean deleted;

  DocumentWriter(Document current, Dot dot, long hlc) {
    this.current = current;
    this.dot = dot;
    this.hlc = hlc;
  }

  /** The document as stored before this mutation. */
  public Document current() {
    return current;
  }

  public Dot dot() {
    return dot;
  }

  public long hlc() {
    return hlc;
  }

  /** Sets a last-writer-wins field, the default kind. */
  public DocumentWriter set(String field, Value value) {
    FieldKey key = key(field, FieldKind.LWW);
    return put(key, current.fields().lww(field).assign(value, hlc, dot));
  }

  public DocumentWriter set(String field, String value) {
    return set(field, Value.of(value));
  }

  public DocumentWriter set(String field, long value) {
    return set(field, Value.of(value));
  }

  public DocumentWriter set(String field, boolean value) {
    return set(field, Value.of(value));
  }

  public DocumentWriter set(String field, double value) {
    return set(field, Value.of(value));
  }

  /** Assigns a multi-value register, replacing the values this replica has seen. */
  public DocumentWriter assign(String field, Value value) {
    return put(key(field, FieldKind.MVREG), current.fields().mvreg(field).assign(value, dot));
  }

  /** Writes a {@code custom} field: the handler's join of what is there and {@code value}. */
  public DocumentWriter merge(String field, MergeHandler handler, Value value) {
    return put(key(field, FieldKind.MVREG), current.fields().mvreg(field).assignResolved(handler, value, dot));
  }

  /** Adds {@code amount} (negative to subtract) to a counter field. */
  public DocumentWriter increment(String field, long amount) {
    return put(key(field, FieldKind.COUNTER), current.fields().counter(field).increment(amount, dot));
  }

  public DocumentWriter add(String field, Value element) {
    return put(key(field, FieldKind.SET), current.fields().set(field).add(element, dot));
  }

  public DocumentWriter remove(String field, Value element) {
    return put(key(field, FieldKind.SET), current.fields().set(field).remove(element, dot));
  }

  public DocumentWriter enable(String field) {
    return put(key(field, FieldKind.FLAG), current.fields().flag(field).enable(dot));
  }

  public DocumentWriter disable(String field) {
    return put(key(field, FieldKind.FLAG), current.fields().flag(field).disable(dot));
  }

  /** Removes a field of every kind stored under {@code field}. */
  public DocumentWriter removeField(String field) {
    for (FieldKey key : current.fields().keys()) {
      if (key.name().equals(field)) {
        put(key, current.fields().get(key).removal(dot));
      }
    }
    return this;
  }

  /** Writes a field delta built by the caller, e.g. for nested maps. */
  public DocumentWriter apply(FieldKey key, Field fieldDelta) {
    return put(key, fieldDelta);
  }

  /** Deletes the document as this replica sees it; updates made concurrently elsewhere survive. */
  public DocumentWriter delete() {
    if (!written.isEmpty()) {
      throw invalid("delete() cannot be combined with field writes in one mutation");
    }
    deleted = true;
    delta = current.deletion(dot);
    return this;
  }

  Document delta() {
    return delta;
  }

  private FieldKey key(String field, FieldKind kind) {
    if (field == null || field.isEmpty() || field.length() > 256) {
      throw invalid("field name must be 1 to 256 characters: '" + field + "'");
    }
    return new FieldKey(field, kind);
  }

  private DocumentWriter put(FieldKey key, Field fieldDelta) {
    if (deleted) {
      throw invalid("field " + key + " written after delete() in one mutation");
    }
    if (!written.add(key)) {
      throw invalid("field " + key + " written twice in one mutation; one dot names one write");
    }
    delta = delta.with(key, fieldDelta);
    return this;
  }

  private static ReplicaException invalid(String message) {
    return new ReplicaException(ReplicaException.Reason.INVALID_MUTATION, message);
  }
}
