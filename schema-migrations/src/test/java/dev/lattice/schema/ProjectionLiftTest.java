package dev.lattice.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.type.FieldKey;
import dev.lattice.crdt.type.FieldKind;
import dev.lattice.crdt.type.LwwRegister;
import dev.lattice.crdt.type.MvRegister;
import dev.lattice.crdt.type.OrSet;
import dev.lattice.crdt.value.Value;
import dev.lattice.schema.RejectedException.Reason;
import dev.lattice.schema.load.SchemaLoader;
import dev.lattice.schema.migrate.Migration;
import dev.lattice.schema.project.Projector;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Projection and lift across the three example versions: renames, additions, removals, a conversion. */
class ProjectionLiftTest {
  private final Schema schema = Examples.notes();
  private final Projector projector = new Projector(schema);
  private final Migration migration = new Migration(schema);
  private final Claims alice = Claims.user("alice");
  private final Claims bob = Claims.user("bob");
  private long seq;

  private Document lww(String field, Value v) {
    seq++;
    return Document.of(new FieldKey(field, FieldKind.LWW), LwwRegister.EMPTY.assign(v, 1000 + seq, Dot.of(7, seq)));
  }

  /** A note as a version-1 client wrote it, then migrated to version 3 as the edge stores it. */
  private Document storedNote() {
    Document v1 = lww("title", Value.of("Hello"))
        .merge(lww("text", Value.of("first body")))
        .merge(lww("owner", Value.of("alice")))
        .merge(lww("color", Value.of("#ff0000")))
        .merge(lww("rating", Value.of("4")))
        .merge(lww("score", Value.of(7.5)))
        .merge(Document.of(new FieldKey("tags", FieldKind.SET), OrSet.EMPTY.add(Value.of("work"), Dot.of(7, ++seq))));
    return migration.apply("notes", v1, 1, 3);
  }

  private static Optional<Value> read(Document d, String field) {
    return d.fields().lww(field).value();
  }

  private static TreeSet<String> names(Document d) {
    TreeSet<String> out = new TreeSet<>();
    d.fields().keys().forEach(k -> out.add(k.name()));
    return out;
  }

  @Test
  void migrationRenamesRemovesAndConverts() {
    Document stored = storedNote();
    assertThat(names(stored)).containsExactly("body", "headline", "owner", "rating", "score", "tags");
    assertThat(read(stored, "headline")).contains(Value.of("Hello"));
    assertThat(read(stored, "body")).contains(Value.of("first body"));
    assertThat(read(stored, "rating")).contains(Value.of(4L));
  }

  @Test
  void eachVersionSeesItsOwnNames() {
    Document stored = storedNote();
    Document v1 = projector.project("notes", "n1", stored, 1, alice).orElseThrow();
    assertThat(names(v1)).containsExactly("owner", "rating", "tags", "text", "title");
    assertThat(read(v1, "title")).contains(Value.of("Hello"));
    assertThat(read(v1, "text")).contains(Value.of("first body"));
    assertThat(read(v1, "rating")).contains(Value.of("4"));

    Document v2 = projector.project("notes", "n1", stored, 2, alice).orElseThrow();
    assertThat(names(v2)).containsExactly("body", "owner", "rating", "tags", "title");
    assertThat(read(v2, "rating")).contains(Value.of("4"));

    Document v3 = projector.project("notes", "n1", stored, 3, alice).orElseThrow();
    assertThat(names(v3)).containsExactly("body", "headline", "owner", "rating", "tags");
    assertThat(read(v3, "rating")).contains(Value.of(4L));
    // score is in the replication manifest: the server keeps it, no version ever sees it.
    assertThat(names(stored)).contains("score");
  }

  @Test
  void anAddedFieldReadsAsItsDefaultUntilWritten() {
    FieldSpec priority = schema.version(2).collection("notes").orElseThrow().fields().get("priority");
    Document v2 = projector.project("notes", "n1", storedNote(), 2, alice).orElseThrow();
    assertThat(read(v2, "priority")).isEmpty();
    assertThat(priority.defaultValue()).isEqualTo(Value.of(0L));
  }

