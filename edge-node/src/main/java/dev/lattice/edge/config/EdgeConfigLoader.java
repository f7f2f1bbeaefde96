package dev.lattice.edge.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.lattice.edge.config.EdgeConfigException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an {@link EdgeConfig} from a YAML file. Every key is optional except each namespace's
 * {@code name} and each peer's {@code url} and {@code apiKey}; unknown keys are errors (a typo must
 * not silently mean "not set"), and every error names the file and the key's dotted path.
 *
 * <pre>{@code
 * host: 0.0.0.0
 * port: 8080
 * dataDir: ./data                 # relative paths are resolved against this file's directory
 * tokenSecret: ...                # at least 32 bytes; absent: generated into <dataDir>/token-secret
 * namespaces:
 *   - name: notes
 *     schemaDir: ./schemas/notes  # absent: schemaless
 *     apiKeys: [ "a-long-random-key-for-backends" ]
 * peers:
 *   - { url: "ws://eu-1.example.net:8080", apiKey: "..." }
 * limits:
 *   maxFrameBytes: 1MiB           # sizes: bytes, or a number with B, KiB, MiB, GiB, KB, MB, GB
 *   maxMessageBytes: 8MiB
 *   idleTimeout: 60s              # durations need a unit: ms, s, m, h, d, or ISO-8601 (PT1M)
 *   messagesPerSecond: 200
 *   burst: 400
 *   outboundBufferBytes: 8MiB
 *   maxConnections: 10000
 * allowedOrigins: [ "https://app.example.com" ]
 * antiEntropyInterval: 30s
 * compaction: { keepPerReplica: 100000, maxAge: 30d, interval: 1h }
 * }</pre>
 *
 * <p>Relative paths resolve against the file's directory, so a configuration means the same
 * whatever directory the node is started from.
 */
public final class EdgeConfigLoader {
  /** A configuration file larger than this is refused unread. */
  public static final int MAX_FILE_BYTES = 1024 * 1024;

