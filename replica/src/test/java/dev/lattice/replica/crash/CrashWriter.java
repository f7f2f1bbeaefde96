package dev.lattice.replica.crash;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.value.Value;
import dev.lattice.replica.Collection;
import dev.lattice.replica.Durability;
import dev.lattice.replica.Namespace;
import dev.lattice.replica.Replica;
import dev.lattice.replica.ReplicaOptions;
import dev.lattice.replica.Role;
import dev.lattice.replica.WriteReceipt;
import dev.lattice.replica.log.Delta;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The child JVM of {@link CrashSafetyTest}: opens a client replica in {@code SYNC} mode and writes
 * until it is killed. It tells the parent, one line at a time on stdout:
 *
 * <ul>
 *   <li>{@code BOOT} just before {@code Replica.open}, so the parent can aim a kill at the open;
 *   <li>{@code OPEN <replicaId> <vectorMax> <pending> <openMillis>} once the replica is open;
 *   <li>{@code TRY ...} (see {@link WriteOp#line()}) from inside the mutation, so the line names the
 *       write's dot, before the write can be durable;
 *   <li>{@code ACK <thread> <seq>} only after {@code update} has returned: from then on the write
 *       must survive any kill;
 *   <li>{@code UPACK <seq>...} before the uplink thread (standing in for an upstream) acknowledges
 *       those queued dots, so the parent knows which may have left the queue;
 *   <li>{@code ERR ...} on any unexpected exception, after which the child halts.
 * </ul>
 *
 * Each line goes out in one {@code write(2)} of well under {@code PIPE_BUF} bytes, so a kill never
 * leaves half a line. Each writer thread owns its documents ({@code t<thread>-<k>}), which lets the
 * parent know every document's state exactly; the writes mix LWW sets, counter steps, set adds and
 * removes, deletes, and two-field writes (which must survive whole or not at all).
 *
 * <p>Arguments: replica file, seed, cycle, writer threads, uplink on/off.
 */
public final class CrashWriter {
  static final String NAMESPACE = "crash";
  static final int DOCS_PER_THREAD = 64;
  static final int TAGS = 6;
  /** A child the parent forgot to kill stops by itself. */
  private static final long DEADLINE_MILLIS = 60_000;

  private static final FileOutputStream OUT = new FileOutputStream(FileDescriptor.out);

  private CrashWriter() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    int cycle = Integer.parseInt(args[2]);
    int threads = Integer.parseInt(args[3]);
    boolean uplink = Boolean.parseBoolean(args[4]);
    startDaemon("crash-deadline", () -> {
      try {
        Thread.sleep(DEADLINE_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
      die("deadline of " + DEADLINE_MILLIS + " ms passed without a kill", null);
    });
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> die("uncaught in " + t.getName(), e));

    // The id source matters only on the first cycle, when the file is created.
    ReplicaOptions options = ReplicaOptions.builder().role(Role.CLIENT).durability(Durability.SYNC)
        .random(new SplittableRandom(seed)).build();
    emit("BOOT");
    long started = System.nanoTime();
    Replica replica = Replica.open(file, options);
    Namespace ns = replica.namespace(NAMESPACE);
    emit("OPEN " + replica.id() + " " + ns.vector().max(replica.id()) + " " + ns.outbox().size() + " "
        + (System.nanoTime() - started) / 1_000_000);

    SplittableRandom root = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + cycle);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      SplittableRandom rnd = root.split();
      workers.add(startDaemon("crash-writer-" + t, () -> write(ns, thread, cycle, rnd)));
    }
    if (uplink) {
      SplittableRandom rnd = root.split();
      workers.add(startDaemon("crash-uplink", () -> uplink(ns, rnd)));
    }
    for (Thread w : workers) {
      w.join();
    }
  }

  /** Writes to this thread's documents forever, announcing each write and each return. */
  private static void write(Namespace ns, int thread, int cycle, SplittableRandom rnd) {
    long counter = 0;
    while (true) {
      int k = rnd.nextInt(DOCS_PER_THREAD);
      String id = "t" + thread + "-" + k;
      String collection = "c" + (k % 2);
      Collection c = ns.collection(collection);
      Optional<Document> current = c.get(id);
      // Monotone per document across cycles: cycle in the high digits, this thread's count below.
      long value = (cycle + 1L) * 1_000_000_000L + ++counter;
      WriteOp op = choose(rnd, thread, collection, id, current, value);
      WriteReceipt receipt = c.update(id, w -> {
        WriteOp announced = op.withSeq(w.dot().seq());
        emit(announced.line());
        announced.writeTo(w);
      });
      emit("ACK " + thread + " " + receipt.dot().seq());
    }
  }

  /** A random write that is never empty (removing an absent tag or deleting nothing would be). */
  private static WriteOp choose(SplittableRandom rnd, int thread, String collection, String id,
      Optional<Document> current, long value) {
    List<Value> tags = current.map(d -> d.fields().set(WriteOp.SET).values()).orElse(List.of());
    int roll = rnd.nextInt(100);
    long amount = rnd.nextInt(1, 12) * (rnd.nextInt(4) == 0 ? -1L : 1L);
    String tag = "e" + rnd.nextInt(TAGS);
    WriteOp.Kind kind;
    if (roll < 35) {
      kind = WriteOp.Kind.SET;
    } else if (roll < 55) {
      kind = WriteOp.Kind.INCREMENT;
    } else if (roll < 70) {
      kind = WriteOp.Kind.SET_AND_INCREMENT;
    } else if (roll < 85) {
      kind = WriteOp.Kind.ADD;
    } else if (roll < 93) {
      kind = tags.isEmpty() ? WriteOp.Kind.ADD : WriteOp.Kind.REMOVE;
      if (!tags.isEmpty()) {
        tag = ((Value.Str) tags.get(rnd.nextInt(tags.size()))).value();
      }
    } else {
      kind = current.isPresent() ? WriteOp.Kind.DELETE : WriteOp.Kind.SET;
    }
    return new WriteOp(thread, 0, collection, id, kind, value, amount, kind == WriteOp.Kind.ADD
        || kind == WriteOp.Kind.REMOVE ? tag : "-");
  }

  /** Stands in for an upstream that acknowledges some queued writes now and then. */
  private static void uplink(Namespace ns, SplittableRandom rnd) {
    while (true) {
      try {
        Thread.sleep(rnd.nextInt(5, 30));
      } catch (InterruptedException e) {
        return;
      }
      List<Dot> acked = new ArrayList<>();
      StringBuilder line = new StringBuilder("UPACK");
      for (Delta d : ns.outbox().pending(64)) {
        if (rnd.nextInt(3) == 0) {
          acked.add(d.dot());
          line.append(' ').append(d.dot().seq());
        }
      }
      if (!acked.isEmpty()) {
        emit(line.toString());
        ns.outbox().acknowledge(acked);
      }
    }
  }

  static synchronized void emit(String line) {
    try {
      OUT.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      // The parent is gone: nobody is left to check anything.
      Runtime.getRuntime().halt(5);
    }
  }

  private static void die(String what, Throwable e) {
    String detail = e == null ? what : what + ": " + e;
    emit("ERR " + detail.replace('\n', ' '));
    if (e != null) {
      e.printStackTrace();
    }
    System.err.flush();
    Runtime.getRuntime().halt(3);
  }

  private static Thread startDaemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
    return t;
  }
}