  @Test
  void aVersionOneWriteIsLiftedToCurrentNames() {
    Document stored = storedNote();
    Projector.Lifted lifted = projector.lift("notes", "n1", stored,
        lww("text", Value.of("edited")).merge(lww("rating", Value.of("5"))).merge(lww("color", Value.of("#00ff00"))),
        1, alice);
    assertThat(names(lifted.change())).containsExactly("body", "rating");
    assertThat(read(lifted.change(), "body")).contains(Value.of("edited"));
    assertThat(read(lifted.change(), "rating")).contains(Value.of(5L));
    assertThat(lifted.droppedFields()).containsExactly("color");
    Document after = stored.merge(lifted.change());
    assertThat(read(projector.project("notes", "n1", after, 1, alice).orElseThrow(), "text")).contains(Value.of("edited"));
    assertThat(read(projector.project("notes", "n1", after, 3, alice).orElseThrow(), "body")).contains(Value.of("edited"));
  }

  @Test
  void aCustomFieldResolvesWithItsHandler() {
    Document stored = storedNote();
    FieldKey best = new FieldKey("best", FieldKind.MVREG);
    Document a = Document.of(best, MvRegister.EMPTY.assign(Value.of(40L), Dot.of(1, 1)));
    Document b = Document.of(best, MvRegister.EMPTY.assign(Value.of(70L), Dot.of(2, 1)));
    Document merged = stored.merge(projector.lift("notes", "n1", stored, a, 2, alice).change())
        .merge(projector.lift("notes", "n1", stored, b, 3, alice).change());
    FieldSpec spec = schema.current().collection("notes").orElseThrow().fields().get("best");
    assertThat(projector.project("notes", "n1", merged, 2, alice).orElseThrow().fields().mvreg("best").resolve(spec.handler()))
        .contains(Value.of(70L));
  }

  record Bad(String name, int version, Claims who, Document change, Reason reason, String field) {}

  @Test
  void badWritesAreRejectedWithAReason() {
    Document stored = storedNote();
    Claims admin = Claims.user("root", "admin");
    List<Bad> rows = new ArrayList<>(List.of(
        new Bad("field unknown to v1", 1, alice, lww("headline", Value.of("x")), Reason.UNKNOWN_FIELD, "headline"),
        new Bad("field removed before v3", 3, alice, lww("color", Value.of("#000000")), Reason.UNKNOWN_FIELD, "color"),
        new Bad("string too long", 1, alice, lww("title", Value.of("x".repeat(101))), Reason.VALUE_OUT_OF_BOUNDS, "title"),
        new Bad("pattern", 1, alice, lww("color", Value.of("red")), Reason.VALUE_OUT_OF_BOUNDS, "color"),
        new Bad("number for a string", 1, alice, lww("title", Value.of(3L)), Reason.WRONG_TYPE, "title"),
        new Bad("above max", 3, alice, lww("rating", Value.of(9L)), Reason.VALUE_OUT_OF_BOUNDS, "rating"),
        new Bad("unconvertible", 2, alice, lww("rating", Value.of("abc")), Reason.WRONG_TYPE, "rating"),
        new Bad("converts out of range", 1, alice, lww("rating", Value.of("9")), Reason.WRONG_TYPE, "rating"),
        new Bad("wrong CRDT kind", 1, alice,
            Document.of(new FieldKey("title", FieldKind.MVREG), MvRegister.EMPTY.assign(Value.of("x"), Dot.of(3, 1))),
            Reason.WRONG_TYPE, "title"),
        new Bad("server-only field", 1, admin, lww("score", Value.of(1.0)), Reason.FORBIDDEN, "score"),
        new Bad("field write rule", 3, alice,
            Document.of(new FieldKey("pinned", FieldKind.FLAG), dev.lattice.crdt.type.Flag.EMPTY.enable(Dot.of(3, 2))),
            Reason.FORBIDDEN, "pinned"),
        new Bad("another user's note", 1, bob, lww("title", Value.of("mine now")), Reason.FORBIDDEN, null),
        new Bad("giving the note away", 1, alice, lww("owner", Value.of("bob")), Reason.FORBIDDEN, null),
        new Bad("server prefix", 3, admin, lww("headline", Value.of("x")), Reason.FORBIDDEN, null)));
    for (Bad row : rows) {
      String id = row.name.equals("server prefix") ? "_server/x" : "n1";
      assertThatThrownBy(() -> projector.lift("notes", id, stored, row.change, row.version, row.who))
          .as(row.name)
          .isInstanceOfSatisfying(RejectedException.class, e -> {
            assertThat(e.reason()).as(row.name + ": " + e.getMessage()).isEqualTo(row.reason);
            assertThat(e.field()).as(row.name).isEqualTo(row.field);
            assertThat(e.getMessage()).startsWith(row.reason.code() + ": notes/" + id);
          });
    }
  }

