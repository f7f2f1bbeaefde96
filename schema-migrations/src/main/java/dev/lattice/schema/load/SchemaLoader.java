package dev.lattice.schema.load;

import dev.lattice.crdt.merge.MergeLaws;
import dev.lattice.schema.Schema;
import dev.lattice.schema.SchemaException;
import dev.lattice.schema.SchemaException.Reason;
import dev.lattice.schema.SchemaLimits;
import dev.lattice.schema.SchemaVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Loads a namespace's schema: one file per version (YAML, or JSON for {@code .json} names), each
 * declaring the whole schema at that version plus the migration from the previous one. Every
 * error is a {@link SchemaException} naming the file, line, column and entry.
 *
 * <p>One file per version, rather than one file holding every version, keeps each version
 * readable on its own (what a client on version 2 sees is exactly file 2) and lets a deploy add a
 * version by adding a file, leaving the old ones byte-for-byte untouched.
 */
public final class SchemaLoader {
  private final SchemaLimits limits;
  private final HandlerResolver resolver;
  private final TreeReader reader;

  /** A loader with {@link SchemaLimits#DEFAULT} that resolves handlers through this class's loader. */
  public SchemaLoader() {
    this(SchemaLimits.DEFAULT, SchemaLoader.class.getClassLoader());
  }

  /** @param classLoader where {@code ServiceLoader} and class names find handlers and converters */
  public SchemaLoader(SchemaLimits limits, ClassLoader classLoader) {
    this.limits = Objects.requireNonNull(limits, "limits");
    this.resolver = new HandlerResolver(Objects.requireNonNull(classLoader, "classLoader"));
    this.reader = new TreeReader(limits);
  }

  /** One file's name (used in messages and to tell JSON from YAML) and bytes. */
  public record Source(String name, byte[] content) {
    public Source {
      Objects.requireNonNull(name, "name");
      content = content.clone();
    }

    @Override
    public byte[] content() {
      return content.clone();
    }

    public static Source of(String name, String text) {
      return new Source(name, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads at most {@code maxBytes} + 1 bytes, so an oversized file is refused without being read
     * whole.
     *
     * @throws SchemaException IO if the file cannot be read
     */
    public static Source of(Path path, int maxBytes) throws SchemaException {
      try (InputStream in = Files.newInputStream(path)) {
        return new Source(path.getFileName().toString(), in.readNBytes(maxBytes + 1));
      } catch (IOException e) {
        throw new SchemaException(Reason.IO, path.toString(), 0, 0, "", "cannot read: " + e);
      }
    }
  }

  /**
   * Loads every {@code .yaml}, {@code .yml} and {@code .json} file of {@code directory} as the
   * versions of one namespace.
   *
   * @throws SchemaException for the first problem found, in version order
   */
  public Schema loadDirectory(Path directory) throws SchemaException {
    List<Source> sources = new ArrayList<>();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path p : files.sorted().toList()) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (Files.isRegularFile(p) && (n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json"))) {
          sources.add(Source.of(p, limits.maxFileBytes()));
        }
      }
    } catch (IOException e) {
      throw new SchemaException(Reason.IO, directory.toString(), 0, 0, "", "cannot list: " + e);
    }
    return load(sources);
  }

  /**
   * Loads the given files as versions 1..n of one namespace, in any order. The minimum client
   * version is the newest file's {@code minimumClientVersion}, or 1.
   *
   * @throws SchemaException for the first problem found
   */
  public Schema load(List<Source> sources) throws SchemaException {
    if (sources.isEmpty()) {
      throw new SchemaException(Reason.VERSION_SEQUENCE, "(no files)", 0, 0, "", "a schema needs at least one file");
    }
    Map<List<Object>, Optional<MergeLaws.Counterexample>> lawCache = new HashMap<>();
    List<Parsed> parsed = new ArrayList<>();
    for (Source s : sources) {
      Node root = reader.read(s.name(), s.content);
      SchemaVersion v = new VersionParser(s.name(), resolver, limits, lawCache).parse(root);
      parsed.add(new Parsed(v, locations(root)));
    }
    parsed.sort(Comparator.comparingInt(p -> p.version.version()));
    String namespace = parsed.get(0).version.namespace();
    for (int i = 0; i < parsed.size(); i++) {
      SchemaVersion v = parsed.get(i).version;
      int[] at = parsed.get(i).locations.getOrDefault("version", new int[] {0, 0});
      if (!v.namespace().equals(namespace)) {
        int[] ns = parsed.get(i).locations.getOrDefault("namespace", new int[] {0, 0});
        throw new SchemaException(Reason.VERSION_SEQUENCE, v.file(), ns[0], ns[1], "namespace",
            "namespace '" + v.namespace() + "' differs from '" + namespace + "' in " + parsed.get(0).version.file());
      }
      if (v.version() != i + 1) {
        String detail = i > 0 && v.version() == parsed.get(i - 1).version.version()
            ? "version " + v.version() + " is also declared by " + parsed.get(i - 1).version.file()
            : "expected version " + (i + 1) + " (versions run 1, 2, 3... without gaps), got " + v.version();
        throw new SchemaException(Reason.VERSION_SEQUENCE, v.file(), at[0], at[1], "version", detail);
      }
    }
    List<SchemaVersion> versions = parsed.stream().map(p -> p.version).toList();
    new HistoryValidator().check(versions, parsed.stream().map(p -> p.locations).toList());
    Integer minimum = versions.get(versions.size() - 1).minimumClientVersion();
    return new Schema(versions, minimum == null ? 1 : minimum);
  }

  /** Parses one file on its own: everything but the checks against other versions. */
  public SchemaVersion parse(Source source) throws SchemaException {
    return new VersionParser(source.name(), resolver, limits, new HashMap<>()).parse(reader.read(source.name(), source.content));
  }

  private record Parsed(SchemaVersion version, Map<String, int[]> locations) {}

  private static Map<String, int[]> locations(Node root) {
    Map<String, int[]> out = new HashMap<>();
    walk(root, out);
    return out;
  }

  private static void walk(Node n, Map<String, int[]> out) {
    out.put(n.path(), new int[] {n.line(), n.column()});
    if (n instanceof Node.MapNode m) {
      m.entries().values().forEach(c -> walk(c, out));
    } else if (n instanceof Node.ListNode l) {
      l.items().forEach(c -> walk(c, out));
    }
  }
}
