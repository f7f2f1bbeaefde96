package dev.lattice.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MerkleConfigTest {

  @Test
  void refusesOutOfRangeValuesWhenBuilt() {
    assertThat(new MerkleConfig(1, Partitioner.single()).leafCapacity()).isEqualTo(1);
    assertThat(new MerkleConfig(MerkleConfig.MAX_LEAF_CAPACITY, Partitioner.single())
        .leafCapacity()).isEqualTo(MerkleConfig.MAX_LEAF_CAPACITY);
    assertThatThrownBy(() -> new MerkleConfig(0, Partitioner.single()))
        .isInstanceOfSatisfying(MerkleIndexException.class,
            e -> assertThat(e.reason()).isEqualTo(MerkleIndexException.Reason.CONFIG))
        .hasMessageContaining("got 0");
    assertThatThrownBy(() -> new MerkleConfig(MerkleConfig.MAX_LEAF_CAPACITY + 1,
            Partitioner.single()))
        .isInstanceOfSatisfying(MerkleIndexException.class,
            e -> assertThat(e.reason()).isEqualTo(MerkleIndexException.Reason.CONFIG));
    assertThatThrownBy(() -> new MerkleConfig(16, null))
        .isInstanceOfSatisfying(MerkleIndexException.class,
            e -> assertThat(e.reason()).isEqualTo(MerkleIndexException.Reason.CONFIG));
  }
}
