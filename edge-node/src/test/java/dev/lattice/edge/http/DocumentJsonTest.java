package dev.lattice.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.crdt.merge.BuiltInHandlers;
import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.type.FieldKey;
import dev.lattice.crdt.type.FieldKind;
import dev.lattice.crdt.type.LwwRegister;
import dev.lattice.crdt.type.OrMap;
import dev.lattice.crdt.value.Value;
import dev.lattice.replica.Collection;
import dev.lattice.replica.Replica;
import dev.lattice.replica.ReplicaOptions;
import dev.lattice.schema.Schema;
import dev.lattice.schema.load.SchemaLoader;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DocumentJsonTest {
  private final Replica replica = Replica.inMemory(ReplicaOptions.defaults());
  private final Collection docs = replica.namespace("ns").collection("docs");

  @AfterEach
  void close() {
    replica.close();
  }

  @Test
  void everyKindRendersAsItsVisibleValue() {
    docs.update("d", w -> {
      w.set("title", "Buy milk").set("done", false).set("n", 42L).set("x", 1.5).set("nothing", Value.NULL)
          .set("blob", Value.ofBytes(new byte[] {0, 1, (byte) 0xff}))
          .set("list", Value.ofList(List.of(Value.of(1L), Value.of("two"))))
          .assign("votes", Value.of("yes"))
          .increment("likes", 3)
          .add("tags", Value.of("b"))
          .enable("pinned");
      w.apply(new FieldKey("meta", FieldKind.MAP),
          OrMap.of(new FieldKey("lang", FieldKind.LWW), LwwRegister.EMPTY.assign(Value.of("en"), w.hlc(), w.dot())));
    });
    docs.update("d", w -> w.increment("likes", -1).add("tags", Value.of("a")));
    JsonObject json = DocumentJson.render(docs.get("d").orElseThrow());
    assertThat(json).isEqualTo(new JsonObject()
        .put("title", "Buy milk").put("done", false).put("n", 42L).put("x", 1.5).putNull("nothing")
        .put("blob", "AAH/")
        .put("list", new JsonArray().add(1L).add("two"))
        .put("votes", new JsonArray().add("yes"))
        .put("likes", 2L)
        .put("tags", new JsonArray().add("a").add("b"))
        .put("pinned", true)
        .put("meta", new JsonObject().put("lang", "en")));
  }

  @Test
  void removedFieldsAreLeftOut() {
    docs.update("d", w -> w.set("a", "1").set("b", "2"));
    docs.update("d", w -> w.removeField("b"));
    assertThat(DocumentJson.render(docs.get("d").orElseThrow()).fieldNames()).containsExactly("a");
  }

  @Test
  void oneNameOfTwoKindsIsQualifiedByKind() {
    docs.update("d", w -> w.set("score", 1L).increment("score", 5).set("other", "x"));
    JsonObject json = DocumentJson.render(docs.get("d").orElseThrow());
    assertThat(json).isEqualTo(new JsonObject().put("other", "x").put("score@lww", 1L).put("score@counter", 5L));
  }

  @Test
  void floatsJsonCannotHoldBecomeStrings() {
    assertThat(DocumentJson.value(Value.of(Double.NaN))).isEqualTo("NaN");
    assertThat(DocumentJson.value(Value.of(Double.NEGATIVE_INFINITY))).isEqualTo("-Infinity");
    assertThat(new JsonObject().put("v", DocumentJson.value(Value.of(Double.POSITIVE_INFINITY))).encode())
        .isEqualTo("{\"v\":\"Infinity\"}");
  }

  @Test
  void customFieldsAreFoldedByTheirHandlerWhenTheSchemaIsGiven() throws Exception {
    Schema schema = new SchemaLoader().load(List.of(SchemaLoader.Source.of("s.v1.yaml", """
        namespace: ns
        version: 1
        collections:
          docs:
            fields:
              best: { type: custom, handler: max, value: { type: integer } }
            access:
              read: [authenticated]
        """)));
    docs.update("d", w -> w.merge("best", BuiltInHandlers.MAX, Value.of(7L)));
    Document d = docs.get("d").orElseThrow();
    assertThat(DocumentJson.render(d)).isEqualTo(new JsonObject().put("best", new JsonArray().add(7L)));
    assertThat(DocumentJson.render(d, schema.current().collection("docs"))).isEqualTo(new JsonObject().put("best", 7L));
    assertThat(DocumentJson.render(d, Optional.empty())).isEqualTo(DocumentJson.render(d));
  }
}
