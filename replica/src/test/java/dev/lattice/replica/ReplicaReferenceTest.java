package dev.lattice.replica;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.type.Field;
import dev.lattice.crdt.type.FieldKey;
import dev.lattice.crdt.type.LwwRegister;
import dev.lattice.crdt.type.OrSet;
import dev.lattice.crdt.type.PnCounter;
import dev.lattice.crdt.value.Value;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random operations against a plain in-memory reference, with commits, clean reopens, simulated
 * crashes, batches (some aborted by their body) and compactions mixed in; the replica's internal
 * structure is validated along the way. In SYNC and COMMIT mode every write whose update returned must
 * survive a crash; the seed is in the test name.
 */
class ReplicaReferenceTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.lattice.replica.Seeds#seeds")
  void matchesAReferenceAcrossReopensAndCrashes(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Durability mode = random.nextBoolean() ? Durability.SYNC : Durability.COMMIT;
    ReplicaOptions options = ReplicaOptions.builder().durability(mode).random(new SplittableRandom(seed)).build();
    Path file = dir.resolve("ref-" + seed + ".mv.db");
    Map<String, Map<String, Object>> reference = new TreeMap<>();
    Replica replica = Replica.open(file, options);
    try {
      int ops = 60 + random.nextInt(60);
      for (int i = 0; i < ops; i++) {
        int k = random.nextInt(100);
        if (k < 5) {
          replica.close();
          replica = Replica.open(file, options);
        } else if (k < 10) {
          replica.simulateCrash();
          replica = Replica.open(file, options);
        } else if (k < 11) {
          replica.compact();
        } else if (k < 23) {
          Replica current = replica;
          int size = 1 + random.nextInt(5);
          boolean abort = random.nextInt(4) == 0;
          Map<String, Map<String, Object>> before = deepCopy(reference);
          try {
            current.batch(mode, () -> {
              for (int j = 0; j < size; j++) {
                operate(current, reference, random);
              }
              if (abort) {
                throw new IllegalStateException("abort");
              }
            });
          } catch (IllegalStateException e) {
            reference.clear();
            reference.putAll(before);
          }
        } else {
          operate(replica, reference, random);
        }
        if (random.nextInt(10) == 0) {
          assertMatches(replica, reference, seed + " after op " + i);
          replica.validate();
        }
      }
      replica.simulateCrash();
      replica = Replica.open(file, options);
      assertMatches(replica, reference, seed + " at the end");
      replica.validate();
    } finally {
      replica.close();
    }
  }

  private static Map<String, Map<String, Object>> deepCopy(Map<String, Map<String, Object>> reference) {
    Map<String, Map<String, Object>> copy = new TreeMap<>();
    reference.forEach((id, doc) -> {
      Map<String, Object> d = new TreeMap<>();
      doc.forEach((k, v) -> d.put(k, v instanceof TreeSet<?> set ? new TreeSet<>(set) : v));
      copy.put(id, d);
    });
    return copy;
  }

  private static void operate(Replica replica, Map<String, Map<String, Object>> reference, SplittableRandom r) {
    String id = "d" + r.nextInt(6);
    Collection c = replica.namespace("ns").collection("c");
    Map<String, Object> doc = reference.computeIfAbsent(id, x -> new TreeMap<>());
    switch (r.nextInt(9)) {
      case 0 -> {
        c.delete(id);
        doc.clear();
      }
      case 1 -> {
        String name = List.of("title", "n", "tags", "done").get(r.nextInt(4));
        c.update(id, w -> w.removeField(name));
        doc.keySet().removeIf(key -> key.startsWith(name + ":"));
      }
      case 2, 3 -> {
        long amount = r.nextInt(-4, 9);
        c.update(id, w -> w.increment("n", amount));
        doc.merge("n:counter", amount, (a, b) -> (Long) a + (Long) b);
      }
      case 4 -> {
        Value e = Value.of("t" + r.nextInt(3));
        c.update(id, w -> w.add("tags", e));
        @SuppressWarnings("unchecked")
        TreeSet<Value> tags = (TreeSet<Value>) doc.computeIfAbsent("tags:set", x -> new TreeSet<Value>());
        tags.add(e);
      }
      case 5 -> {
        Value e = Value.of("t" + r.nextInt(3));
        c.update(id, w -> w.remove("tags", e));
        Object tags = doc.get("tags:set");
        if (tags instanceof TreeSet<?> set) {
          set.remove(e);
          if (set.isEmpty()) {
            doc.remove("tags:set");
          }
        }
      }
      case 6 -> {
        boolean on = r.nextBoolean();
        c.update(id, w -> {
          if (on) {
            w.enable("done");
          } else {
            w.disable("done");
          }
        });
        if (on) {
          doc.put("done:flag", true);
        } else {
          doc.remove("done:flag");
        }
      }
      default -> {
        String v = "v" + r.nextInt(1000);
        c.update(id, w -> w.set("title", v));
        doc.put("title:lww", Value.of(v));
      }
    }
  }

  private static void assertMatches(Replica replica, Map<String, Map<String, Object>> reference, String where) {
    Collection c = replica.namespace("ns").collection("c");
    for (Map.Entry<String, Map<String, Object>> e : reference.entrySet()) {
      Map<String, Object> want = new TreeMap<>();
      e.getValue().forEach((k, v) -> want.put(k, v instanceof TreeSet<?> s ? List.copyOf(s) : v));
      Map<String, Object> got = c.get(e.getKey()).map(ReplicaReferenceTest::read).orElse(Map.of());
      assertThat(got).as("seed " + where + ", document " + e.getKey()).isEqualTo(want);
    }
  }

  private static Map<String, Object> read(Document d) {
    Map<String, Object> out = new TreeMap<>();
    for (FieldKey k : d.fields().keys()) {
      Field f = d.fields().get(k);
      out.put(k.toString(), switch (k.kind()) {
        case LWW -> ((LwwRegister) f).value().orElseThrow();
        case COUNTER -> ((PnCounter) f).value();
        case SET -> ((OrSet) f).values();
        case FLAG -> true;
        default -> f;
      });
    }
    return out;
  }
}
