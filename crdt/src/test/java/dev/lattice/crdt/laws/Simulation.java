package dev.lattice.crdt.laws;

import dev.lattice.crdt.causal.CausalContext;
import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.clock.ClockSkewException;
import dev.lattice.crdt.clock.Hlc;
import dev.lattice.crdt.type.Crdt;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Replicas of one CRDT exchanging deltas through a network that reorders, duplicates and loses
 * messages, all driven by one seed. Lost messages are redelivered by {@link #drain}, as a
 * replica's retry or anti-entropy would, so every history ends with everything delivered.
 */
final class Simulation<T extends Crdt<T>> {
  private final TypeModel<T> model;
  private final SplittableRandom random;
  private final List<Replica<T>> replicas = new ArrayList<>();
  private final List<Message<T>> inFlight = new ArrayList<>();
  private final List<Message<T>> lost = new ArrayList<>();
  final List<Event> history = new ArrayList<>();
  final List<T> deltas = new ArrayList<>();

  private record Message<T>(int target, Event event, T delta) {}

  private static final class Replica<T> {
    final ReplicaId id;
    final long[] wall;
    final Hlc clock;
    T state;
    /** The same replica as a store keeps it: compacted beside {@link #seen}, deltas joined under it. */
    T stored;
    VersionVector seen = VersionVector.EMPTY;
    long seq;

    Replica(ReplicaId id, T empty, long startMillis) {
      this.id = id;
      this.wall = new long[] {startMillis};
      this.clock = new Hlc(() -> wall[0], Duration.ofSeconds(60));
      this.state = empty;
      this.stored = empty;
    }
  }

  Simulation(TypeModel<T> model, int replicaCount, SplittableRandom random) {
    this.model = model;
    this.random = random;
    for (int i = 0; i < replicaCount; i++) {
      // Small ids so that ties and ordering across replicas are exercised; skewed wall clocks.
      replicas.add(new Replica<>(new ReplicaId(i + 1), model.empty(), 1_000_000 + random.nextInt(2_000)));
    }
  }

  T state(int replica) {
    return replicas.get(replica).state;
  }

  T stored(int replica) {
    return replicas.get(replica).stored;
  }

  VersionVector seen(int replica) {
    return replicas.get(replica).seen;
  }

  int size() {
    return replicas.size();
  }

  /** One random step: an operation, a delivery, a duplicate or a loss. */
  void step() {
    int k = random.nextInt(100);
    for (Replica<T> r : replicas) {
      r.wall[0] += random.nextInt(3) - 1; // wall clocks wander, sometimes backwards
    }
    if (k < 45 || inFlight.isEmpty()) {
      operate(random.nextInt(replicas.size()));
    } else if (k < 85) {
      deliver(inFlight.remove(random.nextInt(inFlight.size())));
    } else if (k < 93) {
      inFlight.add(inFlight.get(random.nextInt(inFlight.size())));
    } else {
      lost.add(inFlight.remove(random.nextInt(inFlight.size())));
    }
  }

  /** Replica {@code i} performs a random operation and broadcasts its delta. */
  void operate(int i) {
    Replica<T> r = replicas.get(i);
    Op op = model.randomOp(random, r.state);
    Dot dot = new Dot(r.id, ++r.seq);
    long hlc = r.clock.now();
    T delta = model.delta(r.state, op, dot, hlc);
    Event event = new Event(op, dot, hlc, r.seen);
    history.add(event);
    deltas.add(delta);
    apply(r, dot, delta);
    for (int t = 0; t < replicas.size(); t++) {
      if (t != i) {
        inFlight.add(new Message<>(t, event, delta));
      }
    }
  }

  /** Redelivers what was lost and delivers everything in flight, in random order, some twice. */
  void drain() {
    inFlight.addAll(lost);
    lost.clear();
    while (!inFlight.isEmpty()) {
      Message<T> m = inFlight.remove(random.nextInt(inFlight.size()));
      deliver(m);
      if (random.nextInt(10) == 0) {
        inFlight.add(m);
      }
    }
  }

  private void deliver(Message<T> m) {
    Replica<T> r = replicas.get(m.target());
    apply(r, m.event().dot(), m.delta());
    try {
      r.clock.receive(m.event().hlc());
    } catch (ClockSkewException e) {
      throw new AssertionError("simulated clocks stay within the skew bound", e);
    }
  }

  private void apply(Replica<T> r, Dot dot, T delta) {
    r.state = r.state.merge(delta);
    VersionVector next = r.seen.add(dot);
    r.stored = model.compact(model.joinStored(r.stored, r.seen, delta, CausalContext.NONE), next);
    r.seen = next;
  }

  String describe() {
    StringBuilder sb = new StringBuilder();
    for (Event e : history) {
      sb.append("\n  ").append(e);
    }
    return sb.toString();
  }
}
