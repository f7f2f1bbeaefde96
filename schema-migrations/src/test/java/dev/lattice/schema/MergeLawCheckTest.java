package dev.lattice.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.schema.load.SchemaLoader;
import dev.lattice.schema.load.SchemaLoader.Source;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Custom handlers are checked with MergeLaws when the schema loads. */
class MergeLawCheckTest {

  private static String schema(String handler, String valueType) {
    return "namespace: t\nversion: 1\ncollections:\n  items:\n    fields:\n"
        + "      f: { type: custom, handler: " + handler + (valueType == null ? "" : ", value: { type: " + valueType + " }")
        + " }\n";
  }

  @Test
  void aSumHandlerIsRefusedWithItsCounterexample() {
    assertThatThrownBy(() -> new SchemaLoader().load(List.of(Source.of("sum.yaml",
        schema("dev.lattice.schema.SumHandler", "integer")))))
        .isInstanceOfSatisfying(SchemaException.class, e -> {
          assertThat(e.reason()).isEqualTo(SchemaException.Reason.NOT_A_JOIN);
          assertThat(e.line()).isEqualTo(6);
          assertThat(e.path()).isEqualTo("collections.items.fields.f.handler");
          // The counterexample from MergeLaws, e.g. "not idempotent: merge(3, 3) = 6".
          assertThat(e.getMessage()).contains("not idempotent: merge(").contains("2000 samples");
        });
  }

  @ParameterizedTest(name = "{0} over {1}")
  @CsvSource({"max, number", "min, number", "max, string", "min, boolean", "union, ", "max, ", "min, json"})
  void builtInsAreAccepted(String handler, String valueType) throws Exception {
    Schema s = new SchemaLoader().load(List.of(Source.of("ok.yaml", schema(handler, valueType))));
    assertThat(s.current().collection("items").orElseThrow().fields().get("f").handler().name()).isEqualTo(handler);
  }

  @Test
  void aServiceLoaderHandlerIsFoundByName() throws Exception {
    // META-INF/services in test resources registers FirstWriterHandler under "first".
    Schema s = new SchemaLoader().load(List.of(Source.of("first.yaml", schema("first", "string"))));
    assertThat(s.current().collection("items").orElseThrow().fields().get("f").handler())
        .isInstanceOf(FirstHandler.class);
  }
}
