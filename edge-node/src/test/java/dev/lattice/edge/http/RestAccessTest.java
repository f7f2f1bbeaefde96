package dev.lattice.edge.http;

import static dev.lattice.edge.EdgeNodeTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.crdt.merge.BuiltInHandlers;
import dev.lattice.crdt.value.Value;
import dev.lattice.edge.EdgeNode;
import dev.lattice.edge.EdgeNodeTestSupport;
import dev.lattice.edge.EdgeNodeTestSupport.Response;
import dev.lattice.edge.config.EdgeConfig;
import dev.lattice.edge.config.NamespaceConfig;
import dev.lattice.replica.Collection;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A namespace with a schema: a user token sees only what the access rules and the replication
 * manifest let through; an API key sees stored documents whole.
 */
@ExtendWith(VertxExtension.class)
class RestAccessTest {
  static final String KEY = "notes-api-key-0123456789";
  private EdgeNode node;
  private HttpClient http;
  private String alice;

  static Path schemaDir() throws URISyntaxException {
    return Path.of(RestAccessTest.class.getResource("/schemas/notes/notes.v1.yaml").toURI()).getParent();
  }

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    EdgeConfig config = EdgeConfig.builder().port(0).dataDir(dir)
        .namespace(new NamespaceConfig("notes", Optional.of(schemaDir()), List.of(KEY))).build();
    node = await(EdgeNode.start(vertx, config));
    http = vertx.createHttpClient();
    alice = node.tokenSigner().issue("notes", "alice", List.of(), Duration.ofMinutes(5));
    Collection notes = node.namespace("notes").orElseThrow().namespace().collection("notes");
    notes.update("a1", w -> w.set("title", "Alice's").set("owner", "alice").set("score", 9.5)
        .merge("best", BuiltInHandlers.MAX, Value.of(3L)));
    notes.update("b1", w -> w.set("title", "Bob's secret").set("owner", "bob"));
    notes.update("b2", w -> w.set("title", "Bob's public").set("owner", "bob").enable("published"));
  }

  @AfterEach
  void stop() {
    await(node.close());
  }

  private Response get(String path, String bearer) {
    return await(EdgeNodeTestSupport.get(http, node.port(), path, bearer));
  }

  private static List<String> ids(Response r) {
    return r.json().getJsonArray("documents").stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }

  @Test
  void aUserListsOnlyWhatTheyMayRead() {
    assertThat(ids(get("/v1/namespaces/notes/collections/notes/documents", alice))).containsExactly("a1", "b2");
    assertThat(ids(get("/v1/namespaces/notes/collections/notes/documents", KEY))).containsExactly("a1", "b1", "b2");
  }

  @Test
  void aDocumentTheUserMayNotReadLooksAbsent() {
    Response hidden = get("/v1/namespaces/notes/collections/notes/documents/b1", alice);
    assertThat(hidden.status()).isEqualTo(404);
    assertThat(hidden.json().getString("error")).isEqualTo("not-found");
    assertThat(get("/v1/namespaces/notes/collections/notes/documents/b1", KEY).status()).isEqualTo(200);
  }

  @Test
  void manifestExcludedFieldsNeverReachAUserButCustomFieldsAreFolded() {
    JsonObject asAlice = get("/v1/namespaces/notes/collections/notes/documents/a1", alice).json().getJsonObject("fields");
    assertThat(asAlice).isEqualTo(new JsonObject().put("best", 3L).put("owner", "alice").put("title", "Alice's"));
    JsonObject asServer = get("/v1/namespaces/notes/collections/notes/documents/a1", KEY).json().getJsonObject("fields");
    assertThat(asServer.getDouble("score")).isEqualTo(9.5);
  }

  @Test
  void theDeltaHistoryShowsAUserOnlyReadableDocumentsAndFields() {
    JsonArray deltas = get("/v1/namespaces/notes/deltas", alice).json().getJsonArray("deltas");
    assertThat(deltas.stream().map(o -> ((JsonObject) o).getString("id")).toList()).containsExactly("a1", "b2");
    assertThat(deltas.getJsonObject(0).getJsonArray("fields"))
        .isEqualTo(new JsonArray().add("best").add("owner").add("title"));
    JsonArray all = get("/v1/namespaces/notes/deltas", KEY).json().getJsonArray("deltas");
    assertThat(all).hasSize(3);
    assertThat(all.getJsonObject(0).getJsonArray("fields")).contains("score");
  }

  @Test
  void namespacesShowTheirSchemaAndUndeclaredCollectionsAre404() {
    assertThat(get("/v1/namespaces", alice).json()).isEqualTo(new JsonObject().put("namespaces", new JsonArray().add(
        new JsonObject().put("name", "notes").put("schemaless", false).put("schemaVersion", 1)
            .put("minimumClientVersion", 1).put("collections", new JsonArray().add("notes")))));
    Response undeclared = get("/v1/namespaces/notes/collections/other/documents", KEY);
    assertThat(undeclared.status()).isEqualTo(404);
    assertThat(undeclared.json().getString("error")).isEqualTo("unknown-collection");
    Response wrongToken = get("/v1/namespaces/notes/collections/notes/documents",
        node.tokenSigner().issue("elsewhere", "alice", List.of(), Duration.ofMinutes(5)));
    assertThat(wrongToken.status()).isEqualTo(401);
    assertThat(wrongToken.json().getString("error")).isEqualTo("bad-token");
  }
}
