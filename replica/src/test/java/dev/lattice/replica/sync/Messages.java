package dev.lattice.replica.sync;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.value.Value;
import dev.lattice.replica.Collection;
import dev.lattice.replica.Durability;
import dev.lattice.replica.Namespace;
import dev.lattice.replica.Replica;
import dev.lattice.replica.ReplicaOptions;
import dev.lattice.replica.Role;
import dev.lattice.replica.log.Delta;
import dev.lattice.replica.log.DeltaPage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded random {@link SyncMessage}s of every type, for codec round trips and fuzzing. Deltas and
 * documents come from real replicas doing random writes of every field kind (so they are what a
 * session really sends), drawn once into a pool.
 */
final class Messages {
  /** Real deltas and document states, made once. */
  static final List<Delta> DELTAS;
  static final List<Document> DOCUMENTS;

  static {
    List<Delta> deltas = new ArrayList<>();
    List<Document> documents = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(2024);
    for (int r = 0; r < 3; r++) {
      try (Replica replica = Replica.inMemory(ReplicaOptions.builder().role(Role.CLIENT).durability(Durability.ASYNC)
          .random(new SplittableRandom(r + 1)).wallClock(() -> 1_700_000_000_000L).build())) {
        Namespace ns = replica.namespace("ns");
        for (int i = 0; i < 80; i++) {
          Collection c = ns.collection(random.nextBoolean() ? "tasks" : "notes-x.1");
          String id = random.nextInt(4) == 0 ? "ünï/cödé " + random.nextInt(5) : "d" + random.nextInt(12);
          int op = random.nextInt(11);
          c.update(id, w -> {
            switch (op) {
              case 0 -> w.delete();
              case 1 -> w.removeField("title");
              case 2 -> w.increment("votes", random.nextLong(-1_000_000, 1_000_000));
              case 3 -> w.add("tags", Value.of("t" + random.nextInt(4)));
              case 4 -> w.remove("tags", Value.of("t" + random.nextInt(4)));
              case 5 -> w.enable("done");
              case 6 -> w.disable("done").set("title", "undone");
              case 7 -> w.assign("mv", Value.of(random.nextDouble()));
              case 8 -> w.set("flag", random.nextBoolean()).set("n", random.nextLong()).set("x", -0.0);
              case 9 -> w.set("bytes", Value.ofBytes(bytes(random, 16)));
              default -> w.set("title", "v" + random.nextInt(100) + " \u00e9\u4e2d\ud83d\ude00 \"quoted\" \\ \n");
            }
          });
        }
        replica.flush();
        deltas.addAll(((DeltaPage.Deltas) ns.deltasSince(VersionVector.EMPTY, Integer.MAX_VALUE)).deltas());
        for (String coll : List.of("tasks", "notes-x.1")) {
          for (Map.Entry<String, Document> e : ns.collection(coll).scan("", Integer.MAX_VALUE)) {
            documents.add(e.getValue());
          }
        }
      }
    }
    documents.add(Document.EMPTY);
    DELTAS = List.copyOf(deltas);
    DOCUMENTS = List.copyOf(documents);
  }

  private Messages() {}

  static byte[] bytes(SplittableRandom random, int max) {
    byte[] b = new byte[random.nextInt(max + 1)];
    random.nextBytes(b);
    return b;
  }

  static String text(SplittableRandom random) {
    String[] pool = {"", "team", "a b", "\u00e9t\u00e9", "\ud83d\ude00", "\"", "\\", "\u0000", "x".repeat(300),
        "line\nbreak", "{\"t\":\"hello\"}"};
    return random.nextInt(3) == 0 ? pool[random.nextInt(pool.length)] : "s" + random.nextLong();
  }

  static long anyLong(SplittableRandom random) {
    long[] edges = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, Integer.MAX_VALUE, 1L << 53, (1L << 53) + 1};
    return random.nextInt(3) == 0 ? edges[random.nextInt(edges.length)] : random.nextLong();
  }

  static int anyInt(SplittableRandom random) {
    int[] edges = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE};
    return random.nextInt(3) == 0 ? edges[random.nextInt(edges.length)] : random.nextInt();
  }

  static ReplicaId replica(SplittableRandom random) {
    long v;
    do {
      v = random.nextInt(4) == 0 ? random.nextLong(1, 4) : random.nextLong();
    } while (v == 0);
    return new ReplicaId(v);
  }

  static Dot dot(SplittableRandom random) {
    return new Dot(replica(random), random.nextInt(4) == 0 ? Long.MAX_VALUE : random.nextLong(1, 1_000_000));
  }

  static VersionVector vector(SplittableRandom random) {
    List<Dot> dots = new ArrayList<>();
    int n = random.nextInt(6);
    for (int i = 0; i < n; i++) {
      ReplicaId r = replica(random);
      long upTo = random.nextLong(1, 50);
      for (long s = 1; s <= upTo; s++) {
        if (random.nextInt(5) != 0) {
          dots.add(new Dot(r, s));
        }
      }
    }
    return VersionVector.ofDots(dots);
  }

  static List<Delta> deltas(SplittableRandom random, int max) {
    int n = random.nextInt(max + 1);
    List<Delta> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(DELTAS.get(random.nextInt(DELTAS.size())));
    }
    return out;
  }

  /** One random message of the given type index (0 to {@link #TYPES} - 1). */
  static final int TYPES = 11;

  static SyncMessage of(int type, SplittableRandom random) {
    switch (type) {
      case 0:
        return new SyncMessage.Hello(anyInt(random), text(random), text(random), anyInt(random), replica(random),
            vector(random), anyLong(random), random.nextBoolean() ? SyncMessage.Role.CLIENT : SyncMessage.Role.PEER,
            random.nextBoolean());
      case 1:
        return new SyncMessage.Welcome(anyInt(random), replica(random), anyLong(random), anyInt(random), vector(random),
            text(random), anyInt(random), anyInt(random));
      case 2:
        return new SyncMessage.Deltas(deltas(random, 12));
      case 3:
        return new SyncMessage.Push(anyLong(random), deltas(random, 12));
      case 4: {
        List<Dot> acked = new ArrayList<>();
        List<SyncMessage.Rejection> rejected = new ArrayList<>();
        for (int i = random.nextInt(6); i > 0; i--) {
          acked.add(dot(random));
        }
        for (int i = random.nextInt(3); i > 0; i--) {
          ErrorCode[] codes = ErrorCode.values();
          rejected.add(new SyncMessage.Rejection(dot(random), codes[random.nextInt(codes.length)].wire(), text(random)));
        }
        return new SyncMessage.Ack(anyLong(random), acked, rejected);
      }
      case 5:
        return new SyncMessage.CaughtUp(vector(random));
      case 6:
        return new SyncMessage.Repair(bytes(random, 200), random.nextBoolean());
      case 7: {
        List<SyncMessage.State> states = new ArrayList<>();
        for (int i = random.nextInt(5); i > 0; i--) {
          states.add(new SyncMessage.State(random.nextBoolean() ? "tasks" : text(random), text(random),
              DOCUMENTS.get(random.nextInt(DOCUMENTS.size()))));
        }
        return new SyncMessage.States(states, vector(random), random.nextBoolean(), random.nextBoolean());
      }
      case 8:
        return new SyncMessage.Resync(vector(random));
      case 9: {
        ErrorCode[] codes = ErrorCode.values();
        return new SyncMessage.Error(random.nextBoolean() ? codes[random.nextInt(codes.length)].wire() : text(random),
            text(random), random.nextBoolean());
      }
      default:
        return new SyncMessage.Deltas(List.of());
    }
  }
}