  private static final Set<String> TOP = keys("host", "port", "dataDir", "namespaces", "tokenSecret", "peers", "limits",
      "allowedOrigins", "antiEntropyInterval", "compaction");
  private static final Set<String> NAMESPACE = keys("name", "schemaDir", "apiKeys");
  private static final Set<String> PEER = keys("url", "apiKey");
  private static final Set<String> LIMITS = keys("maxFrameBytes", "maxMessageBytes", "idleTimeout", "messagesPerSecond",
      "burst", "outboundBufferBytes", "maxConnections");
  private static final Set<String> COMPACTION = keys("keepPerReplica", "maxAge", "interval");

  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB|KB|MB|GB)?", Pattern.CASE_INSENSITIVE);
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private final ObjectMapper mapper;

  public EdgeConfigLoader() {
    // The file is capped at MAX_FILE_BYTES before it is parsed, and SnakeYAML's own defaults bound
    // aliases (50) and nesting (50); Jackson's constraints bound the rest. Duplicate keys are
    // errors: YAML would otherwise keep the last one silently.
    YAMLFactory factory = YAMLFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).maxStringLength(64 * 1024).build())
        .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();
    this.mapper = new ObjectMapper(factory);
  }

  /**
   * Loads {@code file}; relative paths in it resolve against its directory.
   *
   * @throws EdgeConfigException naming the file and the key at fault
   */
  public EdgeConfig load(Path file) throws EdgeConfigException {
    byte[] content;
    try (InputStream in = Files.newInputStream(file)) {
      content = in.readNBytes(MAX_FILE_BYTES + 1);
    } catch (IOException e) {
      throw new EdgeConfigException(Reason.IO, file.toString(), "", "cannot read: " + e, e);
    }
    if (content.length > MAX_FILE_BYTES) {
      throw new EdgeConfigException(Reason.SYNTAX, file.toString(), "", "larger than " + MAX_FILE_BYTES + " bytes");
    }
    Path base = file.toAbsolutePath().getParent();
    return parse(file.toString(), new String(content, StandardCharsets.UTF_8), base);
  }

  /**
   * Parses YAML text named {@code source} in messages.
   *
   * @param baseDir what relative paths resolve against
   * @throws EdgeConfigException naming the source and the key at fault
   */
  public EdgeConfig parse(String source, String yaml, Path baseDir) throws EdgeConfigException {
    JsonNode root;
    try {
      root = mapper.readTree(yaml);
    } catch (JacksonException e) {
      throw new EdgeConfigException(Reason.SYNTAX, source, "", "not valid YAML: " + e.getOriginalMessage(), e);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new EdgeConfigException(Reason.MISSING_KEY, source, "", "the file is empty; it needs at least 'namespaces'");
    }
    return new Reading(source, baseDir).config(root);
  }

  private static Set<String> keys(String... names) {
    return new TreeSet<>(List.of(names));
  }

  /** One pass over one file's tree, carrying the file name for messages. */
  private static final class Reading {
    private final String source;
    private final Path base;

    Reading(String source, Path base) {
      this.source = source;
      this.base = base;
    }

    EdgeConfig config(JsonNode root) throws EdgeConfigException {
      ObjectNode top = object(root, "");
      known(top, "", TOP);
      EdgeConfig.Builder b = EdgeConfig.builder();
      if (has(top, "host")) {
        b.host(string(top.get("host"), "host"));
      }
      if (has(top, "port")) {
        b.port(integer(top.get("port"), "port"));
      }
      if (has(top, "dataDir")) {
        b.dataDir(path(top.get("dataDir"), "dataDir"));
      }
      if (!has(top, "namespaces")) {
        throw error(Reason.MISSING_KEY, "namespaces", "required: the list of namespaces this node serves");
      }
      List<NamespaceConfig> namespaces = new ArrayList<>();
      List<JsonNode> nsNodes = list(top.get("namespaces"), "namespaces");
      for (int i = 0; i < nsNodes.size(); i++) {
        namespaces.add(namespace(nsNodes.get(i), "namespaces[" + i + "]"));
      }
      b.namespaces(namespaces);
      if (has(top, "tokenSecret")) {
        b.tokenSecret(string(top.get("tokenSecret"), "tokenSecret"));
      }
      if (has(top, "peers")) {
        List<PeerConfig> peers = new ArrayList<>();
        List<JsonNode> peerNodes = list(top.get("peers"), "peers");
        for (int i = 0; i < peerNodes.size(); i++) {
          peers.add(peer(peerNodes.get(i), "peers[" + i + "]"));
        }
        b.peers(peers);
      }
      if (has(top, "limits")) {
        b.limits(limits(top.get("limits")));
      }
      if (has(top, "allowedOrigins")) {
        List<String> origins = new ArrayList<>();
        List<JsonNode> nodes = list(top.get("allowedOrigins"), "allowedOrigins");
        for (int i = 0; i < nodes.size(); i++) {
          String key = "allowedOrigins[" + i + "]";
          String origin = string(nodes.get(i), key);
          origins.add(validated(key, () -> EdgeConfig.normalizeOrigin(origin, "the value")));
        }
        b.allowedOrigins(origins);
      }
      if (has(top, "antiEntropyInterval")) {
        b.antiEntropyInterval(duration(top.get("antiEntropyInterval"), "antiEntropyInterval"));
      }
      if (has(top, "compaction")) {
        b.compaction(compaction(top.get("compaction")));
      }
      return validated("", b::build);
    }

    private NamespaceConfig namespace(JsonNode node, String at) throws EdgeConfigException {
      ObjectNode o = object(node, at);
      known(o, at, NAMESPACE);
      if (!has(o, "name")) {
        throw error(Reason.MISSING_KEY, at + ".name", "required");
      }
      String name = string(o.get("name"), at + ".name");
      Optional<Path> schemaDir = has(o, "schemaDir") ? Optional.of(path(o.get("schemaDir"), at + ".schemaDir"))
          : Optional.empty();
      List<String> keys = new ArrayList<>();
      if (has(o, "apiKeys")) {
        List<JsonNode> nodes = list(o.get("apiKeys"), at + ".apiKeys");
        for (int i = 0; i < nodes.size(); i++) {
          keys.add(string(nodes.get(i), at + ".apiKeys[" + i + "]"));
        }
      }
      return validated(at, () -> new NamespaceConfig(name, schemaDir, keys));
    }

    private PeerConfig peer(JsonNode node, String at) throws EdgeConfigException {
      ObjectNode o = object(node, at);
      known(o, at, PEER);
      for (String required : List.of("url", "apiKey")) {
        if (!has(o, required)) {
          throw error(Reason.MISSING_KEY, at + "." + required, "required");
        }
      }
      String url = string(o.get("url"), at + ".url");
      URI uri;
      try {
        uri = new URI(url);
      } catch (URISyntaxException e) {
        throw error(Reason.INVALID_VALUE, at + ".url", "not a URL: '" + url + "'");
      }
      String key = string(o.get("apiKey"), at + ".apiKey");
      return validated(at, () -> new PeerConfig(uri, key));
    }

    private Limits limits(JsonNode node) throws EdgeConfigException {
      ObjectNode o = object(node, "limits");
      known(o, "limits", LIMITS);
      Limits.Builder b = Limits.builder();
      if (has(o, "maxFrameBytes")) {
        b.maxFrameBytes(intSize(o.get("maxFrameBytes"), "limits.maxFrameBytes"));
      }
      if (has(o, "maxMessageBytes")) {
        b.maxMessageBytes(intSize(o.get("maxMessageBytes"), "limits.maxMessageBytes"));
      }
      if (has(o, "idleTimeout")) {
        b.idleTimeout(duration(o.get("idleTimeout"), "limits.idleTimeout"));
      }
      if (has(o, "messagesPerSecond")) {
        b.messagesPerSecond(integer(o.get("messagesPerSecond"), "limits.messagesPerSecond"));
      }
      if (has(o, "burst")) {
        b.burst(integer(o.get("burst"), "limits.burst"));
      }
      if (has(o, "outboundBufferBytes")) {
        b.outboundBufferBytes(size(o.get("outboundBufferBytes"), "limits.outboundBufferBytes"));
      }
      if (has(o, "maxConnections")) {
        b.maxConnections(integer(o.get("maxConnections"), "limits.maxConnections"));
      }
      return validated("limits", b::build);
    }

    private Compaction compaction(JsonNode node) throws EdgeConfigException {
      ObjectNode o = object(node, "compaction");
      known(o, "compaction", COMPACTION);
      int keep = has(o, "keepPerReplica") ? integer(o.get("keepPerReplica"), "compaction.keepPerReplica")
          : Compaction.DEFAULT.keepPerReplica();
      Duration maxAge = has(o, "maxAge") ? duration(o.get("maxAge"), "compaction.maxAge") : Compaction.DEFAULT.maxAge();
      Duration interval = has(o, "interval") ? duration(o.get("interval"), "compaction.interval")
          : Compaction.DEFAULT.interval();
      return validated("compaction", () -> new Compaction(keep, maxAge, interval));
    }

    // ---- typed readers; each names the key it reads in its error ----

    private ObjectNode object(JsonNode node, String at) throws EdgeConfigException {
      if (!(node instanceof ObjectNode o)) {
        throw error(Reason.INVALID_VALUE, at, "expected a mapping of keys to values, got " + describe(node));
      }
      return o;
    }

    private void known(ObjectNode o, String at, Set<String> allowed) throws EdgeConfigException {
      for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!allowed.contains(k)) {
          throw error(Reason.UNKNOWN_KEY, at.isEmpty() ? k : at + "." + k, "unknown key (known here: "
              + String.join(", ", allowed) + ")");
        }
      }
    }

    private static boolean has(ObjectNode o, String key) {
      return o.has(key) && !o.get(key).isNull();
    }

    private List<JsonNode> list(JsonNode node, String at) throws EdgeConfigException {
      if (!node.isArray()) {
        throw error(Reason.INVALID_VALUE, at, "expected a list, got " + describe(node));
      }
      List<JsonNode> out = new ArrayList<>();
      node.forEach(out::add);
      return out;
    }

    private String string(JsonNode node, String at) throws EdgeConfigException {
      if (!node.isTextual()) {
        throw error(Reason.INVALID_VALUE, at, "expected a string, got " + describe(node)
            + (node.isNumber() || node.isBoolean() ? " (quote it)" : ""));
      }
      return node.textValue();
    }

    private int integer(JsonNode node, String at) throws EdgeConfigException {
      if (!node.isIntegralNumber() || !node.canConvertToInt()) {
        throw error(Reason.INVALID_VALUE, at, "expected a whole number, got " + describe(node));
      }
      return node.intValue();
    }

    private Path path(JsonNode node, String at) throws EdgeConfigException {
      String text = string(node, at);
      try {
        Path p = Path.of(text);
        return p.isAbsolute() || base == null ? p : base.resolve(p).normalize();
      } catch (java.nio.file.InvalidPathException e) {
        throw error(Reason.INVALID_VALUE, at, "not a path: '" + text + "'");
      }
    }

    private long size(JsonNode node, String at) throws EdgeConfigException {
      if (node.isIntegralNumber() && node.canConvertToLong()) {
        return node.longValue();
      }
      Matcher m = node.isTextual() ? SIZE.matcher(node.textValue().strip()) : null;
      if (m == null || !m.matches()) {
        throw error(Reason.INVALID_VALUE, at, "expected a size such as 65536, 512KiB or 8MiB, got " + describe(node));
      }
      long unit = switch (m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT)) {
        case "kib" -> 1L << 10;
        case "mib" -> 1L << 20;
        case "gib" -> 1L << 30;
        case "kb" -> 1_000L;
        case "mb" -> 1_000_000L;
        case "gb" -> 1_000_000_000L;
        default -> 1L;
      };
      try {
        return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
      } catch (ArithmeticException | NumberFormatException e) {
        throw error(Reason.INVALID_VALUE, at, "too large: " + describe(node));
      }
    }

    private int intSize(JsonNode node, String at) throws EdgeConfigException {
      long v = size(node, at);
      if (v > Integer.MAX_VALUE) {
        throw error(Reason.INVALID_VALUE, at, "too large: " + describe(node));
      }
      return (int) v;
    }

    private Duration duration(JsonNode node, String at) throws EdgeConfigException {
      String hint = "expected a duration with a unit such as 500ms, 30s, 5m, 1h, 7d or PT1M, got " + describe(node);
      if (!node.isTextual()) {
        throw error(Reason.INVALID_VALUE, at, hint);
      }
      String text = node.textValue().strip();
      Matcher m = DURATION.matcher(text);
      try {
        if (m.matches()) {
          long n = Long.parseLong(m.group(1));
          return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
          };
        }
        return Duration.parse(text);
      } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
        throw error(Reason.INVALID_VALUE, at, hint);
      }
    }

    private interface Build<T> {
      T get() throws EdgeConfigException;
    }

    /** Runs a record's own validation and reports its message against the section's key. */
    private <T> T validated(String at, Build<T> build) throws EdgeConfigException {
      try {
        return build.get();
      } catch (IllegalArgumentException e) {
        throw error(Reason.INVALID_VALUE, at, e.getMessage());
      }
    }

    private EdgeConfigException error(Reason reason, String key, String detail) {
      return new EdgeConfigException(reason, source, key, detail);
    }

    private static String describe(JsonNode node) {
      if (node.isObject()) {
        return "a mapping";
      }
      if (node.isArray()) {
        return "a list";
      }
      return node.isTextual() ? "\"" + node.textValue() + "\"" : node.toString();
    }
  }
}
