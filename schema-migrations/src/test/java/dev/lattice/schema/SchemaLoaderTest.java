package dev.lattice.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.crdt.merge.BuiltInHandlers;
import dev.lattice.crdt.type.FieldKind;
import dev.lattice.schema.SchemaException.Reason;
import dev.lattice.schema.access.Rule;
import dev.lattice.schema.load.SchemaLoader;
import dev.lattice.schema.load.SchemaLoader.Source;
import dev.lattice.schema.migrate.MigrationStep;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SchemaLoaderTest {

  @Test
  void theExampleLoadsWithEveryPart() {
    Schema s = Examples.notes();
    assertThat(s.namespace()).isEqualTo("notes-app");
    assertThat(s.currentVersion()).isEqualTo(3);
    assertThat(s.minimumClientVersion()).isEqualTo(1);
    CollectionSpec notes = s.current().collection("notes").orElseThrow();
    assertThat(notes.fields()).containsKeys("headline", "body", "rating", "best", "pinned");
    assertThat(notes.fields().get("best").type()).isEqualTo(FieldType.CUSTOM);
    assertThat(notes.fields().get("best").key().kind()).isEqualTo(FieldKind.MVREG);
    assertThat(notes.fields().get("best").handler()).isSameAs(BuiltInHandlers.MAX);
    assertThat(notes.fields().get("priority").defaultValue()).isEqualTo(dev.lattice.crdt.value.Value.of(0L));
    assertThat(notes.fields().get("pinned").writeRules()).containsExactly(new Rule.Role("admin"));
    assertThat(notes.serverOnlyFields()).containsExactly("reviewNote", "score");
    assertThat(notes.access().read()).containsExactly(Rule.OWNER, Rule.PUBLIC, new Rule.Role("moderator"));
    assertThat(s.version(2).steps("notes")).hasSize(4).first().isEqualTo(new MigrationStep.Rename("text", "body", 33));
    assertThat(s.version(3).steps("notes").get(1)).isInstanceOf(MigrationStep.Convert.class);
  }

  @Test
  void filesLoadInAnyOrderAndFromADirectory(@TempDir Path dir) throws Exception {
    List<Source> reversed = new java.util.ArrayList<>(Examples.notesSources());
    java.util.Collections.reverse(reversed);
    assertThat(new SchemaLoader().load(reversed).currentVersion()).isEqualTo(3);
    for (Source src : Examples.notesSources()) {
      Files.write(dir.resolve(src.name()), src.content());
    }
    Files.writeString(dir.resolve("README.txt"), "not a schema");
    assertThat(new SchemaLoader().loadDirectory(dir).currentVersion()).isEqualTo(3);
  }

  @Test
  void jsonIsAcceptedToo() throws Exception {
    String json = """
        {"namespace": "j", "version": 1,
         "collections": {"items": {"fields": {"name": {"type": "lww", "value": {"type": "string", "maxLength": 5}},
                                               "n": "counter"},
                                    "access": {"read": ["authenticated"], "write": ["role:admin"]}}}}
        """;
    Schema s = new SchemaLoader().load(List.of(Source.of("j.v1.json", json)));
    assertThat(s.current().collection("items").orElseThrow().fields().get("n").type()).isEqualTo(FieldType.COUNTER);
  }

  private static final String BASE = """
      namespace: t
      version: 1
      collections:
        items:
          fields:
            name: { type: lww, value: { type: string, maxLength: 10 } }
            owner: lww
          access:
            owner: owner
            read: [owner]
            write: [owner]
      """;

  /** One row per kind of error: the file, the reason, the line, and the path the message must name. */
  static Stream<Arguments> errors() {
    return Stream.of(
        row("syntax", "namespace: t\nversion: 1\ncollections:\n  items: [\n", Reason.SYNTAX, 4, ""),
        row("missing namespace", "version: 1\ncollections: {}\n", Reason.MISSING, 1, "namespace"),
        row("typo in a key", BASE.replace("    fields:", "    feilds:"), Reason.UNKNOWN_KEY, 5, "collections.items.feilds"),
        row("duplicate key", BASE.replace("      owner: lww\n", "      owner: lww\n      name: lww\n"),
            Reason.DUPLICATE_KEY, 8, "collections.items.fields.name"),
        row("version is text", BASE.replace("version: 1", "version: one"), Reason.WRONG_TYPE, 2, "version"),
        row("unknown field type", BASE.replace("owner: lww", "owner: register"), Reason.INVALID_VALUE, 7,
            "collections.items.fields.owner"),
        row("bound that does not apply", BASE.replace("maxLength: 10", "max: 10"), Reason.INVALID_VALUE, 6,
            "collections.items.fields.name.value.max"),
        row("min above max", BASE.replace("{ type: string, maxLength: 10 }", "{ type: number, min: 5, max: 1 }"),
            Reason.INVALID_VALUE, 6, "collections.items.fields.name.value.max"),
        row("bad field name", BASE.replace("owner: lww", "owner: lww\n      2bad: lww"), Reason.INVALID_VALUE, 8,
            "collections.items.fields.2bad"),
        row("owner field not declared", BASE.replace("owner: owner", "owner: author"), Reason.BAD_REFERENCE, 9,
            "collections.items.access.owner"),
        row("unknown access rule", BASE.replace("read: [owner]", "read: [owner, everyone]"), Reason.INVALID_VALUE, 10,
            "collections.items.access.read[1]"),
        row("public as a write rule", BASE.replace("owner: lww", "owner: lww\n      pub: flag")
            .replace("owner: owner", "owner: owner\n      public: pub").replace("write: [owner]", "write: [public]"),
            Reason.INVALID_VALUE, 13, "collections.items.access.write[0]"),
        row("manifest names an unknown field", BASE + "replication:\n  exclude:\n    items: [secret]\n",
            Reason.BAD_REFERENCE, 14, "replication.exclude.items[0]"),
        row("default breaks the value schema", BASE.replace("maxLength: 10 }", "maxLength: 10 }, default: \"far too long\""),
            Reason.INVALID_VALUE, 6, "collections.items.fields.name.default"),
        row("default on a counter", BASE.replace("owner: lww", "owner: lww\n      n: { type: counter, default: 3 }"),
            Reason.INVALID_VALUE, 8, "collections.items.fields.n.default"),
        row("unknown handler", BASE.replace("owner: lww", "owner: lww\n      h: { type: custom, handler: nosuch }"),
            Reason.UNKNOWN_HANDLER, 8, "collections.items.fields.h.handler"),
        row("handler missing on custom", BASE.replace("owner: lww", "owner: lww\n      h: { type: custom }"),
            Reason.MISSING, 8, "collections.items.fields.h.handler"),
        row("handler that is not a join", BASE.replace("owner: lww",
            "owner: lww\n      total: { type: custom, handler: dev.lattice.schema.SumHandler, value: { type: integer, min: 0, max: 9 } }"),
            Reason.NOT_A_JOIN, 8, "collections.items.fields.total.handler"),
        row("handler class that is not a handler", BASE.replace("owner: lww",
            "owner: lww\n      h: { type: custom, handler: java.lang.String }"), Reason.UNKNOWN_HANDLER, 8,
            "collections.items.fields.h.handler"),
        row("migrate in version 1", BASE + "migrate:\n  items:\n    - add: x\n", Reason.INVALID_VALUE, 12, "migrate"));
  }

  private static Arguments row(String name, String yaml, Reason reason, int line, String path) {
    return Arguments.of(name, yaml, reason, line, path);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("errors")
  void eachErrorNamesFileLineAndField(String name, String yaml, Reason reason, int line, String path) {
    assertThatThrownBy(() -> new SchemaLoader().load(List.of(Source.of("bad.yaml", yaml))))
        .isInstanceOfSatisfying(SchemaException.class, e -> {
          assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
          assertThat(e.file()).isEqualTo("bad.yaml");
          assertThat(e.line()).as(e.getMessage()).isEqualTo(line);
          assertThat(e.path()).as(e.getMessage()).isEqualTo(path);
          assertThat(e.getMessage()).startsWith("bad.yaml:" + line + ":").contains(path);
        });
  }

  private static final String V2_HEAD = """
      namespace: t
      version: 2
      collections:
        items:
          fields:
      """;

  /** Errors that only show against the previous version; each row is the second file. */
  static Stream<Arguments> historyErrors() {
    return Stream.of(
        row("field added without a step", V2_HEAD + "        name: lww\n        owner: lww\n        extra: lww\n",
            Reason.MIGRATION_MISMATCH, 8, "collections.items.fields.extra"),
        row("field dropped without a step", V2_HEAD + "        name: lww\n", Reason.MIGRATION_MISMATCH, 5,
            "collections.items.fields"),
        row("type change without convert", V2_HEAD + "        name: mvreg\n        owner: lww\n",
            Reason.MIGRATION_MISMATCH, 6, "collections.items.fields.name"),
        row("rename of a missing field", V2_HEAD + "        name: lww\n        owner: lww\n        b: lww\n"
            + "migrate:\n  items:\n    - rename: { from: nope, to: b }\n", Reason.MIGRATION_MISMATCH, 11, "migrate.items[0]"),
        row("name reused after a rename", V2_HEAD + "        label: lww\n        owner: lww\n        name: lww\n"
            + "migrate:\n  items:\n    - rename: { from: name, to: label }\n    - add: name\n",
            Reason.MIGRATION_MISMATCH, 12, "migrate.items[1]"),
        row("unknown converter", V2_HEAD + "        name: lww\n        owner: lww\n"
            + "migrate:\n  items:\n    - convert: { field: name, converter: rot13 }\n", Reason.UNKNOWN_CONVERTER, 10,
            "migrate.items[0].convert.converter"),
        row("convert without a value schema", V2_HEAD + "        name: mvreg\n        owner: lww\n"
            + "migrate:\n  items:\n    - convert: { field: name, converter: number-to-string }\n",
            Reason.MIGRATION_MISMATCH, 10, "migrate.items[0]"),
        row("a gap in versions", V2_HEAD.replace("version: 2", "version: 3") + "        name: lww\n        owner: lww\n",
            Reason.VERSION_SEQUENCE, 2, "version"),
        row("another namespace", V2_HEAD.replace("namespace: t", "namespace: u") + "        name: lww\n        owner: lww\n",
            Reason.VERSION_SEQUENCE, 1, "namespace"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("historyErrors")
  void historyErrorsNameTheLaterFile(String name, String yaml, Reason reason, int line, String path) {
    assertThatThrownBy(() -> new SchemaLoader().load(List.of(Source.of("v1.yaml", BASE), Source.of("v2.yaml", yaml))))
        .isInstanceOfSatisfying(SchemaException.class, e -> {
          assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
          assertThat(e.file()).isEqualTo("v2.yaml");
          assertThat(e.line()).as(e.getMessage()).isEqualTo(line);
          assertThat(e.path()).as(e.getMessage()).isEqualTo(path);
        });
  }

  @Test
  void nameReuseAcrossVersionsIsRefused() {
    String v2 = V2_HEAD + "        label: lww\n        owner: lww\nmigrate:\n  items:\n    - rename: { from: name, to: label }\n";
    String v3 = V2_HEAD.replace("version: 2", "version: 3")
        + "        label: lww\n        owner: lww\n        name: lww\nmigrate:\n  items:\n    - add: name\n";
    assertThatThrownBy(() -> new SchemaLoader().load(List.of(Source.of("v1.yaml", BASE), Source.of("v2.yaml", v2),
        Source.of("v3.yaml", v3))))
        .isInstanceOfSatisfying(SchemaException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.NAME_REUSED);
          assertThat(e.file()).isEqualTo("v3.yaml");
          assertThat(e.line()).isEqualTo(11);
        });
  }

  @Test
  void limitsAreEnforced() {
    SchemaLimits small = new SchemaLimits(200, 4, 20, 1 << 20, 100, 1);
    SchemaLoader loader = new SchemaLoader(small, getClass().getClassLoader());
    assertThatThrownBy(() -> loader.load(List.of(Source.of("big.yaml", BASE))))
        .isInstanceOfSatisfying(SchemaException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE);
          assertThat(e.getMessage()).contains("over the limit of 200");
        });
    SchemaLoader deepLimit = new SchemaLoader(new SchemaLimits(1 << 20, 4, 1000, 1 << 20, 100, 1),
        getClass().getClassLoader());
    assertThatThrownBy(() -> deepLimit.load(List.of(Source.of("deep.yaml", BASE))))
        .isInstanceOfSatisfying(SchemaException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.LIMIT);
          assertThat(e.line()).isPositive();
          assertThat(e.getMessage()).containsIgnoringCase("depth");
        });
    SchemaLoader stringLimit = new SchemaLoader(new SchemaLimits(1 << 20, 32, 20, 1 << 20, 100, 1),
        getClass().getClassLoader());
    assertThatThrownBy(() -> stringLimit.load(List.of(Source.of("s.json",
        "{\"namespace\": \"" + "n".repeat(50) + "\"}"))))
        .isInstanceOfSatisfying(SchemaException.class, e -> assertThat(e.reason()).isEqualTo(Reason.LIMIT));
  }
}
