package dev.lattice.crdt.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.type.Crdt;
import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.type.Flag;
import dev.lattice.crdt.type.GCounter;
import dev.lattice.crdt.type.LwwRegister;
import dev.lattice.crdt.type.MvRegister;
import dev.lattice.crdt.type.OrMap;
import dev.lattice.crdt.type.OrSet;
import dev.lattice.crdt.type.PnCounter;
import dev.lattice.crdt.value.Value;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Round trip and determinism of the codec over random reachable states, one seed per case. */
class CrdtCodecRoundTripTest {
  static final List<Class<? extends Crdt<?>>> TYPES = List.of(LwwRegister.class, MvRegister.class,
      GCounter.class, PnCounter.class, OrSet.class, Flag.class, OrMap.class, Document.class);

  static LongStream seeds() {
    return CodecSeeds.seeds();
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void decodeOfEncodeIsIdentity(long seed) throws CodecException {
    SplittableRandom rnd = new SplittableRandom(seed);
    RandomStates gen = new RandomStates(rnd);
    for (Class<? extends Crdt<?>> type : TYPES) {
      for (int i = 0; i < 3; i++) {
        roundTrip(seed, gen, type);
      }
    }
    for (int i = 0; i < 5; i++) {
      VersionVector v = gen.vector();
      byte[] bytes = CrdtCodec.encodeVector(v);
      assertThat(CrdtCodec.decodeVector(bytes)).as("seed %d, vector %s", seed, v).isEqualTo(v);
      Value value = gen.value(3);
      byte[] vb = CrdtCodec.encodeValue(value);
      assertThat(CrdtCodec.decodeValue(vb)).as("seed %d, value %s", seed, value).isEqualTo(value);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void roundTrip(long seed, RandomStates gen, Class type) throws CodecException {
    Crdt<?> state = gen.state(type);
    byte[] bytes = CrdtCodec.encode(state);
    String hex = HexFormat.of().formatHex(bytes);
    Object decoded = CrdtCodec.decode(bytes, type);
    assertThat(decoded).as("seed %d, %s %s, bytes %s", seed, type.getSimpleName(), state, hex).isEqualTo(state);
    assertThat(CrdtCodec.decodeAny(bytes)).as("seed %d", seed).isEqualTo(state);
    assertThat(CrdtCodec.encode((Crdt) decoded)).as("seed %d, re-encoding %s", seed, hex).isEqualTo(bytes);
  }

  /** The same deltas joined in different orders give one state and so one encoding. */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  @SuppressWarnings({"unchecked", "rawtypes"})
  void equalStatesBuiltInDifferentOrdersEncodeIdentically(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed ^ 0x5DEECE66DL);
    RandomStates gen = new RandomStates(rnd);
    for (Class<? extends Crdt<?>> type : TYPES) {
      for (int i = 0; i < 2; i++) {
        gen.state((Class) type);
        List<Object> deltas = new ArrayList<>(gen.deltas);
        if (deltas.isEmpty()) {
          continue;
        }
        Crdt inOrder = fold(deltas);
        byte[] expected = CrdtCodec.encode(inOrder);
        for (int k = 0; k < 3; k++) {
          List<Object> shuffled = new ArrayList<>(deltas);
          Collections.shuffle(shuffled, new java.util.Random(rnd.nextLong()));
          // Duplicates too: a delta applied twice has no further effect.
          shuffled.add(shuffled.get(rnd.nextInt(shuffled.size())));
          Crdt other = foldTree(shuffled, 0, shuffled.size());
          assertThat(other).as("seed %d, %s: joins in two orders differ", seed, type.getSimpleName())
              .isEqualTo(inOrder);
          assertThat(CrdtCodec.encode(other)).as("seed %d, %s %s", seed, type.getSimpleName(), other)
              .isEqualTo(expected);
        }
      }
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Crdt fold(List<Object> deltas) {
    Crdt acc = (Crdt) deltas.get(0);
    for (int i = 1; i < deltas.size(); i++) {
      acc = (Crdt) acc.merge((Crdt) deltas.get(i));
    }
    return acc;
  }

  /** A different bracketing as well as a different order. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Crdt foldTree(List<Object> deltas, int from, int to) {
    if (to - from == 1) {
      return (Crdt) deltas.get(from);
    }
    int mid = (from + to) >>> 1;
    return (Crdt) foldTree(deltas, mid, to).merge(foldTree(deltas, from, mid));
  }
}
