package dev.lattice.crdt.codec;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The size target of issue 2: a 10-field document of LWW fields holding ~100-byte strings costs at
 * most 15 bytes per field beyond the field names and the string bytes. A size assertion only.
 *
 * <p>The canonical example: replica A inserts the document (one mutation writing all ten fields),
 * then replica B edits five of the fields over the following hour, one mutation each; sequence
 * numbers are those of a replica that has written elsewhere too. Measured as the replica stores it
 * (compacted against a version vector covering every dot) and, for the record, as the plain
 * merged state whose contexts still list the overwritten dots.
 */
class CrdtCodecSizeTest {
  static final ReplicaId A = new ReplicaId(0x9d2c5680a3f4e1b7L);
  static final ReplicaId B = new ReplicaId(0x1f3a7c21e4b90d55L);
  static final long T0 = HlcTimestamp.pack(1_760_000_000_000L, 0);

  /** {stored, merged} for the canonical example. */
  static Document[] example() {
    SplittableRandom rnd = new SplittableRandom(42);
    List<FieldKey> keys = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      keys.add(new FieldKey("field" + i, FieldKind.LWW));
    }
    Dot insert = new Dot(A, 1_234);
    Document doc = Document.EMPTY;
    Document delta = Document.EMPTY;
    for (int i = 0; i < 10; i++) {
      delta = delta.with(keys.get(i), LwwRegister.EMPTY.assign(text(rnd), T0 + i, insert));
    }
    doc = doc.merge(delta);
    List<Dot> all = new ArrayList<>(List.of(insert));
    long seqB = 870;
    for (int i = 0; i < 10; i += 2) {
      Dot edit = new Dot(B, seqB += 1 + rnd.nextInt(30));
      long hlc = HlcTimestamp.pack(HlcTimestamp.millis(T0) + rnd.nextLong(3_600_000L), 0);
      LwwRegister current = doc.fields().lww(keys.get(i).name());
      doc = doc.merge(Document.of(keys.get(i), current.assign(text(rnd), hlc, edit)));
      all.add(edit);
    }
    return new Document[] {doc.compact(VersionVector.ofDots(all)), doc};
  }

  private static Value text(SplittableRandom rnd) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      sb.append((char) rnd.nextInt('a', 'z' + 1));
    }
    return Value.of(sb.toString());
  }

  static int overhead(Document doc) {
    int payload = 0;
    for (var e : doc.fields().entries()) {
      payload += e.getKey().name().getBytes(StandardCharsets.UTF_8).length;
      for (LwwRegister.Stamped s : ((LwwRegister) e.getValue()).entries().values()) {
        payload += ((Value.Str) s.value()).value().getBytes(StandardCharsets.UTF_8).length;
      }
    }
    return CrdtCodec.encode(doc).length - payload;
  }

  @Test
  void tenFieldDocumentOfLwwStringsCostsAtMost15BytesPerField() {
    Document[] ex = example();
    int stored = overhead(ex[0]);
    int merged = overhead(ex[1]);
    System.out.printf("codec overhead, 10-field LWW document: stored %d bytes (%.1f/field, %d total bytes),"
        + " merged with contexts %d bytes (%.1f/field)%n", stored, stored / 10.0, CrdtCodec.encode(ex[0]).length,
        merged, merged / 10.0);
    assertThat(stored).as("overhead of the stored document").isLessThanOrEqualTo(150);
    assertThat(merged).as("overhead of the merged document").isLessThanOrEqualTo(150);
  }
}
