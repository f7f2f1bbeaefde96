package dev.lattice.crdt.laws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.testkit.Seeds;
import dev.lattice.crdt.type.Crdt;
import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.type.Field;
import dev.lattice.crdt.type.FieldKey;
import dev.lattice.crdt.type.Flag;
import dev.lattice.crdt.type.GCounter;
import dev.lattice.crdt.type.LwwRegister;
import dev.lattice.crdt.type.MvRegister;
import dev.lattice.crdt.type.OrMap;
import dev.lattice.crdt.type.OrSet;
import dev.lattice.crdt.type.PnCounter;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generic law suite every CRDT type plugs into through a {@link TypeModel}: join laws over
 * reachable states and deltas, the delta of a mutator against a sequential model, and
 * convergence of five replicas under reordering, duplication and loss, checked against the
 * type's specification. Each case names its type and seed; {@code -Dlattice.seed=S} replays one.
 */
class CrdtLawsTest {

  static final List<TypeModel<?>> MODELS = List.of(
      RegisterModels.LWW, RegisterModels.MV, RegisterModels.GCOUNTER, RegisterModels.PNCOUNTER,
      RegisterModels.ORSET, RegisterModels.FLAG, MapModels.ORMAP, MapModels.DOCUMENT);

  static Stream<Arguments> cases() {
    return MODELS.stream().flatMap(m -> Seeds.seeds().mapToObj(s -> Arguments.of(m, s)));
  }

  @ParameterizedTest(name = "{0} seed {1}")
  @MethodSource("cases")
  <T extends Crdt<T>> void mergeIsCommutativeAssociativeIdempotentAndInflationary(TypeModel<T> model, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<T> pool = reachableValues(model, random);
    for (int i = 0; i < 60; i++) {
      T a = pool.get(random.nextInt(pool.size()));
      T b = pool.get(random.nextInt(pool.size()));
      T c = pool.get(random.nextInt(pool.size()));
      String where = model.name() + " seed " + seed + "\n a=" + a + "\n b=" + b + "\n c=" + c;
      T ab = a.merge(b);
      assertThat(ab).as("commutative: " + where).isEqualTo(b.merge(a));
      assertThat(ab.merge(c)).as("associative: " + where).isEqualTo(a.merge(b.merge(c)));
      assertThat(a.merge(a)).as("idempotent: " + where).isEqualTo(a);
      assertThat(ab.merge(a)).as("inflationary (a <= a join b): " + where).isEqualTo(ab);
      assertThat(a.merge(model.empty())).as("bottom is the identity: " + where).isEqualTo(a);
    }
  }

  @ParameterizedTest(name = "{0} seed {1}")
  @MethodSource("cases")
  <T extends Crdt<T>> void deltaOfEachMutatorMatchesTheSequentialModel(TypeModel<T> model, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    ReplicaId me = new ReplicaId(7);
    T state = model.empty();
    VersionVector seen = VersionVector.EMPTY;
    List<Event> history = new ArrayList<>();
    for (int i = 1; i <= 40; i++) {
      Op op = model.randomOp(random, state);
      Dot dot = new Dot(me, i);
      long hlc = 1000L * i;
      T delta = model.delta(state, op, dot, hlc);
      history.add(new Event(op, dot, hlc, seen));
      seen = seen.add(dot);
      T next = state.merge(delta);
      assertThat(next.merge(state)).as("inflation at op %d %s, seed %d", i, op, seed).isEqualTo(next);
      assertThat(next.merge(delta)).as("delta applied twice, seed %d", seed).isEqualTo(next);
      assertThat(model.read(next))
          .as("%s seed %d: after %s the state reads as the model says; state %s", model.name(), seed, op, next)
          .isEqualTo(model.spec(history));
      state = next;
    }
  }

