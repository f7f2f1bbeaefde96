package dev.lattice.crdt.codec;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.codec.CodecException.Reason;
import dev.lattice.crdt.type.Crdt;
import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.type.Field;
import dev.lattice.crdt.type.FieldKey;
import dev.lattice.crdt.type.FieldKind;
import dev.lattice.crdt.type.Flag;
import dev.lattice.crdt.type.GCounter;
import dev.lattice.crdt.type.LwwRegister;
import dev.lattice.crdt.type.MvRegister;
import dev.lattice.crdt.type.OrMap;
import dev.lattice.crdt.type.OrSet;
import dev.lattice.crdt.type.PnCounter;
import dev.lattice.crdt.value.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads one blob, strictly: every check that makes the encoding unique is made here, so that a
 * blob that decodes re-encodes to the same bytes. See {@link CrdtCodec} for the layout.
 *
 * <p>Values are built only through the types' public constructors, after the decoder has checked
 * what those constructors would otherwise reject (negative counts, sequence 0), so no unchecked
 * exception escapes.
 */
final class Decoder {
  private static final long MAX_HI = (1L << 48) - 1;

  private final ByteReader in;
  private long[] dict = new long[0];
  private boolean[] used = new boolean[0];
  private boolean hasBase;
  private long baseHi;
  private boolean sawBaseStamp;

  private Decoder(byte[] bytes) {
    in = new ByteReader(bytes);
  }

  /** Reads the tag and version; {@code expected} null accepts any CRDT blob. */
  static Object decode(byte[] bytes, BlobType expected) throws CodecException {
    Decoder d = new Decoder(bytes);
    BlobType type = d.readHeader(expected);
    Object value;
    switch (type) {
      case VECTOR:
        value = d.readVector();
        break;
      case VALUE:
        value = ValueCodec.read(d.in, 1);
        break;
      default:
        value = d.readCrdt(type);
        break;
    }
    d.in.expectEnd();
    return value;
  }

  private BlobType readHeader(BlobType expected) throws CodecException {
    int tag = in.readByte("the type tag");
    BlobType type = BlobType.ofTag(tag);
    if (type == null) {
      throw new CodecException(Reason.UNKNOWN_TAG, 0, "unknown type tag 0x" + Integer.toHexString(tag));
    }
    if (expected == null ? type.type == null : type != expected) {
      throw new CodecException(Reason.TYPE_MISMATCH, 0,
          "blob holds " + type + " but " + (expected == null ? "a CRDT" : expected.toString()) + " was asked for");
    }
    int version = in.readByte("the format version");
    if (version != CrdtCodec.FORMAT_VERSION) {
      throw new CodecException(Reason.UNSUPPORTED_VERSION, 1,
          "format version " + version + " (this decoder reads " + CrdtCodec.FORMAT_VERSION + ")");
    }
    return type;
  }

  // ---- CRDT blobs

  private Crdt<?> readCrdt(BlobType type) throws CodecException {
    readDictionary();
    if (type.stamped) {
      int at = in.position();
      long b = in.readVarint("HLC base");
      if (b != 0) {
        if (b - 1 > MAX_HI || b < 0) {
          throw new CodecException(Reason.INVALID_VALUE, at,
              "HLC base " + Long.toUnsignedString(b - 1) + " exceeds 48 bits");
        }
        hasBase = true;
        baseHi = b - 1;
      }
    }
    int bodyAt = in.position();
    Crdt<?> value;
    if (type == BlobType.DOCUMENT) {
      value = new Document(readMap(1, false));
    } else {
      value = (Crdt<?>) readField(FieldKind.ofTag(type.tag), 1, false);
    }
    if (hasBase && !sawBaseStamp) {
      throw new CodecException(Reason.NOT_CANONICAL, bodyAt,
          "HLC base " + baseHi + " is not the least stamp in the blob");
    }
    for (int i = 0; i < used.length; i++) {
      if (!used[i]) {
        throw new CodecException(Reason.NOT_CANONICAL, 2,
            "replica dictionary entry " + i + " (" + new ReplicaId(dict[i]) + ") is never used");
      }
    }
    return value;
  }

