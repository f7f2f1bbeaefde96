package dev.lattice.crdt.codec;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.type.Crdt;
import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.type.Field;
import dev.lattice.crdt.type.FieldKey;
import dev.lattice.crdt.type.Flag;
import dev.lattice.crdt.type.GCounter;
import dev.lattice.crdt.type.LwwRegister;
import dev.lattice.crdt.type.MvRegister;
import dev.lattice.crdt.type.OrMap;
import dev.lattice.crdt.type.OrSet;
import dev.lattice.crdt.type.PnCounter;
import dev.lattice.crdt.value.Value;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * Writes one CRDT blob in two passes: the first collects the replica dictionary and the HLC base,
 * the second writes. See {@link CrdtCodec} for the layout.
 */
final class Encoder {
  private final ByteWriter out = new ByteWriter(256);
  private final TreeSet<ReplicaId> replicas = new TreeSet<>();
  private final Map<ReplicaId, Integer> index = new HashMap<>();
  private boolean anyStamp;
  private long baseHi = Long.MAX_VALUE;

  private Encoder() {}

  static byte[] encode(Crdt<?> value) {
    BlobType type = BlobType.ofClass(value.getClass());
    if (type == null) {
      throw new IllegalArgumentException("no canonical encoding for " + value.getClass().getName());
    }
    Encoder e = new Encoder();
    e.scan(value);
    e.out.writeByte(type.tag);
    e.out.writeByte(CrdtCodec.FORMAT_VERSION);
    e.out.writeVarint(e.replicas.size());
    for (ReplicaId r : e.replicas) {
      e.index.put(r, e.index.size());
      e.out.writeFixed64(r.value());
    }
    if (type.stamped) {
      e.out.writeVarint(e.anyStamp ? e.baseHi + 1 : 0);
    }
    if (value instanceof Document d) {
      e.writeMap(d.fields(), 1);
    } else {
      e.writeField((Field) value, 1);
    }
    return e.out.toByteArray();
  }

  // ---- pass 1: the dictionary, the HLC base, and the checks that make encode fail early

  private void scan(Crdt<?> value) {
    if (value instanceof Document d) {
      scanMap(d.fields(), 1);
    } else {
      scanField((Field) value, 1);
    }
  }

  private void scanField(Field f, int depth) {
    if (f instanceof OrMap m) {
      scanMap(m, depth);
      return;
    }
    NavigableSet<Dot> store;
    if (f instanceof LwwRegister l) {
      store = l.entries().navigableKeySet();
      for (LwwRegister.Stamped s : l.entries().values()) {
        anyStamp = true;
        baseHi = Math.min(baseHi, s.hlc() >>> 16);
      }
    } else {
      store = storeOf(f);
    }
    Residual.form(contextOf(f), store).entries().forEach(e -> replicas.add(e.replica()));
    store.forEach(d -> replicas.add(d.replica()));
  }

  private void scanMap(OrMap m, int depth) {
    if (depth > CrdtCodec.MAX_DEPTH) {
      throw new IllegalArgumentException("maps nested deeper than " + CrdtCodec.MAX_DEPTH);
    }
    for (Map.Entry<FieldKey, Field> e : m.entries()) {
      scanField(e.getValue(), depth + 1);
    }
  }

  // ---- pass 2

  private void writeField(Field f, int depth) {
    if (f instanceof OrMap m) {
      writeMap(m, depth);
    } else if (f instanceof LwwRegister l) {
      Residual.Form x = Residual.form(l.context(), l.entries().navigableKeySet());
      writeStoreHeader(l.entries().size(), x);
      DotRun run = new DotRun();
      for (Map.Entry<Dot, LwwRegister.Stamped> e : l.entries().entrySet()) {
        writeDot(run, e.getKey());
        writeStamp(e.getValue().hlc());
        ValueCodec.write(e.getValue().value(), out, 1);
      }
      writeResidual(x);
    } else if (f instanceof MvRegister mv) {
      Residual.Form x = Residual.form(mv.context(), mv.entries().navigableKeySet());
      writeStoreHeader(mv.entries().size(), x);
      DotRun run = new DotRun();
      for (Map.Entry<Dot, Value> e : mv.entries().entrySet()) {
        writeDot(run, e.getKey());
        ValueCodec.write(e.getValue(), out, 1);
      }
      writeResidual(x);
    } else if (f instanceof GCounter g) {
      Residual.Form x = Residual.form(g.context(), g.entries().navigableKeySet());
      writeStoreHeader(g.entries().size(), x);
      DotRun run = new DotRun();
      for (Map.Entry<Dot, Long> e : g.entries().entrySet()) {
        writeDot(run, e.getKey());
        out.writeVarint(e.getValue());
      }
      writeResidual(x);
    } else if (f instanceof PnCounter p) {
      Residual.Form x = Residual.form(p.context(), p.entries().navigableKeySet());
      writeStoreHeader(p.entries().size(), x);
      DotRun run = new DotRun();
      for (Map.Entry<Dot, PnCounter.Contribution> e : p.entries().entrySet()) {
        writeDot(run, e.getKey());
        out.writeVarint(e.getValue().up());
        out.writeVarint(e.getValue().down());
      }
      writeResidual(x);
    } else if (f instanceof OrSet s) {
      Residual.Form x = Residual.form(s.context(), storeOf(s));
      writeStoreHeader(s.elements().size(), x);
      for (Map.Entry<Value, NavigableSet<Dot>> e : s.elements().entrySet()) {
        ValueCodec.write(e.getKey(), out, 1);
        out.writeVarint(e.getValue().size() - 1L);
        DotRun run = new DotRun();
        for (Dot d : e.getValue()) {
          writeDot(run, d);
        }
      }
      writeResidual(x);
    } else if (f instanceof Flag fl) {
      Residual.Form x = Residual.form(fl.context(), fl.dots());
      writeStoreHeader(fl.dots().size(), x);
      DotRun run = new DotRun();
      for (Dot d : fl.dots()) {
        writeDot(run, d);
      }
      writeResidual(x);
    } else {
      throw new IllegalArgumentException("no canonical encoding for field kind " + f.kind());
    }
  }

