package dev.lattice.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.crdt.type.Document;
import dev.lattice.schema.migrate.Migration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The migration function the replica runs over its stored documents and queued writes on open:
 * idempotent (a crash and a rerun change nothing), resumable (stopping after any document and
 * running again over all of them gives the same store), step-wise (1→2→3 equals 1→3), and a
 * homomorphism of join (replicas migrating at different times converge).
 */
class MigrationPropertyTest {
  private static final Schema SCHEMA = Examples.notes();
  private static final Migration MIGRATION = new Migration(SCHEMA);

  static LongStream seeds() {
    return Seeds.seeds();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void applyIsIdempotentStepwiseAndCommutesWithJoin(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    Docs docs = new Docs(r);
    for (int i = 0; i < 10; i++) {
      String collection = r.nextInt(4) == 0 ? "settings" : "notes";
      int from = 1 + r.nextInt(3);
      Document a = docs.random(SCHEMA.version(from).collection(collection).orElseThrow(), null);
      Document b = docs.random(SCHEMA.version(from).collection(collection).orElseThrow(), null).merge(a);
      Document once = MIGRATION.apply(collection, a, from, 3);
      assertThat(MIGRATION.apply(collection, once, from, 3)).as("seed %d: twice = once", seed).isEqualTo(once);
      assertThat(MIGRATION.apply(collection, once, 3, 3)).isEqualTo(once);
      if (from == 1) {
        assertThat(MIGRATION.apply(collection, MIGRATION.apply(collection, a, 1, 2), 2, 3))
            .as("seed %d: 1->2->3 = 1->3", seed).isEqualTo(once);
      }
      assertThat(MIGRATION.apply(collection, a.merge(b), from, 3))
          .as("seed %d: migrate(a join b) = migrate(a) join migrate(b)", seed)
          .isEqualTo(once.merge(MIGRATION.apply(collection, b, from, 3)));
      Document delta = docs.write(a, List.copyOf(SCHEMA.version(from).collection(collection).orElseThrow()
          .fields().values()).get(0));
      assertThat(MIGRATION.apply(collection, a.merge(delta), from, 3))
          .as("seed %d: a migrated queued delta lands like the migrated write", seed)
          .isEqualTo(once.merge(MIGRATION.migrateDelta(collection, delta, from, 3)));
    }
  }

  /** A "store" of documents migrated one by one, killed after a random count, then rerun over all. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void anInterruptedMigrationResumesToTheSameStore(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    Docs docs = new Docs(r);
    List<Document> store = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      store.add(docs.random(SCHEMA.version(1).collection("notes").orElseThrow(), null));
    }
    List<Document> clean = store.stream().map(d -> MIGRATION.apply("notes", d, 1, 3)).toList();
    int killedAfter = r.nextInt(store.size() + 1);
    List<Document> partial = new ArrayList<>(store);
    for (int i = 0; i < killedAfter; i++) {
      partial.set(i, MIGRATION.apply("notes", partial.get(i), 1, 3));
    }
    List<Document> resumed = partial.stream().map(d -> MIGRATION.apply("notes", d, 1, 3)).toList();
    assertThat(resumed).as("seed %d: killed after %d documents", seed, killedAfter).isEqualTo(clean);
  }
}