  private void readDictionary() throws CodecException {
    int n = in.readCount(8, "replica dictionary size");
    dict = new long[n];
    used = new boolean[n];
    for (int i = 0; i < n; i++) {
      int at = in.position();
      dict[i] = in.readFixed64("replica id");
      if (i > 0 && Long.compareUnsigned(dict[i - 1], dict[i]) >= 0) {
        throw new CodecException(Reason.NOT_CANONICAL, at, "replica id " + new ReplicaId(dict[i])
            + " does not follow " + new ReplicaId(dict[i - 1]) + " in ascending order");
      }
    }
  }

  /**
   * One field's body. {@code nested} fields may not be bottom: a map never stores an entry that
   * holds and has observed nothing.
   */
  private Field readField(FieldKind kind, int depth, boolean nested) throws CodecException {
    if (kind == FieldKind.MAP) {
      return readMap(depth, nested);
    }
    int at = in.position();
    long h = in.readVarint("store header");
    long n = h >>> 2;
    int contextForm = (int) (h & 3);
    if (nested && h == 0) {
      throw new CodecException(Reason.NOT_CANONICAL, at, "empty " + kind + " field stored in a map");
    }
    in.checkFits(n, 2, at, "store size");
    int size = (int) n;
    switch (kind) {
      case LWW: {
        TreeMap<Dot, LwwRegister.Stamped> entries = new TreeMap<>();
        DotRun run = new DotRun();
        for (int i = 0; i < size; i++) {
          Dot d = readDot(run);
          long hlc = readStamp();
          entries.put(d, new LwwRegister.Stamped(hlc, ValueCodec.read(in, 1)));
        }
        return new LwwRegister(entries, readContext(contextForm, entries.navigableKeySet()));
      }
      case MVREG: {
        TreeMap<Dot, Value> entries = new TreeMap<>();
        DotRun run = new DotRun();
        for (int i = 0; i < size; i++) {
          Dot d = readDot(run);
          entries.put(d, ValueCodec.read(in, 1));
        }
        return new MvRegister(entries, readContext(contextForm, entries.navigableKeySet()));
      }
      case GCOUNTER: {
        TreeMap<Dot, Long> entries = new TreeMap<>();
        DotRun run = new DotRun();
        for (int i = 0; i < size; i++) {
          Dot d = readDot(run);
          entries.put(d, in.readVarintLong("counter entry"));
        }
        return new GCounter(entries, readContext(contextForm, entries.navigableKeySet()));
      }
      case COUNTER: {
        TreeMap<Dot, PnCounter.Contribution> entries = new TreeMap<>();
        DotRun run = new DotRun();
        for (int i = 0; i < size; i++) {
          Dot d = readDot(run);
          long up = in.readVarintLong("counter increments");
          long down = in.readVarintLong("counter decrements");
          entries.put(d, new PnCounter.Contribution(up, down));
        }
        return new PnCounter(entries, readContext(contextForm, entries.navigableKeySet()));
      }
      case SET: {
        TreeMap<Value, NavigableSet<Dot>> elements = new TreeMap<>();
        TreeSet<Dot> all = new TreeSet<>();
        Value prev = null;
        for (int i = 0; i < size; i++) {
          int elementAt = in.position();
          Value v = ValueCodec.read(in, 1);
          if (prev != null && prev.compareTo(v) >= 0) {
            throw new CodecException(Reason.NOT_CANONICAL, elementAt,
                "set element " + v + " does not follow " + prev + " in ascending order");
          }
          prev = v;
          int countAt = in.position();
          long dots = in.readVarint("dot count") + 1;
          in.checkFits(dots, 2, countAt, "dot count");
          TreeSet<Dot> ds = new TreeSet<>();
          DotRun run = new DotRun();
          for (long k = 0; k < dots; k++) {
            ds.add(readDot(run));
          }
          all.addAll(ds);
          elements.put(v, ds);
        }
        return new OrSet(elements, readContext(contextForm, all));
      }
      case FLAG: {
        TreeSet<Dot> dots = new TreeSet<>();
        DotRun run = new DotRun();
        for (int i = 0; i < size; i++) {
          dots.add(readDot(run));
        }
        return new Flag(dots, readContext(contextForm, dots));
      }
      default:
        throw new IllegalStateException("unhandled field kind " + kind);
    }
  }

