package dev.lattice.merkle.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.lattice.merkle.Digests;
import dev.lattice.merkle.Gen;
import dev.lattice.merkle.MerkleCodecException;
import dev.lattice.merkle.MerkleConfig;
import dev.lattice.merkle.MerkleIndexException;
import dev.lattice.merkle.MerkleIndexException.Reason;
import dev.lattice.merkle.internal.Sum256;
import dev.lattice.merkle.sync.Fuzz;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DigestBucketsTest {
  private static final MerkleConfig CONFIG = MerkleConfig.defaults();
  private static final HexFormat HEX = HexFormat.of();

  private static byte[] key(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Map<byte[], byte[]> drain(DigestBuckets b) {
    TreeMap<byte[], byte[]> out = Gen.newMap();
    b.drainDirty((k, v) -> assertThat(out.put(k, v == null ? new byte[0] : v)).isNull());
    return out;
  }

  @Test
  void updatesAreCountedAndDrainedOncePerBucket() {
    DigestBuckets b = new DigestBuckets(CONFIG);
    byte[] k = key("tasks\0t1");
    byte[] d1 = Gen.element(new SplittableRandom(1));
    byte[] d2 = Gen.element(new SplittableRandom(2));
    b.update(k, null, d1);
    b.update(k, d1, d2);
    b.update(k, d2, d2); // no change
    assertThat(b.dirtyCount()).isEqualTo(1);
    assertThat(b.size()).isEqualTo(1);
    Map<byte[], byte[]> first = drain(b);
    assertThat(first).hasSize(1);
    byte[] entry = first.values().iterator().next();
    // 0x42 0x01, count 1, and the sum, which is d2 itself.
    assertThat(HEX.formatHex(entry)).isEqualTo("420101" + HEX.formatHex(d2));
    assertThat(HEX.formatHex(first.keySet().iterator().next()))
        .isEqualTo("7461736b73" + "00ff" + "0001"
            + String.format("%04x", DigestBuckets.bucketOf(Digests.keyHash(k))));
    assertThat(b.dirtyCount()).isZero();
    assertThat(drain(b)).isEmpty();
    b.update(k, d2, null);
    Map<byte[], byte[]> second = drain(b);
    assertThat(second.values()).singleElement().satisfies(v -> assertThat(v).isEmpty());
    assertThat(b.size()).isZero();
    assertThat(b.snapshot().partitions(dev.lattice.merkle.Scope.all())).isEmpty();
  }

  @Test
  void refusesInconsistentAndMalformedUpdatesWithoutChangingAnything() {
    DigestBuckets b = new DigestBuckets(CONFIG);
    byte[] d = Gen.element(new SplittableRandom(3));
    assertThatThrownBy(() -> b.update(key("a\0x"), d, null))
        .isInstanceOfSatisfying(MerkleIndexException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.INCONSISTENT_UPDATE));
    assertThatThrownBy(() -> b.update(key("a\0x"), d, Gen.element(new SplittableRandom(4))))
        .isInstanceOfSatisfying(MerkleIndexException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.INCONSISTENT_UPDATE));
    assertThatThrownBy(() -> b.update(key("a\0x"), null, new byte[31]))
        .isInstanceOfSatisfying(MerkleIndexException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.VALUE_DIGEST_LENGTH));
    assertThatThrownBy(() -> b.update(new byte[0], null, d))
        .isInstanceOfSatisfying(MerkleIndexException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.KEY_LENGTH));
    assertThatThrownBy(() -> b.update(new byte[MerkleConfig.MAX_KEY_LENGTH + 1], null, d))
        .isInstanceOfSatisfying(MerkleIndexException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.KEY_LENGTH));
    DigestBuckets bad = new DigestBuckets(new MerkleConfig(16, k -> k.length + 1));
    assertThatThrownBy(() -> bad.update(key("a"), null, d))
        .isInstanceOfSatisfying(MerkleIndexException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.PARTITION_LENGTH));
    assertThat(b.size()).isZero();
    assertThat(b.dirtyCount()).isZero();
    assertThat(b.snapshot()).isEqualTo(new DigestBuckets(CONFIG).snapshot());
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.lattice.merkle.Seeds#seeds")
  void storedBucketsRoundTrip(long seed) throws MerkleCodecException {
    SplittableRandom rng = new SplittableRandom(seed);
    DigestBuckets b = new DigestBuckets(CONFIG);
    for (int i = 0; i < 1 + rng.nextInt(3_000); i++) {
      b.update(Gen.key(rng, 5), null, Gen.element(rng));
    }
    TreeMap<byte[], byte[]> stored = Gen.newMap();
    DerivedTreeTest.drainInto(b, stored);
    DigestBuckets loaded = new DigestBuckets(CONFIG);
    List<Map.Entry<byte[], byte[]>> shuffled = new ArrayList<>(stored.entrySet());
    java.util.Collections.shuffle(shuffled, new java.util.Random(seed));
    for (Map.Entry<byte[], byte[]> e : shuffled) {
      loaded.load(e.getKey(), e.getValue());
    }
    assertThat(loaded.snapshot()).as("seed " + seed).isEqualTo(b.snapshot());
    assertThat(loaded.size()).isEqualTo(b.size());
    assertThat(loaded.dirtyCount()).isZero();
    // Stored keys sort by partition, then bucket.
    byte[] previous = null;
    for (byte[] k : stored.keySet()) {
      assertThat(previous == null || Arrays.compareUnsigned(previous, k) < 0).isTrue();
      previous = k;
    }
  }

  /** Random and mutated stored entries: load accepts or fails with a typed exception only. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.lattice.merkle.Seeds#seeds")
  void hostileStoredBucketsFailOnlyWithTypedExceptions(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    long[] sum = new long[4];
    Sum256.add(sum, 0, Gen.element(rng));
    byte[] validKey = DigestBuckets.storageKey(Gen.key(rng, 3), rng.nextInt(4096));
    byte[] validEntry = DigestBuckets.encodeEntry(1 + rng.nextInt(1 << 20), sum, 0);
    for (int i = 0; i < 40; i++) {
      byte[] k = rng.nextBoolean() ? Fuzz.mutate(rng, validKey) : validKey;
      byte[] v = rng.nextBoolean() ? Fuzz.mutate(rng, validEntry) : validEntry;
      DigestBuckets b = new DigestBuckets(CONFIG);
      try {
        b.load(k, v);
        assertThat(b.size()).isPositive();
      } catch (MerkleCodecException expected) {
        assertThat(expected.reason()).isNotNull();
      } catch (Throwable t) {
        fail("seed " + seed + " key " + HEX.formatHex(k) + " entry " + HEX.formatHex(v)
            + " threw " + t, t);
      }
    }
  }

  @Test
  void frozenStoredForms() throws MerkleCodecException {
    // Bucket 0x0ab of partition "t\0": the key escapes the 00, then 00 01 and u16(bucket).
    assertThat(HEX.formatHex(DigestBuckets.storageKey(key("t\0"), 0x0ab))).isEqualTo("7400ff000100ab");
    byte[] entry = HEX.parseHex("4201" + "05" + "01" + "00".repeat(31));
    DigestBuckets b = new DigestBuckets(CONFIG);
    b.load(HEX.parseHex("7400ff000100ab"), entry);
    assertThat(b.size()).isEqualTo(5);
    assertThat(b.snapshot().bucketCount(key("t\0"), 0x0ab)).isEqualTo(5);
    assertThatThrownBy(() -> b.load(HEX.parseHex("7400ff000100ab"), entry))
        .isInstanceOfSatisfying(MerkleIndexException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.INCONSISTENT_UPDATE));
    DigestBuckets c = new DigestBuckets(CONFIG);
    assertThatThrownBy(() -> c.load(HEX.parseHex("7400ff00010fff"), HEX.parseHex("4201" + "00"
        + "00".repeat(32)))).isInstanceOfSatisfying(MerkleCodecException.class,
            e -> assertThat(e.reason()).isEqualTo(MerkleCodecException.Reason.INVALID_VALUE));
    assertThatThrownBy(() -> c.load(HEX.parseHex("7400ff00011000"), entry))
        .isInstanceOfSatisfying(MerkleCodecException.class,
            e -> assertThat(e.reason()).isEqualTo(MerkleCodecException.Reason.INVALID_VALUE));
    assertThatThrownBy(() -> c.load(HEX.parseHex("7400ff000100ab"), HEX.parseHex("4202")))
        .isInstanceOfSatisfying(MerkleCodecException.class,
            e -> assertThat(e.reason()).isEqualTo(MerkleCodecException.Reason.UNSUPPORTED_VERSION));
    assertThatThrownBy(() -> c.load(HEX.parseHex("7400ff000100ab"), HEX.parseHex("10")))
        .isInstanceOfSatisfying(MerkleCodecException.class,
            e -> assertThat(e.reason()).isEqualTo(MerkleCodecException.Reason.UNKNOWN_TAG));
    assertThat(c.size()).isZero();
  }
}
