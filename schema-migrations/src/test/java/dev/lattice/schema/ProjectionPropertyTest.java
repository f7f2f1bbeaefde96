package dev.lattice.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.type.FieldKey;
import dev.lattice.schema.migrate.Migration;
import dev.lattice.schema.project.Projector;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded properties of projection over random documents, claims and versions: what must never
 * leak, whatever the data. Replay one seed with {@code -Dlattice.seed=S}.
 */
class ProjectionPropertyTest {
  private static final Schema SCHEMA = Examples.notes();
  private static final Projector PROJECTOR = new Projector(SCHEMA);
  private static final Migration MIGRATION = new Migration(SCHEMA);
  private static final List<String> USERS = List.of("alice", "bob", "carol");
  private static final List<Set<String>> ROLES = List.of(Set.of(), Set.of("moderator"), Set.of("admin"), Set.of("admin", "moderator"));

  static LongStream seeds() {
    return Seeds.seeds();
  }

  private static Claims claims(SplittableRandom r) {
    return Claims.user(USERS.get(r.nextInt(USERS.size())), ROLES.get(r.nextInt(ROLES.size())));
  }

  /** Excluded by V's manifest, or one of the example's excluded fields (score, reviewNote) under any name. */
  private static boolean everExcluded(String collection, int version, String name) {
    return SCHEMA.version(version).collection(collection).orElseThrow().isServerOnly(name)
        || (name.equals("score") || name.equals("reviewNote"));
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void manifestExcludedFieldsNeverAppear(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    Docs docs = new Docs(r);
    for (int i = 0; i < 20; i++) {
      int writtenIn = 1 + r.nextInt(3);
      String collection = r.nextBoolean() ? "notes" : "settings";
      Document written = docs.random(SCHEMA.version(writtenIn).collection(collection).orElseThrow(),
          r.nextBoolean() ? USERS.get(r.nextInt(3)) : null);
      Document stored = MIGRATION.apply(collection, written, writtenIn, SCHEMA.currentVersion());
      String id = r.nextInt(4) == 0 ? "private/" + USERS.get(r.nextInt(3)) + "/d" + i
          : collection.equals("settings") ? USERS.get(r.nextInt(3)) : "d" + i;
      for (int v = 1; v <= 3; v++) {
        Claims who = r.nextInt(10) == 0 ? Claims.ofServer() : claims(r);
        Optional<Document> seen = PROJECTOR.project(collection, id, stored, v, who);
        if (seen.isEmpty()) {
          continue;
        }
        for (var e : seen.get().fields().entries()) {
          FieldKey k = e.getKey();
          assertThat(everExcluded(collection, v, k.name()))
              .as("seed %d: %s %s v%d for %s leaked manifest field %s", seed, collection, id, v, who, k).isFalse();
          var declared = SCHEMA.version(v).collection(collection).orElseThrow().field(k.name());
          assertThat(declared).as("seed %d: v%d got undeclared %s", seed, v, k).isPresent();
          assertThat(declared.get().type().storage()).as("seed %d: v%d got %s", seed, v, k).isEqualTo(k.kind());
        }
      }
    }
  }

  /**
   * Canaries: documents of one user (private ids, or owned and not public) are projected to
   * every other user, at every version and role, and must never come out, through a full state
   * or through a delta.
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void oneUsersCanariesNeverReachAnother(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    Docs docs = new Docs(r);
    for (int i = 0; i < 20; i++) {
      String victim = USERS.get(r.nextInt(USERS.size()));
      boolean privateId = r.nextBoolean();
      String collection = privateId && r.nextBoolean() ? "settings" : "notes";
      String id = collection.equals("settings") ? victim : privateId ? "private/" + victim + "/canary" + i : "canary" + i;
      int writtenIn = 1 + r.nextInt(3);
      Document canary = docs.random(SCHEMA.version(writtenIn).collection(collection).orElseThrow(), victim);
      Document stored = MIGRATION.apply(collection, canary, writtenIn, SCHEMA.currentVersion());
      boolean shared = !privateId && (stored.fields().flag("published").enabled());
      for (String other : USERS) {
        if (other.equals(victim)) {
          continue;
        }
        // Moderators may read others' non-private notes by rule; everything else must stay hidden.
        Set<String> roles = privateId ? ROLES.get(r.nextInt(ROLES.size())) : Set.of("admin");
        Claims who = Claims.user(other, roles);
        for (int v = 1; v <= 3; v++) {
          Document delta = docs.write(stored, SCHEMA.current().collection(collection).orElseThrow().fields().values()
              .stream().toList().get(r.nextInt(SCHEMA.current().collection(collection).orElseThrow().fields().size())));
          Optional<Document> full = PROJECTOR.project(collection, id, stored, v, who);
          Optional<Document> live = PROJECTOR.project(collection, id, stored.merge(delta), delta, v, who);
          boolean expectVisible = shared;
          assertThat(full.isPresent()).as("seed %d: %s's canary %s reached %s at v%d", seed, victim, id, who, v)
              .isEqualTo(expectVisible);
          boolean legit = !privateId && stored.merge(delta).fields().flag("published").enabled();
          assertThat(live.isPresent() && !legit)
              .as("seed %d: a delta of %s's canary %s reached %s at v%d", seed, victim, id, who, v).isFalse();
        }
        assertThat(PROJECTOR.access().canRead(collection, id, stored, Claims.user(other, Set.of("admin"))))
            .isEqualTo(shared);
      }
    }
  }
}