  private OrMap readMap(int depth, boolean nested) throws CodecException {
    int at = in.position();
    if (depth > CrdtCodec.MAX_DEPTH) {
      throw new CodecException(Reason.NESTING_TOO_DEEP, at, "maps nested deeper than " + CrdtCodec.MAX_DEPTH);
    }
    int n = in.readCount(2, "map size");
    if (nested && n == 0) {
      throw new CodecException(Reason.NOT_CANONICAL, at, "empty map field stored in a map");
    }
    OrMap map = OrMap.EMPTY;
    FieldKey prev = null;
    for (int i = 0; i < n; i++) {
      int keyAt = in.position();
      long k = in.readVarint("field key header");
      FieldKind kind = FieldKind.ofTag((int) (k & 7));
      if (kind == null) {
        throw new CodecException(Reason.UNKNOWN_TAG, keyAt, "unknown field kind " + (k & 7));
      }
      long len = k >>> 3;
      in.checkFits(len, 1, keyAt, "field name length");
      FieldKey key = new FieldKey(in.readUtf8((int) len, "field name"), kind);
      if (prev != null && prev.compareTo(key) >= 0) {
        throw new CodecException(Reason.NOT_CANONICAL, keyAt,
            "field " + key + " does not follow " + prev + " in ascending order");
      }
      prev = key;
      map = map.with(key, readField(kind, depth + 1, true));
    }
    return map;
  }

  private static final class DotRun {
    long idx = -1;
    long seq;
  }

  private Dot readDot(DotRun run) throws CodecException {
    int at = in.position();
    long delta = in.readVarint("replica index");
    long idx = run.idx < 0 ? delta : run.idx + delta;
    if (delta < 0 || idx < 0 || idx >= dict.length) {
      throw new CodecException(Reason.INVALID_VALUE, at, "replica index " + Long.toUnsignedString(idx)
          + " is outside the dictionary of " + dict.length);
    }
    int seqAt = in.position();
    long raw = in.readVarint("sequence");
    long seq;
    if (run.idx >= 0 && delta == 0) {
      seq = run.seq + 1 + raw;
      if (raw < 0 || seq <= run.seq) {
        throw new CodecException(Reason.INVALID_VALUE, seqAt, "sequence " + run.seq + " + 1 + "
            + Long.toUnsignedString(raw) + " overflows");
      }
    } else {
      seq = raw + 1;
      if (raw < 0 || seq < 1) {
        throw new CodecException(Reason.INVALID_VALUE, seqAt, "sequence " + Long.toUnsignedString(raw)
            + " + 1 exceeds " + Long.MAX_VALUE);
      }
    }
    used[(int) idx] = true;
    run.idx = idx;
    run.seq = seq;
    return new Dot(new ReplicaId(dict[(int) idx]), seq);
  }

  private long readStamp() throws CodecException {
    int at = in.position();
    if (!hasBase) {
      throw new CodecException(Reason.INVALID_VALUE, at, "LWW stamp in a blob with no HLC base");
    }
    long v = in.readVarint("HLC offset");
    long delta = v >>> 1;
    if (delta > MAX_HI - baseHi) {
      throw new CodecException(Reason.INVALID_VALUE, at,
          "HLC offset " + delta + " from base " + baseHi + " exceeds 48 bits");
    }
    long lo = 0;
    if ((v & 1) != 0) {
      int loAt = in.position();
      lo = in.readVarint("HLC logical counter") + 1;
      if (lo < 1 || lo > 0xFFFF) {
        throw new CodecException(Reason.INVALID_VALUE, loAt, "HLC logical counter " + Long.toUnsignedString(lo)
            + " exceeds 65535");
      }
    }
    if (delta == 0) {
      sawBaseStamp = true;
    }
    return ((baseHi + delta) << 16) | lo;
  }

