package dev.lattice.edge.cli;

import static dev.lattice.edge.EdgeNodeTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.edge.EdgeNode;
import dev.lattice.edge.EdgeNodeTestSupport;
import dev.lattice.edge.config.EdgeConfig;
import dev.lattice.schema.Claims;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@ExtendWith(VertxExtension.class)
class EdgeCommandTest {

  private static EdgeCommand parse(String... args) {
    EdgeCommand command = new EdgeCommand();
    new CommandLine(command).parseArgs(args);
    return command;
  }

  private static String group(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertThat(m.find()).as("%s in:%n%s", regex, text).isTrue();
    return m.group(1);
  }

  @Test
  void onEmbeddedDefaultsTheBannerPrintsAWorkingKeyAndToken(Vertx vertx, @TempDir Path dir) throws Exception {
    EdgeCommand command = parse("--data", dir.toString(), "--port", "0");
    StringWriter text = new StringWriter();
    EdgeNode node = await(command.start(vertx, new PrintWriter(text)));
    try {
      String banner = text.toString();
      assertThat(banner).contains("listening on 0.0.0.0:" + node.port(), "dev (schemaless)");
      String key = group(banner, "API key +(\\S+)");
      String token = group(banner, "user token +(\\S+)");
      assertThat(key).isEqualTo(Files.readString(dir.resolve(EdgeConfig.DEV_KEY_FILE)).strip());
      assertThat(node.authenticator().authenticate("dev", key)).isEqualTo(Claims.ofServer());
      assertThat(node.authenticator().authenticate("dev", token)).isEqualTo(Claims.user("dev"));
      assertThat(node.tokenSigner().verify(token).expiresAtEpochSeconds())
          .isGreaterThan(java.time.Instant.now().plus(java.time.Duration.ofDays(29)).getEpochSecond());
      EdgeNodeTestSupport.Response health = await(EdgeNodeTestSupport.get(vertx.createHttpClient(), node.port(),
          "/health", null));
      assertThat(health.status()).isEqualTo(200);
    } finally {
      await(node.close());
    }
  }

  @Test
  void aConfigFileIsLoadedAndNoSecretIsPrinted(Vertx vertx, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("edge.yaml");
    Files.writeString(file, """
        port: 1
        dataDir: store
        namespaces:
          - { name: dev, apiKeys: [ "a-configured-key-0123456789" ] }
        """);
    EdgeCommand command = parse("--config", file.toString(), "--port", "0");
    EdgeConfig config = command.resolveConfig();
    assertThat(config.port()).as("--port overrides the file").isZero();
    assertThat(config.dataDir()).isEqualTo(dir.resolve("store"));
    StringWriter text = new StringWriter();
    EdgeNode node = await(command.start(vertx, new PrintWriter(text)));
    try {
      assertThat(text.toString()).contains("dev (schemaless)").doesNotContain("a-configured-key", "API key");
    } finally {
      await(node.close());
    }
  }

  @Test
  void peersTakeOneKeyForAllOrOneEach(@TempDir Path dir) throws Exception {
    EdgeConfig shared = parse("--data", dir.toString(), "--peer", "ws://a:1", "--peer", "ws://b:2", "--peer-key", "k")
        .resolveConfig();
    assertThat(shared.peers()).extracting(p -> p.url().toString() + "=" + p.apiKey()).containsExactly("ws://a:1=k",
        "ws://b:2=k");
    EdgeConfig each = parse("--data", dir.toString(), "--peer", "ws://a:1", "--peer-key", "ka", "--peer", "ws://b:2",
        "--peer-key", "kb").resolveConfig();
    assertThat(each.peers()).extracting(p -> p.apiKey()).containsExactly("ka", "kb");
    assertThat(each.peers().get(0).url()).isEqualTo(URI.create("ws://a:1"));
    assertThatThrownBy(() -> parse("--data", dir.toString(), "--peer", "ws://a:1").resolveConfig())
        .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--peer-key");
    assertThatThrownBy(() -> parse("--data", dir.toString(), "--peer", "http://a:1", "--peer-key", "k").resolveConfig())
        .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("ws://host:port");
    assertThatThrownBy(() -> parse("--data", dir.toString(), "--peer-key", "k").resolveConfig())
        .isInstanceOf(CommandLine.ParameterException.class);
  }

  @Test
  void theCommandLineListsEdgeAndReportsFailuresWithAnExitCode(@TempDir Path dir) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new LatticeCli()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
    assertThat(cli.execute("--help")).isZero();
    assertThat(out.toString()).contains("edge", "Starts an edge node");
    assertThat(cli.execute("edge", "--help")).isZero();
    assertThat(out.toString()).contains("--data", "--port", "--peer", "--peer-key", "--config");
    assertThat(cli.execute("edge", "--config", dir.resolve("absent.yaml").toString())).isEqualTo(1);
    assertThat(err.toString()).contains("absent.yaml", "cannot read");
    assertThat(cli.execute("edge", "--port", "many")).isEqualTo(2);
  }
}
