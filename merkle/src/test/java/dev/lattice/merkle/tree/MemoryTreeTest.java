package dev.lattice.merkle.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.merkle.Digests;
import dev.lattice.merkle.Gen;
import dev.lattice.merkle.MerkleConfig;
import dev.lattice.merkle.MerkleIndexException;
import dev.lattice.merkle.MerkleIndexException.Reason;
import dev.lattice.merkle.NodeKey;
import dev.lattice.merkle.Scope;
import dev.lattice.merkle.internal.Sum256;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MemoryTreeTest {
  private static final MerkleConfig CONFIG = MerkleConfig.defaults();

  @Test
  void rootDigestIsTheSumOfElementDigestsAndIndependentOfOrder() {
    SplittableRandom rng = new SplittableRandom(1);
    var m = Gen.newMap();
    for (int i = 0; i < 2_000; i++) {
      m.put(Gen.key(rng, 1), Gen.element(rng));
    }
    MemoryTree t = MemoryTree.of(CONFIG, m.entrySet());
    MemoryTree.Builder reversed = MemoryTree.builder(CONFIG);
    m.descendingMap().forEach(reversed::add);
    MemoryTree r = reversed.build();
    for (byte[] p : t.partitions(Scope.all())) {
      long[] sum = new long[4];
      t.forEachEntry(NodeKey.root(p), (k, d) -> Sum256.add(sum, 0, d));
      assertThat(t.digest(NodeKey.root(p))).isEqualTo(Sum256.toBytes(sum, 0));
      assertThat(r.digest(NodeKey.root(p))).isEqualTo(t.digest(NodeKey.root(p)));
    }
    assertThat(t.size()).isEqualTo(m.size());
    TreeChecker.holds(t, m, "memory tree");
  }

  @Test
  void elementDigestBindsTheKey() {
    byte[] value = {1, 2, 3};
    byte[] a = Digests.element("a\0x".getBytes(StandardCharsets.UTF_8), value);
    byte[] b = Digests.element("a\0y".getBytes(StandardCharsets.UTF_8), value);
    assertThat(a).hasSize(32).isNotEqualTo(b);
    // 'E', varint(3), "a\0x", 01 02 03 under BLAKE3-256 (checked against the BLAKE3 reference).
    assertThat(HexFormat.of().formatHex(a)).isEqualTo(HexFormat.of().formatHex(
        blake3(HexFormat.of().parseHex("4503" + "610078" + "010203"))));
  }

  private static byte[] blake3(byte[] in) {
    var d = new org.bouncycastle.crypto.digests.Blake3Digest(256);
    d.update(in, 0, in.length);
    byte[] out = new byte[32];
    d.doFinal(out, 0);
    return out;
  }

  @Test
  void refusesDuplicatesAndBadDigests() {
    byte[] k = "a\0x".getBytes(StandardCharsets.UTF_8);
    byte[] d = new byte[32];
    assertThatThrownBy(() -> MemoryTree.of(CONFIG, List.of(Map.entry(k, d), Map.entry(k.clone(), d))))
        .isInstanceOfSatisfying(MerkleIndexException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.DUPLICATE_KEY));
    assertThatThrownBy(() -> MemoryTree.builder(CONFIG).add(k, new byte[20]))
        .isInstanceOfSatisfying(MerkleIndexException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.VALUE_DIGEST_LENGTH));
    assertThatThrownBy(() -> MemoryTree.builder(CONFIG).add(new byte[0], d))
        .isInstanceOfSatisfying(MerkleIndexException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.KEY_LENGTH));
    MemoryTree.Builder b = MemoryTree.builder(CONFIG).add(k, d);
    b.build();
    assertThatThrownBy(() -> b.add(k, d)).isInstanceOf(IllegalStateException.class);
  }
}