  @Test
  void allowedWritesPass() {
    Document stored = storedNote();
    Claims admin = Claims.user("root", "admin");
    Document pin = Document.of(new FieldKey("pinned", FieldKind.FLAG), dev.lattice.crdt.type.Flag.EMPTY.enable(Dot.of(3, 2)));
    assertThat(projector.lift("notes", "n1", stored, pin, 3, admin).change()).isEqualTo(pin);
    Document create = lww("owner", Value.of("bob")).merge(lww("title", Value.of("new")));
    assertThat(projector.lift("notes", "n2", Document.EMPTY, create, 1, bob).droppedFields()).isEmpty();
    assertThatThrownBy(() -> projector.lift("notes", "n2", Document.EMPTY, lww("title", Value.of("t")), 1, bob))
        .isInstanceOfSatisfying(RejectedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.FORBIDDEN));
    assertThat(projector.lift("notes", "private/bob/diary", Document.EMPTY, lww("title", Value.of("t")), 1, bob)
        .change().exists()).isTrue();
    assertThatThrownBy(() -> projector.lift("notes", "private/bob/diary", Document.EMPTY, lww("title", Value.of("t")), 1,
        Claims.user("eve", "admin")))
        .isInstanceOfSatisfying(RejectedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.FORBIDDEN));
  }

  @Test
  void versionsBelowTheMinimumNeedAnUpgrade() throws Exception {
    List<SchemaLoader.Source> sources = new ArrayList<>(Examples.notesSources());
    sources.set(2, SchemaLoader.Source.of("notes.v3.yaml",
        Examples.resource("notes.v3.yaml").replace("minimumClientVersion: 1", "minimumClientVersion: 2")));
    Projector strict = new Projector(new SchemaLoader().load(sources));
    Document stored = storedNote();
    assertThatThrownBy(() -> strict.project("notes", "n1", stored, 1, alice))
        .isInstanceOfSatisfying(RejectedException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.UPGRADE_REQUIRED);
          assertThat(e.reason().code()).isEqualTo("upgrade-required");
          assertThat(e.getMessage()).contains("version 1").contains("minimum 2");
        });
    assertThatThrownBy(() -> strict.lift("notes", "n1", stored, lww("title", Value.of("x")), 1, alice))
        .isInstanceOfSatisfying(RejectedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UPGRADE_REQUIRED));
    assertThatThrownBy(() -> strict.project("notes", "n1", stored, 4, alice))
        .isInstanceOfSatisfying(RejectedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_VERSION));
    assertThat(strict.project("notes", "n1", stored, 2, alice)).isPresent();
  }

  @Test
  void accessDecidesWhoSeesANote() {
    Document stored = storedNote();
    assertThat(projector.project("notes", "n1", stored, 3, bob)).isEmpty();
    assertThat(projector.project("notes", "n1", stored, 3, Claims.user("mo", "moderator"))).isPresent();
    Document published = stored.merge(Document.of(new FieldKey("published", FieldKind.FLAG),
        dev.lattice.crdt.type.Flag.EMPTY.enable(Dot.of(9, 1))));
    assertThat(projector.project("notes", "n1", published, 1, bob)).isPresent();
    assertThat(projector.project("notes", "_server/n1", published, 3, Claims.user("mo", "moderator"))).isEmpty();
    assertThat(projector.access().readableCollections(bob)).containsExactly("notes", "settings");
    assertThat(projector.access().canRead("notes", "_server/n1", published, Claims.ofServer())).isTrue();
  }

  @Test
  void deletionsReachReadersOfTheCollectionButNeverAnotherUsersPrivatePrefix() {
    assertThat(projector.access().mayLearnDeletion("notes", "n1", bob)).isTrue();
    assertThat(projector.access().mayLearnDeletion("notes", "private/bob/diary", bob)).isTrue();
    assertThat(projector.access().mayLearnDeletion("notes", "private/alice/diary", bob)).isFalse();
    assertThat(projector.access().mayLearnDeletion("notes", "_server/n1", bob)).isFalse();
    assertThat(projector.access().mayLearnDeletion("notes", "private/alice/diary", Claims.ofServer())).isTrue();
  }
}