  private void writeMap(OrMap m, int depth) {
    out.writeVarint(m.entryCount());
    for (Map.Entry<FieldKey, Field> e : m.entries()) {
      byte[] name = ValueCodec.utf8(e.getKey().name(), "field name");
      if (e.getKey().kind().tag < 1 || e.getKey().kind().tag > 7) {
        // Version 1 packs the kind into three bits of the key header; a new kind needs a new version.
        throw new IllegalArgumentException("field kind " + e.getKey().kind() + " has no version-1 encoding");
      }
      out.writeVarint(((long) name.length << 3) | e.getKey().kind().tag);
      out.writeBytes(name);
      writeField(e.getValue(), depth + 1);
    }
  }

  private void writeStoreHeader(int size, Residual.Form form) {
    out.writeVarint(((long) size << 2) | form.mode());
  }

  /** Dots of one sorted run: replica index as a delta, sequence as a delta within a replica. */
  private static final class DotRun {
    int idx = -1;
    long seq;
  }

  private void writeDot(DotRun run, Dot d) {
    int idx = index.get(d.replica());
    if (run.idx >= 0 && idx == run.idx) {
      out.writeVarint(0);
      out.writeVarint(d.seq() - run.seq - 1);
    } else {
      out.writeVarint(run.idx < 0 ? idx : idx - run.idx);
      out.writeVarint(d.seq() - 1);
    }
    run.idx = idx;
    run.seq = d.seq();
  }

  private void writeStamp(long hlc) {
    long hi = hlc >>> 16;
    int lo = (int) (hlc & 0xFFFF);
    out.writeVarint(((hi - baseHi) << 1) | (lo != 0 ? 1 : 0));
    if (lo != 0) {
      out.writeVarint(lo - 1);
    }
  }

  /** The context entries after the store, for the RESIDUAL and FULL forms. */
  private void writeResidual(Residual.Form form) {
    List<Residual.Entry> x = form.entries();
    if (x.isEmpty()) {
      return;
    }
    out.writeVarint(x.size() - 1L);
    int prev = -1;
    for (Residual.Entry e : x) {
      int idx = index.get(e.replica());
      out.writeVarint(idx - prev - 1L);
      prev = idx;
      writeEntryBody(out, e.contiguous(), e.extras());
    }
  }

  /** One replica's entry after its reference: shared by contexts and standalone vectors. */
  static void writeEntryBody(ByteWriter out, long contiguous, long[] extras) {
    out.writeVarint(((long) extras.length << 1) | (contiguous > 0 ? 1 : 0));
    if (contiguous > 0) {
      out.writeVarint(contiguous - 1);
    }
    long prev = contiguous + 1;
    for (long s : extras) {
      out.writeVarint(s - prev - 1);
      prev = s;
    }
  }

  static NavigableSet<Dot> storeOf(Field f) {
    if (f instanceof MvRegister mv) {
      return mv.entries().navigableKeySet();
    } else if (f instanceof GCounter g) {
      return g.entries().navigableKeySet();
    } else if (f instanceof PnCounter p) {
      return p.entries().navigableKeySet();
    } else if (f instanceof Flag fl) {
      return fl.dots();
    } else if (f instanceof OrSet s) {
      TreeSet<Dot> all = new TreeSet<>();
      s.elements().values().forEach(all::addAll);
      return all;
    } else if (f instanceof LwwRegister l) {
      return l.entries().navigableKeySet();
    }
    throw new IllegalArgumentException("no dot store in " + f.kind());
  }

  private static dev.lattice.crdt.causal.VersionVector contextOf(Field f) {
    if (f instanceof MvRegister mv) {
      return mv.context();
    } else if (f instanceof GCounter g) {
      return g.context();
    } else if (f instanceof PnCounter p) {
      return p.context();
    } else if (f instanceof Flag fl) {
      return fl.context();
    } else if (f instanceof OrSet s) {
      return s.context();
    } else if (f instanceof LwwRegister l) {
      return l.context();
    }
    throw new IllegalArgumentException("no context in " + f.kind());
  }
}
