package dev.lattice.edge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.edge.config.EdgeConfigException.Reason;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EdgeConfigLoaderTest {
  private static final Path BASE = Path.of("/etc/lattice");
  private static final String KEY = "a-key-of-sixteen-or-more";
  private final EdgeConfigLoader loader = new EdgeConfigLoader();

  private EdgeConfig parse(String yaml) throws EdgeConfigException {
    return loader.parse("edge.yaml", yaml, BASE);
  }

  private static String minimal(String extra) {
    return "namespaces:\n  - name: notes\n" + extra;
  }

  @Test
  void aFullFileReadsEveryKey() throws Exception {
    EdgeConfig c = parse("""
        host: 127.0.0.1
        port: 9000
        dataDir: ./var/data
        tokenSecret: "0123456789abcdef0123456789abcdef"
        namespaces:
          - name: notes
            schemaDir: schemas/notes
            apiKeys: [ "%s" ]
          - name: dev
        peers:
          - { url: "ws://eu-1.example.net:8080", apiKey: "peer-key" }
        limits:
          maxFrameBytes: 512KiB
          maxMessageBytes: 4 MiB
          idleTimeout: 90s
          messagesPerSecond: 50
          burst: 60
          outboundBufferBytes: 1000000
          maxConnections: 500
        allowedOrigins: [ "HTTPS://App.Example.com:443", "http://localhost:3000" ]
        antiEntropyInterval: PT2M
        compaction: { keepPerReplica: 10, maxAge: 7d, interval: 15m }
        """.formatted(KEY));
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isEqualTo(9000);
    assertThat(c.dataDir()).isEqualTo(Path.of("/etc/lattice/var/data"));
    assertThat(c.tokenSecret()).contains("0123456789abcdef0123456789abcdef");
    assertThat(c.namespaces()).containsExactly(
        new NamespaceConfig("notes", Optional.of(Path.of("/etc/lattice/schemas/notes")), List.of(KEY)),
        new NamespaceConfig("dev", Optional.empty(), List.of()));
    assertThat(c.peers()).containsExactly(new PeerConfig(URI.create("ws://eu-1.example.net:8080"), "peer-key"));
    assertThat(c.limits()).isEqualTo(new Limits(512 * 1024, 4 * 1024 * 1024, Duration.ofSeconds(90), 50, 60, 1_000_000,
        500));
    assertThat(c.allowedOrigins()).containsExactly("https://app.example.com", "http://localhost:3000");
    assertThat(c.antiEntropyInterval()).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.compaction()).isEqualTo(new Compaction(10, Duration.ofDays(7), Duration.ofMinutes(15)));
  }

  @Test
  void absentKeysTakeTheDefaults() throws Exception {
    EdgeConfig c = parse(minimal(""));
    assertThat(c.host()).isEqualTo("0.0.0.0");
    assertThat(c.port()).isEqualTo(8080);
    assertThat(c.dataDir()).isEqualTo(Path.of("data"));
    assertThat(c.tokenSecret()).isEmpty();
    assertThat(c.peers()).isEmpty();
    assertThat(c.limits()).isEqualTo(Limits.DEFAULT);
    assertThat(c.limits().maxFrameBytes()).isEqualTo(1024 * 1024);
    assertThat(c.limits().maxMessageBytes()).isEqualTo(8 * 1024 * 1024);
    assertThat(c.limits().idleTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.limits().messagesPerSecond()).isEqualTo(200);
    assertThat(c.limits().burst()).isEqualTo(400);
    assertThat(c.limits().outboundBufferBytes()).isEqualTo(8L * 1024 * 1024);
    assertThat(c.limits().maxConnections()).isEqualTo(10_000);
    assertThat(c.allowedOrigins()).isEmpty();
    assertThat(c.antiEntropyInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.compaction()).isEqualTo(Compaction.DEFAULT);
  }

  @Test
  void loadsFromAFileAndResolvesPathsAgainstItsDirectory(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("edge.yaml");
    Files.writeString(file, "dataDir: store\nnamespaces: [ { name: n, schemaDir: ../schemas } ]\n");
    EdgeConfig c = loader.load(file);
    assertThat(c.dataDir()).isEqualTo(dir.resolve("store"));
    assertThat(c.namespaces().get(0).schemaDir()).contains(dir.getParent().resolve("schemas"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      unknown top-level key      | namespaces: [ {name: n} ]\\nprot: 80                     | UNKNOWN_KEY   | prot
      unknown nested key         | namespaces: [ {name: n, apikeys: []} ]                 | UNKNOWN_KEY   | namespaces[0].apikeys
      unknown limits key         | namespaces: [ {name: n} ]\\nlimits: { maxFrame: 1 }     | UNKNOWN_KEY   | limits.maxFrame
      missing namespaces         | port: 80                                               | MISSING_KEY   | namespaces
      missing namespace name     | namespaces: [ {schemaDir: x} ]                         | MISSING_KEY   | namespaces[0].name
      missing peer key           | namespaces: [ {name: n} ]\\npeers: [ {url: 'ws://a:1'} ] | MISSING_KEY | peers[0].apiKey
      port is text               | namespaces: [ {name: n} ]\\nport: eighty               | INVALID_VALUE | port
      port out of range          | namespaces: [ {name: n} ]\\nport: 70000                | INVALID_VALUE | port must be in [0, 65535]
      bad size                   | namespaces: [ {name: n} ]\\nlimits: { maxFrameBytes: big } | INVALID_VALUE | limits.maxFrameBytes
      duration without unit      | namespaces: [ {name: n} ]\\nlimits: { idleTimeout: 60 } | INVALID_VALUE | limits.idleTimeout
      message below frame        | namespaces: [ {name: n} ]\\nlimits: { maxFrameBytes: 2MiB, maxMessageBytes: 1MiB } | INVALID_VALUE | maxMessageBytes must be
      namespaces not a list      | namespaces: { name: n }                                | INVALID_VALUE | namespaces
      bad namespace name         | namespaces: [ {name: 'a b'} ]                          | INVALID_VALUE | namespaces[0]
      duplicate namespace        | namespaces: [ {name: n}, {name: n} ]                   | INVALID_VALUE | namespaces[1].name 'n' is a duplicate
      short api key              | namespaces: [ {name: n, apiKeys: [short]} ]            | INVALID_VALUE | apiKeys[0] must be 16 to 256
      short token secret         | namespaces: [ {name: n} ]\\ntokenSecret: tiny          | INVALID_VALUE | tokenSecret must be at least 32 bytes
      peer not ws                | namespaces: [ {name: n} ]\\npeers: [ {url: 'http://a:1', apiKey: k} ] | INVALID_VALUE | peers[0]
      origin with a path         | namespaces: [ {name: n} ]\\nallowedOrigins: [ 'https://a.b/x' ] | INVALID_VALUE | allowedOrigins[0]
      numeric api key            | namespaces: [ {name: n, apiKeys: [1234567890123456789]} ] | INVALID_VALUE | quote it
      negative keepPerReplica    | namespaces: [ {name: n} ]\\ncompaction: { keepPerReplica: -1 } | INVALID_VALUE | compaction
      not yaml                   | 'namespaces: [ {name: n'                               | SYNTAX        | not valid YAML
      duplicate yaml key         | namespaces: [ {name: n} ]\\nport: 1\\nport: 2          | SYNTAX        | port
      empty file                 | ''                                                     | MISSING_KEY   | empty
      """)
  void errorsNameTheKey(String title, String yaml, Reason reason, String mentioned) {
    String text = yaml.replace("\\n", "\n");
    assertThatThrownBy(() -> parse(text))
        .as(title)
        .isInstanceOfSatisfying(EdgeConfigException.class, e -> assertThat(e.reason()).isEqualTo(reason))
        .hasMessageStartingWith("edge.yaml")
        .hasMessageContaining(mentioned);
  }

  @Test
  void anUnknownKeyListsTheKnownOnes() {
    assertThatThrownBy(() -> parse(minimal("limits:\n  maxFrameSize: 1MiB\n")))
        .hasMessage("edge.yaml: limits.maxFrameSize: unknown key (known here: burst, idleTimeout, maxConnections,"
            + " maxFrameBytes, maxMessageBytes, messagesPerSecond, outboundBufferBytes)")
        .isInstanceOfSatisfying(EdgeConfigException.class, e -> assertThat(e.key()).isEqualTo("limits.maxFrameSize"));
  }

  @Test
  void aMissingFileIsAnIoError(@TempDir Path dir) {
    assertThatThrownBy(() -> loader.load(dir.resolve("absent.yaml")))
        .isInstanceOfSatisfying(EdgeConfigException.class, e -> assertThat(e.reason()).isEqualTo(Reason.IO))
        .hasMessageContaining("absent.yaml");
  }

  @Test
  void anOversizedFileIsRefusedUnread(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("big.yaml");
    Files.writeString(file, "# " + "x".repeat(EdgeConfigLoader.MAX_FILE_BYTES) + "\n");
    assertThatThrownBy(() -> loader.load(file)).hasMessageContaining("larger than");
  }

  @Test
  void sizesAndDurationsAcceptTheirUnits() throws Exception {
    EdgeConfig c = parse(minimal("""
        limits:
          maxFrameBytes: 64kib
          maxMessageBytes: 1MB
          outboundBufferBytes: 2 GiB
          idleTimeout: 1500ms
        antiEntropyInterval: 1h
        compaction: { maxAge: 2d, interval: 5m }
        """));
    assertThat(c.limits().maxFrameBytes()).isEqualTo(65_536);
    assertThat(c.limits().maxMessageBytes()).isEqualTo(1_000_000);
    assertThat(c.limits().outboundBufferBytes()).isEqualTo(2L << 30);
    assertThat(c.limits().idleTimeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(c.antiEntropyInterval()).isEqualTo(Duration.ofHours(1));
    assertThat(c.compaction().maxAge()).isEqualTo(Duration.ofDays(2));
  }
}
