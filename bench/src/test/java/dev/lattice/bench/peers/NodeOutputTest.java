package dev.lattice.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Java side's reading of the Node script's lines (no Node needed: the lines are as it prints them). */
class NodeOutputTest {

  @Test
  void readsAResultLineWithNumbersAndStringsInParams() {
    NodeOutput o = NodeOutput.parse("{\"name\":\"peers.build.batch\",\"params\":{\"system\":\"yjs\",\"keys\":100000,"
        + "\"trial\":2,\"batch\":1000},\"metric\":\"thrpt\",\"value\":1.468e+5,\"unit\":\"ops/s\"}");

    assertThat(o).isInstanceOf(NodeOutput.Result.class);
    ResultLine l = ((NodeOutput.Result) o).line();
    assertThat(l.name()).isEqualTo("peers.build.batch");
    assertThat(l.params()).containsExactly(Map.entry("system", "yjs"), Map.entry("keys", 100000L),
        Map.entry("trial", 2L), Map.entry("batch", 1000L));
    assertThat(l.metric()).isEqualTo("thrpt");
    assertThat(l.value()).isEqualTo(146800.0);
    assertThat(l.unit()).isEqualTo("ops/s");
  }

  @Test
  void readsFractionalParamsAsDoublesAndNullValuesAsNaN() {
    ResultLine l = ((NodeOutput.Result) NodeOutput.parse("{\"name\":\"peers.node\",\"params\":{\"node\":\"v20.20.2\","
        + "\"ratio\":0.5},\"metric\":\"versions\",\"value\":null,\"unit\":\"\"}")).line();

    assertThat(l.params().get("ratio")).isEqualTo(0.5);
    assertThat(l.value()).isNaN();
  }

  @Test
  void readsTheDoneMarker() {
    assertThat(NodeOutput.parse("{\"done\":true}")).isEqualTo(new NodeOutput.Done());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "peers: warm-up",
      "[1,2]",
      "{\"name\":\"x\",\"metric\":\"m\",\"value\":1,\"unit\":\"u\"}",
      "{\"name\":\"x\",\"params\":{},\"metric\":\"m\",\"value\":\"fast\",\"unit\":\"u\"}",
      "{\"name\":\"x\",\"params\":{\"a\":[1]},\"metric\":\"m\",\"value\":1,\"unit\":\"u\"}",
      "{\"name\":7,\"params\":{},\"metric\":\"m\",\"value\":1,\"unit\":\"u\"}",
      "{\"name\":\"x\",\"params\":{},\"metric\":\"m\",\"value\":1}"})
  void refusesAnythingElseQuotingTheLine(String line) {
    assertThatThrownBy(() -> NodeOutput.parse(line))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad line from the Node script")
        .hasMessageContaining(line.substring(0, Math.min(line.length(), 20)));
  }
}
