package dev.lattice.crdt.codec;

import dev.lattice.crdt.causal.CausalContext;
import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.causal.VersionVector;
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
import java.util.SplittableRandom;
import java.util.function.BinaryOperator;

/**
 * Random reachable states of every codec type, built only through the types' mutators and merge:
 * two or three replicas apply random mutations (assign, increment, add, remove, enable, disable,
 * field removal, document deletion) to their local state, with dots numbered here, and now and then
 * merge each other's state. Sequence numbers skip now and then, as a replica's dots spread over
 * many fields and documents, so contexts have gaps.
 *
 * <p>A small local generator on purpose: it may later be pointed at the shared law-suite generator.
 */
final class RandomStates {
  private static final String[] NAMES = {"a", "title", "body", "t\u00e9l", "\uD83D\uDE00", ""};

  final SplittableRandom rnd;
  private final ReplicaId[] replicas;
  private final long[] seqs;
  private final long hlcBase;
  /** Every delta made, in order: folding them in any order gives the joined state. */
  final List<Object> deltas = new ArrayList<>();
  private final List<Dot> dots = new ArrayList<>();

  RandomStates(SplittableRandom rnd) {
    this.rnd = rnd;
    int n = 2 + rnd.nextInt(2);
    replicas = new ReplicaId[n];
    for (int i = 0; i < n; i++) {
      // Mostly random 64-bit ids (so the unsigned order matters), sometimes tiny ones.
      replicas[i] = rnd.nextInt(4) == 0 ? new ReplicaId(i + 1) : ReplicaId.random(rnd);
    }
    seqs = new long[n];
    hlcBase = (1_700_000_000_000L + rnd.nextLong(100_000_000_000L)) << 16;
  }

  /** A random state or delta of {@code type}, with the deltas that made it in {@link #deltas}. */
  @SuppressWarnings("unchecked")
  <T extends Crdt<T>> T state(Class<T> type) {
    deltas.clear();
    dots.clear();
    // A third of the time, the state as a replica stores it: compacted against a version vector
    // that covers some of the dots made, so stored dots are often missing from the context.
    boolean compact = rnd.nextInt(3) == 0;
    if (type == Document.class) {
      Document d = this.<Document>run(Document.EMPTY, Document::merge, this::mutateDocument);
      return (T) (compact ? d.compact(ambient()) : d);
    }
    FieldKind kind = kindOf(type);
    Field bottom = Field.bottom(kind);
    Field f = this.<Field>run(bottom, (a, b) -> a.join(b, CausalContext.NONE, CausalContext.NONE),
        (s, r) -> mutate(s, kind, r, 1));
    return (T) (compact ? f.compact(ambient()) : f);
  }

  /** A vector covering a random subset of the dots made so far. */
  private VersionVector ambient() {
    List<Dot> some = new ArrayList<>();
    for (Dot d : dots) {
      if (rnd.nextInt(3) != 0) {
        some.add(d);
      }
    }
    return VersionVector.ofDots(some);
  }

  interface Mutator<S> {
    S delta(S state, int replica);
  }

