package dev.lattice.bench.peers;

import dev.lattice.replica.BatchReceipt;
import dev.lattice.replica.Collection;
import dev.lattice.replica.Durability;
import dev.lattice.replica.Replica;
import dev.lattice.replica.ReplicaOptions;
import dev.lattice.replica.Role;
import dev.lattice.replica.WriteReceipt;
import java.nio.file.Path;
import java.util.Map;

/**
 * Lattice as an application uses it: a client replica file in {@code ASYNC} durability (system
 * {@code lattice}), or an edge's replica file (system {@code lattice.edge}: its writes are not
 * queued for an upstream, so the log is trimmed by the default retention, as a client's is once
 * its writes are acknowledged), one
 * document per key in collection {@code kv} of namespace {@code bench}, one LWW field {@code v}
 * holding the value. Batches are {@code replica.batch(COMMIT, body)}: one commit per batch, as the
 * raw loop commits once per batch (with {@code ASYNC}, several batches could share one commit). A
 * trial's time ends when its last write is durable (committed). Its size is the file on disk after
 * {@code close}; then the file is reopened, {@code compact()}ed and closed again for
 * {@code size.compacted}. The default log retention applies ({@code RetentionPolicy.DEFAULT}); a
 * client keeps its unacknowledged writes whatever the retention, and here nothing acknowledges
 * them.
 */
final class LatticeSide implements JavaSide {
  static final String SYSTEM = "lattice";
  static final String EDGE_SYSTEM = "lattice.edge";

  private final Role role;

  LatticeSide(Role role) {
    this.role = role;
  }

  private ReplicaOptions options() {
    return ReplicaOptions.builder().role(role).durability(Durability.ASYNC).build();
  }

  @Override
  public String system() {
    return role == Role.CLIENT ? SYSTEM : EDGE_SYSTEM;
  }

  @Override
  public Step.Measured run(Step step, Step.Sizes s, PeersWorkload w, Path file) {
    return switch (step.figure()) {
      case Step.BUILD -> build(s, w, file);
      case Step.BATCH -> batch(step.batch(), s, w, file);
      case Step.HOT -> hot(s, w, file);
      default -> throw new IllegalArgumentException("unknown figure " + step.figure());
    };
  }

  private Step.Measured build(Step.Sizes s, PeersWorkload w, Path file) {
    long nanos;
    try (Replica replica = Replica.open(file, options())) {
      Collection kv = replica.namespace("bench").collection("kv");
      WriteReceipt last = null;
      long t0 = System.nanoTime();
      for (int i = 0; i < s.keys(); i++) {
        String v = w.value(i);
        last = kv.update(w.key(i), doc -> doc.set("v", v));
      }
      last.durable().join();
      nanos = System.nanoTime() - t0;
    }
    return measured(nanos, file, new double[0]);
  }

  private Step.Measured batch(int batch, Step.Sizes s, PeersWorkload w, Path file) {
    long nanos;
    try (Replica replica = Replica.open(file, options())) {
      Collection kv = replica.namespace("bench").collection("kv");
      BatchReceipt last = null;
      long t0 = System.nanoTime();
      for (int from = 0; from < s.keys(); from += batch) {
        int first = from;
        int end = Math.min(s.keys(), from + batch);
        last = replica.batch(Durability.COMMIT, () -> {
          for (int i = first; i < end; i++) {
            String v = w.value(i);
            kv.update(w.key(i), doc -> doc.set("v", v));
          }
        });
      }
      last.durable().join();
      nanos = System.nanoTime() - t0;
    }
    return measured(nanos, file, new double[0]);
  }

  private Step.Measured hot(Step.Sizes s, PeersWorkload w, Path file) {
    double[] at = new double[s.checkpoints()];
    long nanos = 0;
    try (Replica replica = Replica.open(file, options())) {
      Collection kv = replica.namespace("bench").collection("kv");
      WriteReceipt last = null;
      long i = 0;
      for (int c = 1; c <= s.checkpoints(); c++) {
        long until = s.checkpoint(c);
        long t0 = System.nanoTime();
        for (; i < until; i++) {
          String v = w.value(w.hotValue(i, s.hotKeys()));
          last = kv.update(w.key(PeersWorkload.hotKey(i, s.hotKeys())), doc -> doc.set("v", v));
        }
        last.durable().join();
        nanos += System.nanoTime() - t0;
        at[c - 1] = JavaSide.fileSize(file);
      }
    }
    return measured(nanos, file, at);
  }

  /** The trial's figures, with the closed file's size, then its size after {@code compact()}. */
  private Step.Measured measured(long nanos, Path file, double[] at) {
    long closed = JavaSide.fileSize(file);
    try (Replica replica = Replica.open(file, options())) {
      replica.compact();
    }
    return new Step.Measured(nanos, closed, at, Map.of("size.compacted", (double) JavaSide.fileSize(file)));
  }
}
