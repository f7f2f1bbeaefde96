package dev.lattice.edge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EdgeConfigTest {

  @Test
  void embeddedDefaultsServeOneSchemalessNamespaceWithAKeyKeptAcrossRestarts(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    EdgeConfig first = EdgeConfig.embeddedDefaults(data, 0);
    EdgeConfig second = EdgeConfig.embeddedDefaults(data, 0);
    assertThat(first.namespaces()).hasSize(1);
    NamespaceConfig dev = first.namespaces().get(0);
    assertThat(dev.name()).isEqualTo("dev");
    assertThat(dev.schemaDir()).isEmpty();
    assertThat(dev.apiKeys()).hasSize(1);
    assertThat(dev.apiKeys().get(0)).startsWith("dev_").hasSizeGreaterThan(30);
    assertThat(second.namespaces().get(0).apiKeys()).isEqualTo(dev.apiKeys());
    assertThat(first.port()).isZero();
    assertThat(first.dataDir()).isEqualTo(data);
    Path keyFile = data.resolve(EdgeConfig.DEV_KEY_FILE);
    assertThat(Files.readString(keyFile).strip()).isEqualTo(dev.apiKeys().get(0));
    if (keyFile.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
    }
  }

  @Test
  void aPersistedSecretIsCreatedOnceFromTheInjectedRandom(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("s");
    String a = PersistedSecret.readOrCreate(file, "p_", 8, new SplittableRandom(1));
    String b = PersistedSecret.readOrCreate(file, "p_", 8, new SplittableRandom(2));
    assertThat(a).isEqualTo(b).startsWith("p_").hasSize(2 + 11);
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("s");
    }
  }

  @Test
  void anEmptySecretFileIsAnErrorNotANewSecret(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("s");
    Files.writeString(file, "\n");
    assertThatThrownBy(() -> PersistedSecret.readOrCreate(file, "", 8)).hasMessageContaining("empty");
  }

  @Test
  void originsAreNormalised() {
    assertThat(EdgeConfig.normalizeOrigin("HTTPS://Example.COM:443", "o")).isEqualTo("https://example.com");
    assertThat(EdgeConfig.normalizeOrigin("http://example.com:80/", "o")).isEqualTo("http://example.com");
    assertThat(EdgeConfig.normalizeOrigin("http://localhost:3000", "o")).isEqualTo("http://localhost:3000");
    assertThat(EdgeConfig.normalizeOrigin("*", "o")).isEqualTo("*");
    assertThatThrownBy(() -> EdgeConfig.normalizeOrigin("example.com", "allowedOrigins[2]"))
        .hasMessageContaining("allowedOrigins[2]");
    assertThatThrownBy(() -> EdgeConfig.normalizeOrigin("null", "o")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theBuilderValidates() {
    assertThatThrownBy(() -> EdgeConfig.builder().build()).hasMessageContaining("at least one namespace");
    EdgeConfig c = EdgeConfig.builder().namespace(NamespaceConfig.schemaless("a", List.of())).build();
    assertThat(c.toBuilder().port(1).build().port()).isEqualTo(1);
    assertThatThrownBy(() -> Limits.builder().maxFrameBytes(100).build()).hasMessageContaining("maxFrameBytes");
    assertThatThrownBy(() -> Limits.builder().idleTimeout(java.time.Duration.ZERO).build())
        .hasMessageContaining("idleTimeout");
  }

  @Test
  void secretsStayOutOfToString() {
    EdgeConfig c = EdgeConfig.builder()
        .namespace(new NamespaceConfig("n", java.util.Optional.empty(), List.of("secret-api-key-0123456789")))
        .peer(new PeerConfig(java.net.URI.create("ws://peer:1"), "secret-peer-key"))
        .tokenSecret("secret-token-secret-0123456789abcdef").build();
    assertThat(c.toString()).contains("apiKeys=1", "ws://peer:1", "(configured)")
        .doesNotContain("secret-api-key", "secret-peer-key", "secret-token-secret");
  }
}
