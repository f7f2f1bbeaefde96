package dev.lattice.schema;

import dev.lattice.schema.load.SchemaLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** The three-version {@code notes-app} schema in test resources, also shown in docs/SCHEMA.md. */
public final class Examples {
  private Examples() {}

  public static String resource(String name) {
    try (InputStream in = Examples.class.getResourceAsStream("/notes/" + name)) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static List<SchemaLoader.Source> notesSources() {
    List<SchemaLoader.Source> out = new ArrayList<>();
    for (int v = 1; v <= 3; v++) {
      out.add(SchemaLoader.Source.of("notes.v" + v + ".yaml", resource("notes.v" + v + ".yaml")));
    }
    return out;
  }

  public static Schema notes() {
    try {
      return new SchemaLoader().load(notesSources());
    } catch (SchemaException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }
}
