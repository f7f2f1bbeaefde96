package dev.lattice.merkle.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.lattice.merkle.Gen;
import dev.lattice.merkle.MerkleCodecException;
import dev.lattice.merkle.MerkleConfig;
import dev.lattice.merkle.NodeKey;
import dev.lattice.merkle.Scope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MessageCodecTest {
  /** Fuzz inputs per seed: 200 seeds × 60 = 12,000 decoder inputs in CI. */
  private static final int FUZZ_PER_SEED = 60;

  static NodeKey randomPath(SplittableRandom rng) {
    byte[] partition = new byte[rng.nextInt(6)];
    rng.nextBytes(partition);
    int depth = rng.nextInt(MerkleConfig.MAX_DEPTH + 1);
    return new NodeKey(partition, depth, rng.nextLong() & NodeKey.mask(depth));
  }

  static List<byte[]> sortedKeys(SplittableRandom rng, int n) {
    TreeMap<byte[], byte[]> m = Gen.newMap();
    for (int i = 0; i < n; i++) {
      m.put(Gen.key(rng, 5), new byte[0]);
    }
    return new ArrayList<>(m.keySet());
  }

  static NodeView randomView(SplittableRandom rng) {
    NodeKey path = randomPath(rng);
    switch (rng.nextInt(4)) {
      case 0 -> {
        byte[] d = new byte[32];
        rng.nextBytes(d);
        return new NodeView.DigestOnly(path, d);
      }
      case 1 -> {
        int mask = 1 + rng.nextInt(0xFFFF);
        List<byte[]> ds = new ArrayList<>();
        for (int i = 0; i < Integer.bitCount(mask); i++) {
          byte[] d = new byte[32];
          rng.nextBytes(d);
          ds.add(d);
        }
        return new NodeView.InnerView(path, mask, ds);
      }
      case 2 -> {
        List<KeyDigest> entries = new ArrayList<>();
        for (byte[] k : sortedKeys(rng, 1 + rng.nextInt(20))) {
          entries.add(new KeyDigest(k, Gen.element(rng)));
        }
        return new NodeView.LeafView(path, entries);
      }
      default -> {
        return new NodeView.Empty(path);
      }
    }
  }

  static ReconcileMessage randomMessage(SplittableRandom rng) {
    List<NodeView> views = new ArrayList<>();
    int nViews = rng.nextInt(6);
    for (int i = 0; i < nViews; i++) {
      views.add(randomView(rng));
    }
    if (rng.nextInt(3) == 0) {
      Scope scope = switch (rng.nextInt(3)) {
        case 0 -> Scope.all();
        case 1 -> Scope.partition(new byte[] {'u', 0});
        default -> Scope.union(Scope.partitionsWithPrefix(new byte[] {'a'}),
            Scope.partitionRange(new byte[] {'m'}, new byte[] {'p'}));
      };
      return new ReconcileMessage.Hello(1 + rng.nextInt(64), scope, views);
    }
    List<Verdict> verdicts = new ArrayList<>();
    int nVerdicts = rng.nextInt(4);
    for (int i = 0; i < nVerdicts; i++) {
      byte[] statuses = new byte[rng.nextInt(10)];
      for (int s = 0; s < statuses.length; s++) {
        statuses[s] = (byte) rng.nextInt(3);
      }
      verdicts.add(new Verdict(randomPath(rng), statuses, sortedKeys(rng, rng.nextInt(8))));
    }
    return new ReconcileMessage.Step(views, verdicts);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.lattice.merkle.Seeds#seeds")
  void roundTrip(long seed) throws MerkleCodecException {
    SplittableRandom rng = new SplittableRandom(seed);
    for (int i = 0; i < 20; i++) {
      ReconcileMessage m = randomMessage(rng);
      byte[] wire = MessageCodec.encode(m);
      ReconcileMessage back = MessageCodec.decode(wire);
      assertThat(back.getClass()).as("seed " + seed).isEqualTo(m.getClass());
      assertThat(back.views()).as("seed " + seed).hasSameSizeAs(m.views());
      assertThat(MessageCodec.encode(back)).as("seed " + seed).isEqualTo(wire);
      if (m instanceof ReconcileMessage.Hello h) {
        assertThat(((ReconcileMessage.Hello) back).scope()).isEqualTo(h.scope());
      }
    }
  }

  /** Mutates valid encodings and throws in random bytes: only MerkleCodecException may escape. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.lattice.merkle.Seeds#seeds")
  void decoderFailsOnlyWithTypedException(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    for (int i = 0; i < FUZZ_PER_SEED; i++) {
      byte[] input = Fuzz.mutate(rng, MessageCodec.encode(randomMessage(rng)));
      try {
        ReconcileMessage m = MessageCodec.decode(input);
        // Whatever decodes must re-encode to bytes that decode the same way.
        byte[] again = MessageCodec.encode(m);
        assertThat(MessageCodec.encode(MessageCodec.decode(again))).isEqualTo(again);
      } catch (MerkleCodecException expected) {
        assertThat(expected.reason()).isNotNull();
      } catch (Throwable t) {
        fail("seed " + seed + " input " + i + " " + Arrays.toString(input) + " threw " + t, t);
      }
    }
  }

  @Test
  void hugeCountsInTinyInputsFailBeforeAllocating() {
    // A view count of 2^62 in a 12-byte input.
    byte[] input = {0x02, 0x02, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
        (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x3F, 0};
    assertThatThrownBy(() -> MessageCodec.decode(input))
        .isInstanceOfSatisfying(MerkleCodecException.class, e -> assertThat(e.reason())
            .isEqualTo(MerkleCodecException.Reason.LENGTH_OUT_OF_RANGE));
    // A key length of 10^6 with three bytes behind it.
    byte[] leaf = {0x02, 0x02, 0x01, 0x03, 0x00, 0x00, 0x01, (byte) 0xC0, (byte) 0x84, 0x3D, 1, 2, 3};
    assertThatThrownBy(() -> MessageCodec.decode(leaf))
        .isInstanceOfSatisfying(MerkleCodecException.class, e -> assertThat(e.reason())
            .isEqualTo(MerkleCodecException.Reason.LENGTH_OUT_OF_RANGE));
  }

  @Test
  void versionAndTagAreChecked() {
    assertThatThrownBy(() -> MessageCodec.decode(new byte[] {0x02, 0x03, 0, 0}))
        .isInstanceOfSatisfying(MerkleCodecException.class, e -> assertThat(e.reason())
            .isEqualTo(MerkleCodecException.Reason.UNSUPPORTED_VERSION));
    assertThatThrownBy(() -> MessageCodec.decode(new byte[] {0x09, 0x02}))
        .isInstanceOfSatisfying(MerkleCodecException.class, e -> assertThat(e.reason())
            .isEqualTo(MerkleCodecException.Reason.UNKNOWN_TAG));
    assertThatThrownBy(() -> MessageCodec.decode(new byte[0]))
        .isInstanceOfSatisfying(MerkleCodecException.class, e -> assertThat(e.reason())
            .isEqualTo(MerkleCodecException.Reason.TRUNCATED));
    assertThatThrownBy(() -> MessageCodec.decode(new byte[] {0x02, 0x02, 0, 0, 0}))
        .isInstanceOfSatisfying(MerkleCodecException.class, e -> assertThat(e.reason())
            .isEqualTo(MerkleCodecException.Reason.TRAILING_BYTES));
  }

  /** A leaf entry's digest is an element digest: exactly 32 bytes, both ways. */
  @Test
  void leafDigestsAreThirtyTwoBytes() {
    NodeKey path = NodeKey.root(new byte[] {'a', 0});
    ReconcileMessage shortDigest = new ReconcileMessage.Step(List.of(new NodeView.LeafView(path,
        List.of(new KeyDigest(new byte[] {'a', 0, 'x'}, new byte[31])))), List.of());
    assertThatThrownBy(() -> MessageCodec.encode(shortDigest))
        .isInstanceOf(IllegalArgumentException.class);
    // step, one leaf view at a\0 (depth 0) with key "a\0x" and a 31-byte digest
    byte[] head = {0x02, 0x02, 0x01, 0x03, 0x02, 'a', 0, 0x00, 0x01, 0x03, 'a', 0, 'x', 0x1F};
    byte[] in = Arrays.copyOf(head, head.length + 31 + 1); // 31 digest bytes, then 0 verdicts
    assertThatThrownBy(() -> MessageCodec.decode(in))
        .isInstanceOfSatisfying(MerkleCodecException.class, e -> assertThat(e.reason())
            .isEqualTo(MerkleCodecException.Reason.LENGTH_OUT_OF_RANGE));
  }

  /**
   * Frozen fixtures: an empty step is {@code 02 02 00 00} in format version 2; a version 1
   * message (hash-tree digests, before the additive ones) is refused as unsupported.
   */
  @Test
  void frozenFixtures() throws MerkleCodecException {
    assertThat(MessageCodec.encode(new ReconcileMessage.Step(List.of(), List.of())))
        .containsExactly(0x02, 0x02, 0x00, 0x00);
    assertThatThrownBy(() -> MessageCodec.decode(new byte[] {0x02, 0x01, 0x00, 0x00}))
        .isInstanceOfSatisfying(MerkleCodecException.class, e -> assertThat(e.reason())
            .isEqualTo(MerkleCodecException.Reason.UNSUPPORTED_VERSION));
    assertThatThrownBy(() -> MessageCodec.decode(new byte[] {0x01, 0x01, 0x10, 0x01, 0x00, 0x00,
        0x00})).isInstanceOfSatisfying(MerkleCodecException.class, e -> assertThat(e.reason())
            .isEqualTo(MerkleCodecException.Reason.UNSUPPORTED_VERSION));
    ReconcileMessage hello = MessageCodec.decode(new byte[] {0x01, 0x02, 0x10, 0x01, 0x00, 0x00, 0x00});
    assertThat(hello).isInstanceOf(ReconcileMessage.Hello.class);
    assertThat(((ReconcileMessage.Hello) hello).scope()).isEqualTo(Scope.all());
    assertThat(((ReconcileMessage.Hello) hello).leafCapacity()).isEqualTo(16);
  }

  /**
   * Corrupts one message of a real exchange after encoding. The receiving state machine must
   * either reject it with a typed exception (codec or protocol) or accept it; nothing else.
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.lattice.merkle.Seeds#seeds")
  void corruptedExchangeFailsOnlyWithTypedExceptions(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    TreeMap<byte[], byte[]> a = Gen.newMap();
    int n = rng.nextInt(400);
    for (int i = 0; i < n; i++) {
      a.put(Gen.key(rng, 3), Gen.element(rng));
    }
    TreeMap<byte[], byte[]> b = Gen.newMap();
    b.putAll(a);
    for (int i = 0; i < 1 + rng.nextInt(20); i++) {
      b.put(Gen.key(rng, 3), Gen.element(rng));
    }
    Reconciler from = Reconciler.initiator(ReconcilerTest.side(a, rng), Scope.all());
    Reconciler to = Reconciler.responder(ReconcilerTest.side(b, rng), Scope.all());
    int corruptAt = rng.nextInt(6);
    try {
      for (int i = 0; ; i++) {
        Optional<ReconcileMessage> m = from.nextMessage();
        if (m.isEmpty()) {
          break;
        }
        byte[] wire = MessageCodec.encode(m.get());
        if (i == corruptAt) {
          wire = Fuzz.mutate(rng, wire);
        }
        to.receive(MessageCodec.decode(wire));
        Reconciler t = from;
        from = to;
        to = t;
      }
    } catch (MerkleCodecException | ReconcileException expected) {
      assertThat(expected.getMessage()).isNotEmpty();
    } catch (Throwable t) {
      fail("seed " + seed + " corrupting message " + corruptAt + " threw " + t, t);
    }
  }
}