  private <S> S run(S bottom, BinaryOperator<S> merge, Mutator<S> mutator) {
    int n = replicas.length;
    List<S> states = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      states.add(bottom);
    }
    S lastDelta = bottom;
    int steps = rnd.nextInt(1, 14);
    for (int step = 0; step < steps; step++) {
      int r = rnd.nextInt(n);
      if (rnd.nextInt(5) == 0) {
        states.set(r, merge.apply(states.get(r), states.get(rnd.nextInt(n))));
      } else {
        lastDelta = mutator.delta(states.get(r), r);
        deltas.add(lastDelta);
        states.set(r, merge.apply(states.get(r), lastDelta));
      }
    }
    switch (rnd.nextInt(4)) {
      case 0:
        return lastDelta;
      case 1:
        return states.get(rnd.nextInt(n));
      default:
        S all = bottom;
        for (S s : states) {
          all = merge.apply(all, s);
        }
        return all;
    }
  }

  Dot dot(int replica) {
    seqs[replica] += rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(200) : 1;
    Dot d = new Dot(replicas[replica], seqs[replica]);
    dots.add(d);
    return d;
  }

  long hlc() {
    if (rnd.nextInt(25) == 0) {
      return rnd.nextLong(); // any long is a legal stamp to the type; exercise the full range
    }
    long millis = rnd.nextInt(3) == 0 ? rnd.nextLong(3_600_000L) : rnd.nextLong(2_000L);
    int logical = rnd.nextInt(3) == 0 ? rnd.nextInt(1, 65536) : 0;
    return hlcBase + (millis << 16) + logical;
  }

  private Document mutateDocument(Document doc, int r) {
    if (rnd.nextInt(10) == 0) {
      return doc.deletion(dot(r));
    }
    return new Document(mutateMap(doc.fields(), r, dot(r), 1));
  }

  private Field mutate(Field current, FieldKind kind, int r, int depth) {
    Dot dot = dot(r);
    return mutate(current, kind, r, dot, depth);
  }

  private Field mutate(Field current, FieldKind kind, int r, Dot dot, int depth) {
    boolean removal = rnd.nextInt(8) == 0;
    if (removal) {
      return current.removal(dot);
    }
    switch (kind) {
      case LWW:
        return ((LwwRegister) current).assign(value(2), hlc(), dot);
      case MVREG:
        return ((MvRegister) current).assign(value(2), dot);
      case GCOUNTER:
        return ((GCounter) current).increment(rnd.nextInt(10) == 0 ? rnd.nextLong(1L << 40) : rnd.nextInt(100), dot);
      case COUNTER:
        return ((PnCounter) current).increment(rnd.nextInt(-100, 100), dot);
      case SET: {
        OrSet set = (OrSet) current;
        if (set.size() > 0 && rnd.nextInt(3) == 0) {
          return set.remove(set.values().get(rnd.nextInt(set.size())), dot);
        }
        return set.add(smallValue(), dot);
      }
      case FLAG:
        return rnd.nextBoolean() ? ((Flag) current).enable(dot) : ((Flag) current).disable(dot);
      case MAP:
        return mutateMap((OrMap) current, r, dot, depth);
      default:
        throw new IllegalStateException();
    }
  }

  private OrMap mutateMap(OrMap map, int r, Dot dot, int depth) {
    FieldKind[] kinds = FieldKind.values();
    FieldKind kind;
    do {
      kind = kinds[rnd.nextInt(kinds.length)];
    } while (kind == FieldKind.MAP && depth >= 3);
    FieldKey key = new FieldKey(NAMES[rnd.nextInt(NAMES.length)], kind);
    if (rnd.nextInt(10) == 0) {
      return map.remove(key, dot);
    }
    OrMap delta = OrMap.of(key, mutate(map.get(key), kind, r, dot, depth + 1));
    // Sometimes one mutation writes two fields under one dot.
    if (rnd.nextInt(4) == 0) {
      FieldKey other = new FieldKey(NAMES[rnd.nextInt(NAMES.length)], FieldKind.LWW);
      if (!other.equals(key)) {
        delta = delta.with(other, ((LwwRegister) map.get(other)).assign(value(1), hlc(), dot));
      }
    }
    return delta;
  }

  /** A value from a small pool, so set elements collide. */
  Value smallValue() {
    switch (rnd.nextInt(5)) {
      case 0:
        return Value.of(rnd.nextInt(4));
      case 1:
        return Value.of(new String[] {"x", "y", "\u00e9", "\uD83D\uDE00"}[rnd.nextInt(4)]);
      case 2:
        return rnd.nextBoolean() ? Value.of(-0.0) : Value.of(Double.NaN);
      case 3:
        return Value.of(rnd.nextBoolean());
      default:
        return Value.ofList(List.of(Value.of(rnd.nextInt(2))));
    }
  }

  Value value(int depth) {
    switch (rnd.nextInt(depth > 0 ? 8 : 7)) {
      case 0:
        return Value.NULL;
      case 1:
        return Value.of(rnd.nextBoolean());
      case 2:
        return Value.of(rnd.nextInt(3) == 0 ? rnd.nextLong() : rnd.nextInt(-300, 300));
      case 3: {
        double[] special = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.MIN_VALUE};
        return Value.of(rnd.nextBoolean() ? special[rnd.nextInt(special.length)] : rnd.nextDouble() * 1e6);
      }
      case 4:
      case 5: {
        StringBuilder sb = new StringBuilder();
        int len = rnd.nextInt(0, 24);
        for (int i = 0; i < len; i++) {
          int kind = rnd.nextInt(10);
          if (kind < 6) {
            sb.append((char) rnd.nextInt(0x20, 0x7F));
          } else if (kind < 8) {
            sb.append((char) rnd.nextInt(0xA0, 0xD7FF));
          } else {
            sb.appendCodePoint(rnd.nextInt(0x10000, 0x10FFFF));
          }
        }
        return Value.of(sb.toString());
      }
      case 6: {
        byte[] b = new byte[rnd.nextInt(0, 12)];
        rnd.nextBytes(b);
        return Value.ofBytes(b);
      }
      default: {
        List<Value> items = new ArrayList<>();
        int n = rnd.nextInt(0, 4);
        for (int i = 0; i < n; i++) {
          items.add(value(depth - 1));
        }
        return Value.ofList(items);
      }
    }
  }

  VersionVector vector() {
    List<Dot> dots = new ArrayList<>();
    int n = rnd.nextInt(0, 20);
    for (int i = 0; i < n; i++) {
      dots.add(dot(rnd.nextInt(replicas.length)));
    }
    VersionVector v = VersionVector.ofDots(dots);
    if (rnd.nextBoolean() && !v.isEmpty()) {
      ReplicaId r = v.replicas().get(0);
      v = v.merge(VersionVector.ofEntry(r, rnd.nextLong(1, 1L << 40), new long[0]));
    }
    return v;
  }

  static FieldKind kindOf(Class<?> type) {
    if (type == LwwRegister.class) {
      return FieldKind.LWW;
    } else if (type == MvRegister.class) {
      return FieldKind.MVREG;
    } else if (type == GCounter.class) {
      return FieldKind.GCOUNTER;
    } else if (type == PnCounter.class) {
      return FieldKind.COUNTER;
    } else if (type == OrSet.class) {
      return FieldKind.SET;
    } else if (type == Flag.class) {
      return FieldKind.FLAG;
    } else if (type == OrMap.class) {
      return FieldKind.MAP;
    }
    throw new IllegalArgumentException(type.getName());
  }
}
