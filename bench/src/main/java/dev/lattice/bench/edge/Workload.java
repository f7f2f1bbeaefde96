package dev.lattice.bench.edge;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.type.FieldKey;
import dev.lattice.crdt.type.FieldKind;
import dev.lattice.crdt.type.LwwRegister;
import dev.lattice.crdt.value.Value;
import dev.lattice.replica.log.Delta;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The data every section writes: documents {@code docs/doc-NNNNNN} with one LWW field
 * {@value #FIELD} holding a JSON-ish string of about {@value #VALUE_BYTES} bytes, and one-field LWW
 * deltas built by hand exactly as {@code DocumentWriter.set} builds them (the register's context
 * holds the dots the writer had seen of that field, plus the new dot). {@link LiveSection} checks
 * once per run that a hand-built delta encodes to the same bytes as a real replica's.
 */
final class Workload {
  static final String COLLECTION = "docs";
  static final String FIELD = "data";
  static final int VALUE_BYTES = 100;
  static final FieldKey KEY = new FieldKey(FIELD, FieldKind.LWW);

  private static final String[] WORDS = {"alpha", "beta", "gamma", "delta", "review", "draft", "ship", "fix", "plan",
      "design", "sync", "edge", "client", "merge", "test", "docs", "release", "bug", "feature", "meeting"};
  private static final String[] STATUS = {"open", "done", "blocked", "in-progress"};

  private Workload() {}

  static String docId(int i) {
    return String.format("doc-%06d", i);
  }

  /** A replica id for bench writer {@code index} of group {@code group}: distinct, never 0. */
  static ReplicaId writerId(int group, int index) {
    return new ReplicaId(0x5EED_0000_0000_0000L | ((long) group << 24) | index);
  }

  /** The writer index encoded by {@link #writerId}. */
  static int writerIndex(long replica) {
    return (int) (replica & 0xFF_FFFF);
  }

  /**
   * A JSON object as text, {@code bytes} long in UTF-8 (ASCII only), drawn from {@code random}:
   * the kind of value an application stores, so it compresses like one.
   */
  static String jsonValue(SplittableRandom random, int bytes) {
    StringBuilder tail = new StringBuilder();
    tail.append("\",\"status\":\"").append(STATUS[random.nextInt(STATUS.length)])
        .append("\",\"owner\":\"user-").append(String.format("%04d", random.nextInt(10_000)))
        .append("\",\"priority\":").append(random.nextInt(5))
        .append(",\"rev\":").append(random.nextInt(1000)).append('}');
    StringBuilder title = new StringBuilder();
    int room = bytes - "{\"title\":\"".length() - tail.length();
    while (title.length() < room) {
      if (title.length() > 0) {
        title.append(' ');
      }
      title.append(WORDS[random.nextInt(WORDS.length)]);
    }
    title.setLength(Math.max(0, room));
    String s = "{\"title\":\"" + title + tail;
    if (s.getBytes(StandardCharsets.UTF_8).length != bytes && bytes >= 80) {
      throw new AssertionError("value of " + s.length() + " bytes, wanted " + bytes);
    }
    return s;
  }

  /**
   * The delta of {@code doc.set(FIELD, value)} by {@code dot} on a document whose field register
   * is {@code current} ({@link LwwRegister#EMPTY} for a new document).
   */
  static Delta set(Dot dot, long hlc, String collection, String id, LwwRegister current, String value) {
    LwwRegister reg = current.assign(Value.of(value), hlc, dot);
    return new Delta(dot, hlc, collection, id, Document.of(KEY, reg));
  }

  /** The register a writer holds after its own delta {@code d}: what its next write overwrites. */
  static LwwRegister registerOf(Delta d) {
    return d.change().fields().lww(FIELD);
  }

  /** Bytes of what any encoding must carry for one such write: collection, id, field name, value. */
  static int payloadBytes(Delta d) {
    Value v = d.change().fields().lww(FIELD).value().orElseThrow();
    String s = ((Value.Str) v).value();
    return utf8(d.collection()) + utf8(d.documentId()) + utf8(FIELD) + utf8(s);
  }

  static int utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