  /** The context, in the form the store header named (see {@link Residual}). */
  private VersionVector readContext(int mode, NavigableSet<Dot> store) throws CodecException {
    int at = in.position();
    List<Residual.Entry> entries = mode >= Residual.RESIDUAL ? readEntries() : List.of();
    VersionVector context;
    if (mode == Residual.FULL) {
      List<VersionVector> parts = new ArrayList<>(entries.size());
      for (Residual.Entry e : entries) {
        parts.add(VersionVector.ofEntry(e.replica(), e.contiguous(), e.extras()));
      }
      context = Residual.mergeAll(parts);
    } else if (mode == Residual.EMPTY) {
      context = VersionVector.EMPTY;
    } else {
      context = Residual.recover(entries, store);
    }
    Residual.Form canonical = Residual.form(context, store);
    if (canonical.mode() != mode || !Residual.same(canonical.entries(), entries)) {
      throw new CodecException(Reason.NOT_CANONICAL, at, "context " + context + " beside stored dots "
          + store + " is written in form " + mode + ", not in its canonical form " + canonical.mode());
    }
    return context;
  }

  /** Context entries: count - 1, then per replica its index delta and entry body. */
  private List<Residual.Entry> readEntries() throws CodecException {
    int at = in.position();
    long n = in.readVarint("context size") + 1;
    in.checkFits(n, 2, at, "context size");
    List<Residual.Entry> entries = new ArrayList<>((int) n);
    long prev = -1;
    for (long i = 0; i < n; i++) {
      int entryAt = in.position();
      long idx = prev + 1 + in.readVarint("replica index");
      if (idx <= prev || idx >= dict.length) {
        throw new CodecException(Reason.INVALID_VALUE, entryAt, "replica index " + Long.toUnsignedString(idx)
            + " is outside the dictionary of " + dict.length);
      }
      used[(int) idx] = true;
      prev = idx;
      entries.add(readEntryBody(new ReplicaId(dict[(int) idx]), entryAt));
    }
    return entries;
  }

  private Residual.Entry readEntryBody(ReplicaId r, int entryAt) throws CodecException {
    int at = in.position();
    long h = in.readVarint("vector entry header");
    long n = h >>> 1;
    long contiguous = 0;
    if ((h & 1) != 0) {
      contiguous = in.readVarintLong("contiguous sequence") + 1;
      if (contiguous < 1) {
        throw new CodecException(Reason.INVALID_VALUE, at, "contiguous sequence exceeds " + Long.MAX_VALUE);
      }
    } else if (n == 0) {
      throw new CodecException(Reason.NOT_CANONICAL, entryAt, "empty vector entry for replica " + r);
    }
    in.checkFits(n, 1, at, "dots beyond the gap");
    if (n > 0 && contiguous == Long.MAX_VALUE) {
      throw new CodecException(Reason.INVALID_VALUE, at, "no sequence lies beyond contiguous " + contiguous);
    }
    long[] extras = new long[(int) n];
    long prev = contiguous + 1;
    for (int i = 0; i < n; i++) {
      int dotAt = in.position();
      long d = in.readVarint("gap");
      long s = prev + 1 + d;
      if (d < 0 || s <= prev) {
        throw new CodecException(Reason.INVALID_VALUE, dotAt, "sequence " + prev + " + 1 + "
            + Long.toUnsignedString(d) + " overflows");
      }
      extras[i] = s;
      prev = s;
    }
    return new Residual.Entry(r, contiguous, extras);
  }

  // ---- standalone version vectors

  private VersionVector readVector() throws CodecException {
    int n = in.readCount(9, "vector size");
    List<VersionVector> parts = new ArrayList<>(n);
    long prevId = 0;
    for (int i = 0; i < n; i++) {
      int at = in.position();
      long id = in.readFixed64("replica id");
      if (i > 0 && Long.compareUnsigned(prevId, id) >= 0) {
        throw new CodecException(Reason.NOT_CANONICAL, at, "replica id " + new ReplicaId(id)
            + " does not follow " + new ReplicaId(prevId) + " in ascending order");
      }
      prevId = id;
      Residual.Entry e = readEntryBody(new ReplicaId(id), at);
      parts.add(VersionVector.ofEntry(e.replica(), e.contiguous(), e.extras()));
    }
    return Residual.mergeAll(parts);
  }
}
