package dev.lattice.bench.crdt;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.type.FieldKey;
import dev.lattice.crdt.type.LwwRegister;
import dev.lattice.crdt.value.Value;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A 10-field document of LWW fields with ~100-byte string values (the document of
 * {@link Fixtures#document}): applying a one-field update delta, making one and applying it, and
 * the full-state merge of two copies that diverged.
 *
 * <p>Update deltas come from a pool of 1,024, each writing one of the ten fields from one of
 * eight replicas, cycled. The diverged copies each updated three fields after a common state, one
 * field on both sides, so the merge keeps two concurrent values there.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DocumentBench {
  private static final int POOL = 1024;

  Document state;
  Document[] deltas;
  Document left;
  Document right;
  FieldKey[] keys;
  Value[] values;
  ReplicaId local;
  long seq;
  long hlc;
  int cursor;

  @Setup
  public void setup() {
    state = Fixtures.document(Fixtures.DocShape.FRESH, Fixtures.DOC_FIELDS);
    ReplicaId[] replicas = Fixtures.replicas(9, 6);
    SplittableRandom r = Fixtures.random(7);
    keys = new FieldKey[Fixtures.DOC_FIELDS.length];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = Fixtures.lwwKey(Fixtures.DOC_FIELDS[i]);
    }
    values = new Value[POOL];
    deltas = new Document[POOL];
    long t = Fixtures.HLC_BASE + 3_600_000 * Fixtures.HLC_MILLI;
    for (int i = 0; i < POOL; i++) {
      values[i] = Value.of(Fixtures.text(r, 100));
      FieldKey key = keys[i % keys.length];
      LwwRegister reg = (LwwRegister) state.fields().get(key);
      deltas[i] = Document.of(key, reg.assign(values[i], t + i * Fixtures.HLC_MILLI,
          new Dot(replicas[i % 8], 8_000 + i)));
    }
    Document l = state;
    Document rr = state;
    for (int i = 0; i < 3; i++) {
      FieldKey lk = keys[i];
      FieldKey rk = keys[2 + i * 3];
      l = l.merge(Document.of(lk, ((LwwRegister) l.fields().get(lk))
          .assign(values[i], t + i, new Dot(replicas[0], 50_000 + i))));
      rr = rr.merge(Document.of(rk, ((LwwRegister) rr.fields().get(rk))
          .assign(values[10 + i], t + 5 + i, new Dot(replicas[1], 60_000 + i))));
    }
    left = l;
    right = rr;
    local = replicas[8];
    seq = 70_000;
    hlc = t + 10_000 * Fixtures.HLC_MILLI;
  }

  /** A remote one-field update arrives: join its delta into the document. */
  @Benchmark
  public Document applyFieldDelta() {
    return state.merge(deltas[cursor++ & (POOL - 1)]);
  }

  /** A local one-field write: read the field, make its assignment delta, join it. */
  @Benchmark
  public Document updateFieldAndApply() {
    int i = cursor++ & (POOL - 1);
    FieldKey key = keys[i % keys.length];
    LwwRegister reg = state.fields().lww(key.name());
    return state.merge(Document.of(key, reg.assign(values[i], ++hlc, new Dot(local, ++seq))));
  }

  /** Anti-entropy: the full states of two diverged copies. */
  @Benchmark
  public Document mergeState() {
    return left.merge(right);
  }
}
