package dev.lattice.bench.crdt;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.clock.HlcTimestamp;
import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.type.FieldKey;
import dev.lattice.crdt.type.FieldKind;
import dev.lattice.crdt.type.LwwRegister;
import dev.lattice.crdt.value.Value;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Deterministic, realistic inputs for the CRDT benchmarks: replica ids are random 64-bit numbers,
 * sequence numbers are in the thousands, and HLC timestamps sit around a fixed recent instant, so
 * that two runs measure exactly the same data and nothing is small enough to take a fast path that
 * production data would not (a replica id of 1, a sequence of 1, a timestamp of 0).
 *
 * <p>Everything is derived from a seed; nothing reads the clock.
 */
final class Fixtures {
  /** 2026-01-01T00:00:00Z, as a packed HLC timestamp with logical counter 0. */
  static final long HLC_BASE = HlcTimestamp.pack(1_767_225_600_000L, 0);

  /** One millisecond in packed HLC units. */
  static final long HLC_MILLI = 1L << 16;

  static final long SEED = 0x1A77_1CE5_EEDL;

  private static final String ALPHABET =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-";

  /** Field names of the 10-field document: the lengths real schemas use, 2 to 11 characters. */
  static final String[] DOC_FIELDS = {
    "title", "body", "author", "status", "priority", "assignee", "due", "tags", "summary", "updatedBy",
  };

  /** An eleventh field, to measure the marginal encoded size of one more field. */
  static final String EXTRA_FIELD = "reviewer";

  private Fixtures() {}

  static SplittableRandom random(long salt) {
    return new SplittableRandom(SEED ^ (salt * 0x9E37_79B9_7F4A_7C15L));
  }

  /** {@code count} distinct non-zero random replica ids. */
  static ReplicaId[] replicas(int count, long salt) {
    SplittableRandom r = random(salt);
    ReplicaId[] out = new ReplicaId[count];
    for (int i = 0; i < count; i++) {
      long v;
      do {
        v = r.nextLong();
      } while (v == 0);
      out[i] = new ReplicaId(v);
    }
    return out;
  }

  /** A random printable ASCII string of {@code length} characters (so as many UTF-8 bytes). */
  static String text(SplittableRandom r, int length) {
    char[] c = new char[length];
    for (int i = 0; i < length; i++) {
      c[i] = ALPHABET.charAt(r.nextInt(ALPHABET.length()));
    }
    return new String(c);
  }

  static FieldKey lwwKey(String name) {
    return new FieldKey(name, FieldKind.LWW);
  }

  static int utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  /** The shapes of the 10-field document. */
  enum DocShape {
    /** Each field assigned once, by one of three replicas. */
    FRESH,
    /**
     * Each field assigned once and then overwritten by another replica that had seen the first
     * write: the register holds one value and its context the two dots.
     */
    REWRITTEN,
    /**
     * {@link #REWRITTEN} as a replica stores it: compacted against a version vector that covers
     * every dot written, so the contexts' overwritten dots are gone (see {@code Document.compact}).
     */
    STORED
  }

  /** The document under test: {@code fields} LWW fields with ~100-byte string values. */
  static Document document(DocShape shape, String... fields) {
    ReplicaId[] writers = replicas(3, 17);
    SplittableRandom r = random(23);
    Document doc = Document.EMPTY;
    long seq = 4_000;
    long hlc = HLC_BASE;
    for (int i = 0; i < fields.length; i++) {
      FieldKey key = lwwKey(fields[i]);
      LwwRegister current = (LwwRegister) doc.fields().get(key);
      hlc += 37 * HLC_MILLI + i;
      LwwRegister first = current.assign(Value.of(text(r, 100)), hlc, new Dot(writers[i % 3], seq + i * 7L));
      doc = doc.merge(Document.of(key, first));
      if (shape != DocShape.FRESH) {
        LwwRegister seen = (LwwRegister) doc.fields().get(key);
        hlc += 1_000 * HLC_MILLI;
        LwwRegister second = seen.assign(Value.of(text(r, 100)), hlc,
            new Dot(writers[(i + 1) % 3], seq + 500 + i * 11L));
        doc = doc.merge(Document.of(key, second));
      }
    }
    if (shape == DocShape.STORED) {
      VersionVector vector = VersionVector.EMPTY;
      for (var e : doc.fields().entries()) {
        vector = vector.merge(((LwwRegister) e.getValue()).context());
      }
      doc = doc.compact(vector);
    }
    return doc;
  }

  /** The bytes of field names and string values that any encoding must carry. */
  static int payloadBytes(Document doc) {
    int n = 0;
    for (var e : doc.fields().entries()) {
      n += utf8Length(e.getKey().name());
      LwwRegister reg = (LwwRegister) e.getValue();
      for (LwwRegister.Stamped s : reg.entries().values()) {
        n += utf8Length(((Value.Str) s.value()).value());
      }
    }
    return n;
  }
}
