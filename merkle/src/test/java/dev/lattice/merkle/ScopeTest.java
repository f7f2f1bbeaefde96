package dev.lattice.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScopeTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void partitionAndPrefixSelectTheRightNames() {
    Scope users = Scope.partition(b("users\0"));
    assertThat(users.contains(b("users\0"))).isTrue();
    assertThat(users.contains(b("users\0x"))).isFalse();
    assertThat(users.contains(b("user"))).isFalse();
    Scope u = Scope.partitionsWithPrefix(b("u"));
    assertThat(u.contains(b("users\0"))).isTrue();
    assertThat(u.contains(b("u\0"))).isTrue();
    assertThat(u.contains(b("v"))).isFalse();
    assertThat(u.covers(users)).isTrue();
    assertThat(users.covers(u)).isFalse();
    assertThat(Scope.all().covers(u)).isTrue();
    assertThat(u.covers(Scope.all())).isFalse();
    assertThat(Scope.partitionsWithPrefix(new byte[] {(byte) 0xFF}).contains(new byte[] {(byte) 0xFF, 0}))
        .isTrue();
  }

  @Test
  void unionMergesOverlapsAndIsCanonical() {
    Scope a = Scope.union(Scope.partitionRange(b("a"), b("c")), Scope.partitionRange(b("b"), b("d")),
        Scope.partition(b("x")));
    assertThat(a.ranges()).hasSize(2);
    assertThat(a).isEqualTo(Scope.ofRanges(List.of(new Scope.Range(b("x"), b("x\0")),
        new Scope.Range(b("a"), b("d")))));
    assertThat(Scope.union(a, Scope.all())).isEqualTo(Scope.all());
    assertThat(Scope.none().contains(b("a"))).isFalse();
  }
}