  @ParameterizedTest(name = "{0} seed {1}")
  @MethodSource("cases")
  <T extends Crdt<T>> void replicasConvergeUnderReorderingDuplicationAndLoss(TypeModel<T> model, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Simulation<T> sim = new Simulation<>(model, 5, random);
    int steps = 20 + random.nextInt(80);
    for (int i = 0; i < steps; i++) {
      sim.step();
    }
    sim.drain();
    String where = model.name() + " seed " + seed + ", history:" + sim.describe();
    T expected = sim.deltas.stream().reduce(model.empty(), Crdt::merge);
    for (int r = 0; r < sim.size(); r++) {
      assertThat(sim.state(r)).as("replica %d equals the join of all deltas; %s", r, where).isEqualTo(expected);
    }
    assertThat(model.read(expected)).as("converged value matches the specification; %s", where)
        .isEqualTo(model.spec(sim.history));
    for (int r = 0; r < sim.size(); r++) {
      assertThat(sim.stored(r)).as("replica %d's stored form is the compacted state; %s", r, where)
          .isEqualTo(model.compact(expected, sim.seen(r)));
      assertThat(model.read(sim.stored(r))).isEqualTo(model.read(expected));
      assertThat(leftoverMetadata(sim.stored(r)))
          .as("once every delta is delivered, nothing but live dots is stored; %s", where).isZero();
    }
  }

  /** Context dots and removed entries a stored value still keeps. */
  private static long leftoverMetadata(Object value) {
    if (value instanceof Document d) {
      return leftoverMetadata(d.fields());
    }
    if (value instanceof OrMap m) {
      long n = 0;
      for (Map.Entry<FieldKey, Field> e : m.entries()) {
        n += (e.getValue().isPresent() ? 0 : 1) + leftoverMetadata(e.getValue());
      }
      return n;
    }
    VersionVector context = switch (((Field) value).kind()) {
      case LWW -> ((LwwRegister) value).context();
      case MVREG -> ((MvRegister) value).context();
      case GCOUNTER -> ((GCounter) value).context();
      case COUNTER -> ((PnCounter) value).context();
      case SET -> ((OrSet) value).context();
      case FLAG -> ((Flag) value).context();
      case MAP -> throw new AssertionError("handled above");
    };
    return context.dotCount();
  }

  @ParameterizedTest(name = "{0} seed {1}")
  @MethodSource("cases")
  <T extends Crdt<T>> void joiningStoredFormsUnderTheirVectorsEqualsJoiningFullStates(TypeModel<T> model, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Simulation<T> sim = new Simulation<>(model, 3, random);
    int steps = 10 + random.nextInt(60);
    for (int i = 0; i < steps; i++) {
      sim.step();
    }
    for (int a = 0; a < sim.size(); a++) {
      for (int b = 0; b < sim.size(); b++) {
        VersionVector va = sim.seen(a);
        VersionVector vb = sim.seen(b);
        VersionVector both = va.merge(vb);
        T full = sim.state(a).merge(sim.state(b));
        T stored = model.joinStored(sim.stored(a), va, sim.stored(b), vb);
        assertThat(model.compact(stored, both))
            .as("%s seed %d replicas %d,%d; history:%s", model.name(), seed, a, b, sim.describe())
            .isEqualTo(model.compact(full, both));
        assertThat(model.read(stored)).isEqualTo(model.read(full));
      }
    }
  }

  /** Replica states and deltas taken at random moments of a simulated history: all reachable. */
  private static <T extends Crdt<T>> List<T> reachableValues(TypeModel<T> model, SplittableRandom random) {
    Simulation<T> sim = new Simulation<>(model, 3, random);
    List<T> pool = new ArrayList<>();
    pool.add(model.empty());
    for (int i = 0; i < 40; i++) {
      sim.step();
      if (random.nextInt(4) == 0) {
        pool.add(sim.state(random.nextInt(sim.size())));
      }
    }
    pool.addAll(sim.deltas.subList(0, Math.min(10, sim.deltas.size())));
    for (int r = 0; r < sim.size(); r++) {
      pool.add(sim.state(r));
    }
    return pool;
  }
}
