package dev.lattice.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class OriginPolicyTest {
  private final OriginPolicy none = new OriginPolicy(List.of());
  private final OriginPolicy listed = new OriginPolicy(List.of("https://app.example.com", "http://localhost:3000"));

  @Test
  void withoutAnOriginHeaderAnyUpgradeIsAccepted() {
    assertThat(none.allows(null, "edge.example.com", 8080, false)).isTrue();
  }

  @Test
  void theNodesOwnOriginIsAccepted() {
    assertThat(none.allows("http://edge.example.com:8080", "edge.example.com", 8080, false)).isTrue();
    assertThat(none.allows("http://EDGE.example.com:8080", "edge.example.com", 8080, false)).isTrue();
    assertThat(none.allows("https://edge.example.com", "edge.example.com", -1, true)).isTrue();
    assertThat(none.allows("http://edge.example.com", "edge.example.com", -1, false)).isTrue();
  }

  @Test
  void otherOriginsAreRefusedUnlessListed() {
    assertThat(none.allows("https://evil.example", "edge.example.com", 8080, false)).isFalse();
    assertThat(none.allows("http://edge.example.com:9999", "edge.example.com", 8080, false)).isFalse();
    assertThat(none.allows("null", "edge.example.com", 8080, false)).isFalse();
    assertThat(none.allows("garbage", "edge.example.com", 8080, false)).isFalse();
    assertThat(listed.allows("https://app.example.com", "edge.example.com", 8080, false)).isTrue();
    assertThat(listed.allows("https://APP.example.com:443", "edge.example.com", 8080, false)).isTrue();
    assertThat(listed.allows("http://localhost:3000", "edge.example.com", 8080, false)).isTrue();
    assertThat(listed.allows("http://localhost:3001", "edge.example.com", 8080, false)).isFalse();
    assertThat(listed.allows("https://evil.example", null, -1, false)).isFalse();
  }

  @Test
  void aStarAllowsEveryOrigin() {
    assertThat(new OriginPolicy(List.of("*")).allows("https://anything.example", "edge", 1, false)).isTrue();
  }
}
