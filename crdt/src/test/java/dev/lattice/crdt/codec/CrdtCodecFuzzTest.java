package dev.lattice.crdt.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.lattice.crdt.type.Crdt;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Decoder fuzzing. Per seed and per blob type (the eight CRDTs, vectors, values): 50 random byte
 * arrays and 50 mutations of valid encodings (bit flips, truncations, insertions, deletions,
 * duplicated ranges, corrupted lengths). At the default 200 seeds that is 10,000 of each per type.
 *
 * <p>The property: decoding either throws {@link CodecException} or returns a value that encodes
 * back to exactly the input bytes. Any other exception fails the case with the seed and the input.
 */
class CrdtCodecFuzzTest {
  static final int RANDOM_PER_SEED = 50;
  static final int MUTATED_PER_SEED = 50;
  private static final int[] TAGS = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x10, 0x11};
  private static final long[] RANDOM_TRIED = new long[TAGS.length];
  private static final long[] MUTATED_TRIED = new long[TAGS.length];
  private static final long[] MUTATED_DECODED = new long[TAGS.length];

  static LongStream seeds() {
    return CodecSeeds.seeds();
  }

  @AfterAll
  static void report() {
    System.out.println("codec fuzz per tag " + Arrays.toString(TAGS) + ": random " + Arrays.toString(RANDOM_TRIED)
        + ", mutated " + Arrays.toString(MUTATED_TRIED) + ", mutated that still decoded "
        + Arrays.toString(MUTATED_DECODED));
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void randomBytes(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int t = 0; t < TAGS.length; t++) {
      for (int i = 0; i < RANDOM_PER_SEED; i++) {
        byte[] input = new byte[rnd.nextInt(0, 48)];
        rnd.nextBytes(input);
        // Mostly a valid header, so the body parser is what gets exercised.
        int mode = rnd.nextInt(8);
        if (input.length > 0 && mode > 0) {
          input[0] = (byte) TAGS[t];
        }
        if (input.length > 1 && mode > 1) {
          input[1] = 1;
        }
        if (input.length > 2 && mode > 4) {
          input[2] = (byte) rnd.nextInt(4); // a small dictionary
        }
        check(seed, TAGS[t], input);
        RANDOM_TRIED[t]++;
      }
    }
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  @SuppressWarnings({"unchecked", "rawtypes"})
  void mutatedEncodings(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed ^ 0xF0F0F0F0L);
    RandomStates gen = new RandomStates(rnd);
    List<Class<? extends Crdt<?>>> types = CrdtCodecRoundTripTest.TYPES;
    for (int t = 0; t < TAGS.length; t++) {
      byte[][] valid = new byte[2][];
      for (int k = 0; k < valid.length; k++) {
        if (t < types.size()) {
          valid[k] = CrdtCodec.encode(gen.state((Class) types.get(t)));
        } else if (TAGS[t] == 0x10) {
          valid[k] = CrdtCodec.encodeVector(gen.vector());
        } else {
          valid[k] = CrdtCodec.encodeValue(gen.value(3));
        }
      }
      for (int i = 0; i < MUTATED_PER_SEED; i++) {
        byte[] input = valid[i % valid.length];
        int mutations = rnd.nextInt(1, 4);
        for (int m = 0; m < mutations; m++) {
          input = mutate(rnd, input);
        }
        if (check(seed, TAGS[t], input)) {
          MUTATED_DECODED[t]++;
        }
        MUTATED_TRIED[t]++;
      }
    }
  }

  static byte[] mutate(SplittableRandom rnd, byte[] in) {
    if (in.length == 0) {
      return new byte[] {(byte) rnd.nextInt(256)};
    }
    int at = rnd.nextInt(in.length);
    switch (rnd.nextInt(8)) {
      case 0: { // bit flip
        byte[] out = in.clone();
        out[at] ^= (byte) (1 << rnd.nextInt(8));
        return out;
      }
      case 1: // truncation
        return Arrays.copyOf(in, at);
      case 2: { // insertion of random bytes
        byte[] extra = new byte[rnd.nextInt(1, 4)];
        rnd.nextBytes(extra);
        return splice(in, at, 0, extra);
      }
      case 3: // deletion
        return splice(in, at, Math.min(in.length - at, rnd.nextInt(1, 4)), new byte[0]);
      case 4: { // a duplicated range: repeated keys, elements, dots
        int len = Math.min(in.length - at, rnd.nextInt(1, 12));
        return splice(in, at, 0, Arrays.copyOfRange(in, at, at + len));
      }
      case 5: { // a length or count field corrupted into a large varint
        byte[][] big = {{(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08}, {(byte) 0xFF, 0x7F},
            {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                (byte) 0xFF, (byte) 0xFF, 0x01}, {(byte) 0x80, 0x00}};
        return splice(in, at, 1, big[rnd.nextInt(big.length)]);
      }
      case 6: { // a byte replaced by a small number (counts, indexes, tags)
        byte[] out = in.clone();
        out[at] = (byte) rnd.nextInt(0, 10);
        return out;
      }
      default: { // a byte incremented or decremented: off-by-one lengths
        byte[] out = in.clone();
        out[at] += rnd.nextBoolean() ? 1 : -1;
        return out;
      }
    }
  }

  private static byte[] splice(byte[] in, int at, int remove, byte[] insert) {
    byte[] out = new byte[in.length - remove + insert.length];
    System.arraycopy(in, 0, out, 0, at);
    System.arraycopy(insert, 0, out, at, insert.length);
    System.arraycopy(in, at + remove, out, at + insert.length, in.length - at - remove);
    return out;
  }

  /** True if the input decoded (and re-encoded to itself). */
  static boolean check(long seed, int tag, byte[] input) {
    String hex = HexFormat.of().formatHex(input);
    try {
      byte[] again;
      if (tag == 0x10) {
        again = CrdtCodec.encodeVector(CrdtCodec.decodeVector(input));
      } else if (tag == 0x11) {
        again = CrdtCodec.encodeValue(CrdtCodec.decodeValue(input));
      } else {
        again = CrdtCodec.encode(CrdtCodec.decodeAny(input));
      }
      assertThat(HexFormat.of().formatHex(again))
          .as("seed %d: input decoded but re-encodes differently", seed).isEqualTo(hex);
      return true;
    } catch (CodecException expected) {
      assertThat(expected.offset()).as("seed %d, input %s: %s", seed, hex, expected.getMessage())
          .isBetween(0, input.length);
      return false;
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      // Tests may catch broadly: this is the one place that proves nothing else escapes.
      return fail("seed " + seed + ": decoding " + hex + " threw " + e, e);
    }
  }
}
