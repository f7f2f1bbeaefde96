package dev.lattice.replica.crash;

import dev.lattice.crdt.value.Value;
import dev.lattice.replica.DocumentWriter;

/**
 * One write of the crash test, as the child announces it on stdout ({@code TRY} line, printed
 * inside the mutation, so it carries the dot the replica gave it) and as the parent replays it
 * into its {@link DocModel}. Every field the test writes is owned by one writer thread, so the
 * parent can replay the acknowledged writes in dot order and know each document exactly.
 *
 * @param thread the child's writer thread; it owns the document
 * @param seq the dot's sequence number under the child's replica id
 * @param value the LWW value of {@code v} ({@link Kind#SET}, {@link Kind#SET_AND_INCREMENT})
 * @param amount the counter step of {@code n} ({@link Kind#INCREMENT}, {@link Kind#SET_AND_INCREMENT})
 * @param tag the set element of {@code tags} ({@link Kind#ADD}, {@link Kind#REMOVE}), else "-"
 */
record WriteOp(int thread, long seq, String collection, String doc, Kind kind, long value, long amount, String tag) {

  enum Kind {
    SET, INCREMENT, SET_AND_INCREMENT, ADD, REMOVE, DELETE
  }

  static final String LWW = "v";
  static final String COUNTER = "n";
  static final String SET = "tags";

  WriteOp withSeq(long newSeq) {
    return new WriteOp(thread, newSeq, collection, doc, kind, value, amount, tag);
  }

  /** The document key the parent models: {@code collection/doc}. */
  String key() {
    return collection + "/" + doc;
  }

  /** Applies this write through the replica's API (in the child). */
  void writeTo(DocumentWriter w) {
    switch (kind) {
      case SET -> w.set(LWW, value);
      case INCREMENT -> w.increment(COUNTER, amount);
      case SET_AND_INCREMENT -> w.set(LWW, value).increment(COUNTER, amount);
      case ADD -> w.add(SET, Value.of(tag));
      case REMOVE -> w.remove(SET, Value.of(tag));
      case DELETE -> w.delete();
      default -> throw new IllegalStateException("unknown kind " + kind);
    }
  }

  /** {@code TRY <thread> <seq> <collection> <doc> <kind> <value> <amount> <tag>} */
  String line() {
    return "TRY " + thread + " " + seq + " " + collection + " " + doc + " " + kind + " " + value + " " + amount + " " + tag;
  }

  /**
   * @throws IllegalArgumentException naming the line if it is not a well-formed {@code TRY} line
   */
  static WriteOp parse(String line) {
    String[] p = line.split(" ");
    if (p.length != 9 || !p[0].equals("TRY")) {
      throw new IllegalArgumentException("malformed TRY line from the child: '" + line + "'");
    }
    try {
      return new WriteOp(Integer.parseInt(p[1]), Long.parseLong(p[2]), p[3], p[4], Kind.valueOf(p[5]),
          Long.parseLong(p[6]), Long.parseLong(p[7]), p[8]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("malformed TRY line from the child: '" + line + "'", e);
    }
  }
}
