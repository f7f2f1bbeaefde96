package dev.lattice.replica.crash;

import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.value.Value;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The parent's exact expectation of one document: an LWW field, a PN counter and an OR-set, as a
 * sequential replay of the writes the child acknowledged. Exact because each document has one
 * writer and a replica alone never sees concurrent writes: a delete removes everything, and a
 * counter incremented after a delete starts again from zero.
 */
final class DocModel {
  private Long lww;
  private boolean counterPresent;
  private long counter;
  private final TreeSet<String> tags = new TreeSet<>();

  DocModel copy() {
    DocModel c = new DocModel();
    c.lww = lww;
    c.counterPresent = counterPresent;
    c.counter = counter;
    c.tags.addAll(tags);
    return c;
  }

  void apply(WriteOp op) {
    switch (op.kind()) {
      case SET -> lww = op.value();
      case INCREMENT -> increment(op.amount());
      case SET_AND_INCREMENT -> {
        lww = op.value();
        increment(op.amount());
      }
      case ADD -> tags.add(op.tag());
      case REMOVE -> tags.remove(op.tag());
      case DELETE -> {
        lww = null;
        counterPresent = false;
        counter = 0;
        tags.clear();
      }
      default -> throw new IllegalStateException("unknown kind " + op.kind());
    }
  }

  private void increment(long amount) {
    counterPresent = true;
    counter += amount;
  }

  boolean exists() {
    return lww != null || counterPresent || !tags.isEmpty();
  }

  /** Null if {@code stored} is what this model expects, else what differs. */
  String mismatch(Optional<Document> stored) {
    if (stored.isEmpty()) {
      return exists() ? "expected " + this + " but the document is absent" : null;
    }
    Document d = stored.get();
    if (!exists()) {
      return "expected no document but found " + describe(d);
    }
    Optional<Value> v = d.fields().lww(WriteOp.LWW).value();
    boolean same = v.equals(Optional.ofNullable(lww).map(Value::of))
        && d.fields().counter(WriteOp.COUNTER).isPresent() == counterPresent
        && d.fields().counter(WriteOp.COUNTER).value() == counter
        && d.fields().set(WriteOp.SET).values().equals(tags.stream().map(Value::of).toList());
    return same ? null : "expected " + this + " but found " + describe(d);
  }

  static String describe(Document d) {
    List<Value> t = d.fields().set(WriteOp.SET).values();
    return "{v=" + d.fields().lww(WriteOp.LWW).value().map(Value::toString).orElse("absent")
        + ", n=" + (d.fields().counter(WriteOp.COUNTER).isPresent() ? d.fields().counter(WriteOp.COUNTER).value() : "absent")
        + ", tags=" + t + "}";
  }

  @Override
  public String toString() {
    return "{v=" + (lww == null ? "absent" : lww) + ", n=" + (counterPresent ? counter : "absent") + ", tags=" + tags + "}";
  }
}
