package dev.lattice.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.value.Value;
import dev.lattice.replica.JsonLinesImport.ImportException;
import dev.lattice.replica.JsonLinesImport.Report;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonLinesImportTest {
  @TempDir Path dir;

  private static ReplicaOptions options() {
    return ReplicaOptions.builder().durability(Durability.COMMIT).role(Role.CLIENT).random(new SplittableRandom(7))
        .build();
  }

  private static Report importText(Replica r, String text) {
    return JsonLinesImport.run(r, "team", new StringReader(text), Durability.COMMIT);
  }

  private static String task(int i) {
    return "{\"collection\":\"tasks\",\"id\":\"t" + i + "\",\"fields\":{\"n\":" + i + "}}";
  }

  /** {@code count} task lines, the line numbered {@code badLine} (from 1) replaced by {@code bad}. */
  private static String tasks(int count, int badLine, String bad) {
    StringBuilder b = new StringBuilder();
    for (int i = 1; i <= count; i++) {
      b.append(i == badLine ? bad : task(i)).append('\n');
    }
    return b.toString();
  }

  private static Value field(Replica r, String collection, String id, String field) {
    return r.namespace("team").collection(collection).get(id).orElseThrow().value(field).orElseThrow();
  }

  @Test
  void everyJsonTypeBecomesTheValueOfItsKindAndSurvivesAReopen() throws Exception {
    String text = "\uFEFF{\"collection\":\"tasks\",\"id\":\"t1\",\"fields\":{\"title\":\"Buy milk \\u00e9\\n\\\"2\\\"\","
        + "\"votes\":3,\"neg\":-9223372036854775808,\"max\":9223372036854775807,\"ratio\":2.5,\"whole\":3.0,"
        + "\"exp\":1e3,\"tiny\":-4.9E-324,\"done\":false,\"ok\":true,\"due\":null,"
        + "\"tags\":[\"home\",1,2.5,true,null,[\"nested\",[]]],\"empty\":[]}}\r\n"
        + "\n   \t\r\n"
        + "{\"fields\":{},\"id\":\"e\",\"collection\":\"tags\"}";
    Path file = dir.resolve("types.mv.db");
    try (Replica r = Replica.open(file, options())) {
      assertThat(importText(r, text)).isEqualTo(new Report(2, 1));
    }
    try (Replica r = Replica.open(file, options())) {
      assertThat(field(r, "tasks", "t1", "title")).isEqualTo(Value.of("Buy milk é\n\"2\""));
      assertThat(field(r, "tasks", "t1", "votes")).isEqualTo(Value.of(3L));
      assertThat(field(r, "tasks", "t1", "neg")).isEqualTo(Value.of(Long.MIN_VALUE));
      assertThat(field(r, "tasks", "t1", "max")).isEqualTo(Value.of(Long.MAX_VALUE));
      assertThat(field(r, "tasks", "t1", "ratio")).isEqualTo(Value.of(2.5));
      assertThat(field(r, "tasks", "t1", "whole")).as("a number with a fraction is a double").isEqualTo(Value.of(3.0));
      assertThat(field(r, "tasks", "t1", "exp")).as("a number with an exponent is a double").isEqualTo(Value.of(1000.0));
      assertThat(field(r, "tasks", "t1", "tiny")).isEqualTo(Value.of(-Double.MIN_VALUE));
      assertThat(field(r, "tasks", "t1", "done")).isEqualTo(Value.FALSE);
      assertThat(field(r, "tasks", "t1", "ok")).isEqualTo(Value.TRUE);
      assertThat(field(r, "tasks", "t1", "due")).as("null is a value, not a removal").isEqualTo(Value.NULL);
      assertThat(field(r, "tasks", "t1", "tags")).isEqualTo(Value.ofList(List.of(Value.of("home"), Value.of(1L),
          Value.of(2.5), Value.TRUE, Value.NULL, Value.ofList(List.of(Value.of("nested"), Value.ofList(List.of()))))));
      assertThat(field(r, "tasks", "t1", "empty")).isEqualTo(Value.ofList(List.of()));
      Document t1 = r.namespace("team").collection("tasks").get("t1").orElseThrow();
      assertThat(t1.string("title")).contains("Buy milk é\n\"2\"");
      assertThat(t1.integer("votes")).hasValue(3);
      assertThat(r.namespace("team").collection("tags").get("e")).as("a line without fields writes nothing").isEmpty();
      r.validate();
    }
  }

  @Test
  void aLineSetsTheFieldsItNamesAndLeavesTheOthers() {
    try (Replica r = Replica.inMemory(options())) {
      Collection tasks = r.namespace("team").collection("tasks");
      tasks.update("t1", doc -> doc.set("title", "old").set("keep", "me").increment("votes", 2));
      importText(r, "{\"collection\":\"tasks\",\"id\":\"t1\",\"fields\":{\"title\":\"new\"}}\n"
          + "{\"collection\":\"tasks\",\"id\":\"t1\",\"fields\":{\"title\":\"newer\",\"done\":true}}\n");
      Document t1 = tasks.get("t1").orElseThrow();
      assertThat(t1.string("title")).as("later lines win").contains("newer");
      assertThat(t1.string("keep")).contains("me");
      assertThat(t1.counter("votes")).isEqualTo(2);
      assertThat(t1.value("done")).contains(Value.TRUE);
      assertThat(r.namespace("team").vector().contiguous(r.id())).as("one dot per line").isEqualTo(3);
    }
  }

  @ParameterizedTest(name = "{0} documents")
  @ValueSource(ints = {0, 1, 999, 1_000, 1_001, 2_500})
  void everyThousandDocumentsAreOneCommit(int count) {
    try (Replica r = Replica.inMemory(options())) {
      r.namespace("team");
      long commitsBefore = r.metrics().commits();
      // Blank lines do not count towards a batch.
      String text = tasks(count, -1, null).replace("}}\n", "}}\n\n");
      Report report = importText(r, text);
      long batches = (count + JsonLinesImport.BATCH_SIZE - 1) / JsonLinesImport.BATCH_SIZE;
      assertThat(report).isEqualTo(new Report(count, batches));
      assertThat(r.metrics().commits() - commitsBefore).as("one commit per batch").isEqualTo(batches);
      assertThat(r.namespace("team").collection("tasks").scan("", 10_000)).hasSize(count);
      assertThat(r.namespace("team").vector().contiguous(r.id())).isEqualTo(count);
      assertThat(r.namespace("team").outbox().size()).as("every write queued for the edge").isEqualTo(count);
      r.validate();
    }
  }

  @Test
  void emptyInputImportsNothing() {
    try (Replica r = Replica.inMemory(options())) {
      r.namespace("team");
      long commitsBefore = r.metrics().commits();
      assertThat(importText(r, "")).isEqualTo(new Report(0, 0));
      assertThat(importText(r, "\n  \r\n\t\n")).isEqualTo(new Report(0, 0));
      assertThat(r.metrics().commits()).isEqualTo(commitsBefore);
    }
  }

  static Stream<Arguments> badLines() {
    String deep = "[".repeat(JsonLinesImport.MAX_NESTING) + "]".repeat(JsonLinesImport.MAX_NESTING);
    String huge = "{\"collection\":\"tasks\",\"id\":\"x\",\"fields\":{\"a\":\"" + "a".repeat(JsonLinesImport.MAX_LINE_CHARS)
        + "\"}}";
    return Stream.of(
        Arguments.of("{\"collection\":\"tasks\",\"id\":\"x\",\"fields\":{\"a\":1}", ImportException.Reason.NOT_JSON,
            "not valid JSON: column 48: Unexpected end-of-input: expected close marker for Object (start marker at"
                + " column 1)"),
        Arguments.of("{\"collection\":\"tasks\",\"id\":\"x\",\"fields\":{}} extra", ImportException.Reason.NOT_JSON,
            "not valid JSON"),
        Arguments.of("[1,2]", ImportException.Reason.NOT_JSON, "expected one JSON object, got an array"),
        Arguments.of("{\"collection\":\"tasks\",\"id\":\"x\",\"fields\":{\"a\":1,\"a\":2}}",
            ImportException.Reason.NOT_JSON, "Duplicate field 'a'"),
        Arguments.of("{\"collection\":\"tasks\",\"fields\":{}}", ImportException.Reason.BAD_SHAPE,
            "missing \"id\" (a string)"),
        Arguments.of("{\"id\":\"x\",\"fields\":{}}", ImportException.Reason.BAD_SHAPE, "missing \"collection\""),
        Arguments.of("{\"collection\":\"tasks\",\"id\":\"x\"}", ImportException.Reason.BAD_SHAPE,
            "missing \"fields\" (an object)"),
        Arguments.of("{\"collection\":\"tasks\",\"id\":7,\"fields\":{}}", ImportException.Reason.BAD_SHAPE,
            "\"id\" must be a string, got a number"),
        Arguments.of("{\"collection\":\"tasks\",\"id\":\"x\",\"fields\":[]}", ImportException.Reason.BAD_SHAPE,
            "\"fields\" must be an object, got an array"),
        Arguments.of("{\"collection\":\"tasks\",\"id\":\"x\",\"feilds\":{}}", ImportException.Reason.BAD_SHAPE,
            "unknown member \"feilds\""),
        Arguments.of("{\"collection\":\"my tasks\",\"id\":\"x\",\"fields\":{}}", ImportException.Reason.INVALID_NAME,
            "collection 'my tasks'"),
        Arguments.of("{\"collection\":\"tasks\",\"id\":\"\",\"fields\":{}}", ImportException.Reason.INVALID_NAME,
            "document id must not be empty"),
        Arguments.of("{\"collection\":\"tasks\",\"id\":\"x\",\"fields\":{\"\":1}}", ImportException.Reason.INVALID_NAME,
            "field name must be 1 to 256 characters"),
        Arguments.of("{\"collection\":\"tasks\",\"id\":\"x\",\"fields\":{\"meta\":{\"a\":1}}}",
            ImportException.Reason.UNSUPPORTED_VALUE, "field \"meta\" is an object"),
        Arguments.of("{\"collection\":\"tasks\",\"id\":\"x\",\"fields\":{\"l\":[1,[2,{}]]}}",
            ImportException.Reason.UNSUPPORTED_VALUE, "field \"l[1][1]\" is an object"),
        Arguments.of("{\"collection\":\"tasks\",\"id\":\"x\",\"fields\":{\"big\":123456789012345678901234567890}}",
            ImportException.Reason.UNSUPPORTED_VALUE, "integer 123456789012345678901234567890 does not fit in 64 bits"),
        Arguments.of("{\"collection\":\"tasks\",\"id\":\"x\",\"fields\":{\"huge\":1e400}}",
            ImportException.Reason.UNSUPPORTED_VALUE, "beyond the range of a double"),
        Arguments.of("{\"collection\":\"tasks\",\"id\":\"x\",\"fields\":{\"deep\":" + deep + "}}",
            ImportException.Reason.TOO_LARGE, "nesting depth"),
        Arguments.of(huge, ImportException.Reason.TOO_LARGE, "line longer than " + JsonLinesImport.MAX_LINE_CHARS));
  }

  @ParameterizedTest(name = "[{index}] {1}: {2}")
  @MethodSource("badLines")
  void aBadLineStopsTheImportKeepingEarlierBatchesAndNothingOfItsOwn(String bad, ImportException.Reason reason,
      String what) {
    try (Replica r = Replica.inMemory(options())) {
      Collection tasks = r.namespace("team").collection("tasks");
      long commitsBefore = r.metrics().commits();
      ImportException e = catchThrowableOfType(() -> importText(r, tasks(2_500, 1_503, bad)), ImportException.class);
      assertThat(e).as("the import must fail").isNotNull();
      assertThat(e.reason()).isEqualTo(reason);
      assertThat(e.line()).isEqualTo(1_503);
      assertThat(e.getMessage()).startsWith("line 1503: ").contains(what)
          .contains("imported before it: 1000 documents in 1 batch");
      assertThat(e.imported()).isEqualTo(new Report(1_000, 1));
      assertThat(r.metrics().commits() - commitsBefore).isEqualTo(1);
      assertThat(tasks.get("t1000")).as("the first batch stays").isPresent();
      assertThat(tasks.get("t1001")).as("nothing of the bad line's batch").isEmpty();
      assertThat(tasks.get("t1502")).isEmpty();
      assertThat(tasks.scan("", 10_000)).hasSize(1_000);
      assertThat(r.namespace("team").vector().contiguous(r.id())).isEqualTo(1_000);
      assertThat(r.namespace("team").outbox().size()).isEqualTo(1_000);
      assertThat(tasks.update("after", doc -> doc.set("v", 1L)).dot().seq()).as("no dot was used up").isEqualTo(1_001);
      r.validate();
    }
  }

  @Test
  void lineNumbersCountBlankLines() {
    try (Replica r = Replica.inMemory(options())) {
      ImportException e = catchThrowableOfType(() -> importText(r, "\n" + task(1) + "\r\n\r\n  \n{oops}\n" + task(2)),
          ImportException.class);
      assertThat(e.line()).isEqualTo(5);
      assertThat(e.getMessage()).startsWith("line 5: not valid JSON: column 2: ")
          .contains("imported before it: 0 documents in 0 batches");
      assertThat(e.imported()).isEqualTo(new Report(0, 0));
      assertThat(r.namespace("team").collection("tasks").get("t1")).isEmpty();
    }
  }

  @Test
  void aReadFailureStopsTheImportNamingTheLine() {
    String text = tasks(1_200, -1, null);
    int failAt = text.indexOf(task(1_100));
    Reader failing = new Reader() {
      private final StringReader in = new StringReader(text);
      private int read;

      @Override
      public int read(char[] buf, int off, int len) throws IOException {
        if (read >= failAt) {
          throw new IOException("disk gone");
        }
        int n = in.read(buf, off, Math.min(len, failAt - read));
        read += Math.max(n, 0);
        return n;
      }

      @Override
      public void close() {}
    };
    try (Replica r = Replica.inMemory(options())) {
      ImportException e = catchThrowableOfType(() -> JsonLinesImport.run(r, "team", failing, Durability.COMMIT),
          ImportException.class);
      assertThat(e.reason()).isEqualTo(ImportException.Reason.UNREADABLE);
      assertThat(e.line()).isEqualTo(1_100);
      assertThat(e.getMessage()).contains("disk gone");
      assertThat(e.imported()).isEqualTo(new Report(1_000, 1));
      assertThat(r.namespace("team").collection("tasks").scan("", 10_000)).hasSize(1_000);
    }
  }

  @Test
  void aBadNamespaceOrAClosedReplicaIsRefusedBeforeReading() {
    Replica r = Replica.inMemory(options());
    assertThatThrownBy(() -> JsonLinesImport.run(r, "no space", new StringReader(task(1)), Durability.COMMIT))
        .isInstanceOf(ReplicaException.class).hasMessageContaining("'no space'");
    r.close();
    assertThatThrownBy(() -> importText(r, task(1))).isInstanceOf(ReplicaException.class)
        .extracting(e -> ((ReplicaException) e).reason()).isEqualTo(ReplicaException.Reason.CLOSED);
  }

  @Test
  void insideABatchTheImportIsRefusedAndNothingIsWritten() {
    try (Replica r = Replica.inMemory(options())) {
      assertThatThrownBy(() -> r.batch(() -> importText(r, task(1))))
          .isInstanceOf(ImportException.class).hasMessageContaining("line 1: the replica refused the batch: INVALID_MUTATION")
          .extracting(e -> ((ImportException) e).reason()).isEqualTo(ImportException.Reason.REFUSED);
      assertThat(r.namespace("team").collection("tasks").get("t1")).isEmpty();
    }
  }

  // ---- property: random documents, written by a JSON generator, read back as the values they describe ----

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.lattice.replica.Seeds#seeds")
  void randomDocumentsReadBackAsTheValuesTheyDescribe(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Map<String, Map<String, Value>> expected = new TreeMap<>();
    StringWriter text = new StringWriter();
    int lines = 1 + random.nextInt(1_500); // crosses a batch boundary about a third of the time
    try (JsonGenerator g = new JsonFactory().createGenerator(text)) {
      for (int i = 0; i < lines; i++) {
        String collection = random.nextBoolean() ? "tasks" : "tags";
        String id = "d" + random.nextInt(Math.max(1, lines / 2)); // ids repeat: later lines win field by field
        g.writeStartObject();
        g.writeStringField("collection", collection);
        g.writeStringField("id", id);
        g.writeObjectFieldStart("fields");
        int fields = random.nextInt(4);
        Map<String, Value> doc = expected.computeIfAbsent(collection + "/" + id, k -> new TreeMap<>());
        for (int f = 0; f < fields; f++) {
          String name = "f" + f + random.nextInt(3);
          g.writeFieldName(name);
          doc.put(name, write(g, random, 0));
        }
        g.writeEndObject();
        g.writeEndObject();
        g.writeRaw(random.nextInt(10) == 0 ? "\r\n\n" : "\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (Replica r = Replica.inMemory(options())) {
      Report report = importText(r, text.toString());
      assertThat(report.documents()).as("seed %d", seed).isEqualTo(lines);
      expected.forEach((key, fields) -> {
        String[] parts = key.split("/");
        var doc = r.namespace("team").collection(parts[0]).get(parts[1]);
        if (fields.isEmpty()) {
          assertThat(doc).as("seed %d: %s", seed, key).isEmpty();
          return;
        }
        Map<String, Value> actual = new TreeMap<>();
        fields.keySet().forEach(name -> actual.put(name, doc.orElseThrow().value(name).orElseThrow()));
        assertThat(actual).as("seed %d: %s", seed, key).isEqualTo(fields);
      });
      r.validate();
    }
  }

  private static final String[] STRINGS = {"", "a", "Buy milk", "é", "\"quoted\"", "back\\slash", "tab\tnew\nline",
      "\u0000nul", "emoji \uD83D\uDE00", "  "};

  /** Writes a random JSON value and returns the value the import must make of it. */
  private static Value write(JsonGenerator g, SplittableRandom random, int depth) throws IOException {
    switch (random.nextInt(depth < 3 ? 7 : 6)) {
      case 0 -> {
        String s = STRINGS[random.nextInt(STRINGS.length)] + (random.nextBoolean() ? random.nextInt() : "");
        g.writeString(s);
        return Value.of(s);
      }
      case 1 -> {
        long v = switch (random.nextInt(4)) {
          case 0 -> Long.MIN_VALUE;
          case 1 -> Long.MAX_VALUE;
          case 2 -> random.nextInt(200) - 100;
          default -> random.nextLong();
        };
        g.writeNumber(v);
        return Value.of(v);
      }
      case 2 -> {
        double d = switch (random.nextInt(5)) {
          case 0 -> -0.0;
          case 1 -> random.nextInt(100); // integral, written "42.0": still a double
          case 2 -> Double.MAX_VALUE;
          case 3 -> Double.MIN_VALUE;
          default -> (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(40) - 20);
        };
        g.writeNumber(d);
        return Value.of(d);
      }
      case 3 -> {
        boolean b = random.nextBoolean();
        g.writeBoolean(b);
        return Value.of(b);
      }
      case 4, 5 -> {
        g.writeNull();
        return Value.NULL;
      }
      default -> {
        int n = random.nextInt(4);
        List<Value> elements = new ArrayList<>();
        g.writeStartArray();
        for (int i = 0; i < n; i++) {
          elements.add(write(g, random, depth + 1));
        }
        g.writeEndArray();
        return Value.ofList(elements);
      }
    }
  }
}
