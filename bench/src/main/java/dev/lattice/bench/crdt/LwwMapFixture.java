package dev.lattice.bench.crdt;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.type.FieldKey;
import dev.lattice.crdt.type.LwwRegister;
import dev.lattice.crdt.type.OrMap;
import dev.lattice.crdt.value.Value;
import java.util.SplittableRandom;

/**
 * An {@link OrMap} of {@code n} LWW entries, as a collection of documents keyed by id would be:
 * keys are 20-character ids ({@code doc/} and 16 hex digits) inserted in random order, each entry
 * assigned once by one of eight replicas with a dot in the thousands and a ~32-byte string value.
 * Also a sequence of random key picks, so the benchmarks touch the whole map rather than a hot
 * corner of it.
 */
final class LwwMapFixture {
  static final int PICKS = 1 << 16;
  static final int VALUES = 256;

  final int n;
  final String[] names;
  final FieldKey[] keys;
  final Value[] values;
  final ReplicaId[] writers;
  final int[] picks;
  final OrMap map;

  LwwMapFixture(int n, long salt) {
    if (n < 1) {
      throw new IllegalArgumentException("map size must be positive: " + n);
    }
    this.n = n;
    SplittableRandom r = Fixtures.random(salt);
    writers = Fixtures.replicas(8, salt + 1);
    values = new Value[VALUES];
    for (int i = 0; i < VALUES; i++) {
      values[i] = Value.of(Fixtures.text(r, 32));
    }
    names = new String[n];
    keys = new FieldKey[n];
    OrMap m = OrMap.EMPTY;
    long hlc = Fixtures.HLC_BASE;
    for (int i = 0; i < n; i++) {
      // mix64 is a bijection, so the ids are distinct and in no particular order.
      names[i] = String.format("doc/%016x", mix64(i + salt * 0x1_0000_0000L));
      keys[i] = Fixtures.lwwKey(names[i]);
      hlc += 1 + (i & 7);
      int w = i & 7;
      LwwRegister reg = LwwRegister.EMPTY.assign(values[i & (VALUES - 1)], hlc,
          new Dot(writers[w], 1_000 + (i >>> 3)));
      m = m.merge(OrMap.of(keys[i], reg));
    }
    if (m.entryCount() != n) {
      throw new IllegalStateException("fixture map has " + m.entryCount() + " entries, not " + n);
    }
    map = m;
    picks = new int[PICKS];
    for (int i = 0; i < PICKS; i++) {
      picks[i] = r.nextInt(n);
    }
  }

  /** Stafford's variant 13 of the SplitMix64 finaliser: a bijection on 64-bit values. */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
    return z ^ (z >>> 31);
  }
}
