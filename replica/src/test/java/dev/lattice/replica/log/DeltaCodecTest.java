package dev.lattice.replica.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.type.FieldKey;
import dev.lattice.crdt.type.FieldKind;
import dev.lattice.crdt.type.LwwRegister;
import dev.lattice.crdt.value.Value;
import dev.lattice.replica.ReplicaException;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DeltaCodecTest {
  static Delta sample(long seq, String value) {
    Dot dot = Dot.of(0x1234, seq);
    Document change = Document.of(new FieldKey("title", FieldKind.LWW), LwwRegister.EMPTY.assign(Value.of(value), 99L << 16, dot));
    return new Delta(dot, 99L << 16, "tasks", "t-" + seq, change);
  }

  @Test
  void roundTrips() {
    Delta d = sample(7, "héllo");
    assertThat(DeltaCodec.decode(DeltaCodec.encode(d))).isEqualTo(d);
  }

  @Test
  void refusesAWrongTagVersionAndTrailingBytes() {
    byte[] good = DeltaCodec.encode(sample(1, "x"));
    byte[] tag = good.clone();
    tag[0] = 0x45;
    assertThatThrownBy(() -> DeltaCodec.decode(tag)).hasMessageContaining("tag 0x45");
    byte[] version = good.clone();
    version[1] = 9;
    assertThatThrownBy(() -> DeltaCodec.decode(version)).hasMessageContaining("version 9");
    byte[] longer = Arrays.copyOf(good, good.length + 1);
    assertThatThrownBy(() -> DeltaCodec.decode(longer)).hasMessageContaining("bytes remain");
    assertThatThrownBy(() -> DeltaCodec.decode(new byte[0])).hasMessageContaining("truncated");
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.lattice.replica.Seeds#seeds")
  void anyDamagedInputFailsWithOneTypedErrorOrDecodesToWhatItSays(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] good = DeltaCodec.encode(sample(1 + r.nextInt(1000), "v" + r.nextInt()));
    for (int i = 0; i < 100; i++) {
      byte[] input;
      switch (r.nextInt(4)) {
        case 0 -> {
          input = good.clone();
          input[r.nextInt(input.length)] ^= (byte) (1 << r.nextInt(8));
        }
        case 1 -> input = Arrays.copyOf(good, r.nextInt(good.length));
        case 2 -> {
          input = good.clone();
          int at = r.nextInt(input.length - 3);
          input[at] = (byte) 0x7F;
          input[at + 1] = (byte) 0xFF;
          input[at + 2] = (byte) 0xFF;
        }
        default -> {
          input = new byte[r.nextInt(64)];
          r.nextBytes(input);
        }
      }
      try {
        Delta d = DeltaCodec.decode(input);
        assertThat(DeltaCodec.encode(d)).as("seed %d: what decodes re-encodes to the same bytes", seed).isEqualTo(input);
      } catch (ReplicaException e) {
        assertThat(e.reason()).as("seed %d", seed).isEqualTo(ReplicaException.Reason.MALFORMED_DELTA);
      }
    }
  }
}
