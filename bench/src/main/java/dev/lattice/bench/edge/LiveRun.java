package dev.lattice.bench.edge;

import dev.lattice.replica.log.Delta;
import dev.lattice.replica.sync.SyncCodec;
import dev.lattice.replica.sync.SyncLimits;
import dev.lattice.replica.sync.SyncMessage;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Shared state of one live run (one system, one client count): when each write was sent, and the
 * counters of the step being measured. Receivers on any event loop record into it.
 */
final class LiveRun {
  final String system;
  final int clients;
  final int group;
  final String key;
  final SyncCodec codec = new SyncCodec(SyncLimits.defaults());
  private final String[] values;
  private final ConcurrentHashMap<Long, Long> sent = new ConcurrentHashMap<>();
  volatile Step step;
  volatile boolean closing;
  final LongAdder strays = new LongAdder();
  final AtomicLong errors = new AtomicLong();
  final AtomicLong unexpectedCloses = new AtomicLong();
  private final AtomicInteger checks = new AtomicInteger();

  LiveRun(String system, int clients, int group, String key, int valueBytes) {
    this.system = system;
    this.clients = clients;
    this.group = group;
    this.key = key;
    SplittableRandom random = new SplittableRandom(group);
    values = new String[64];
    for (int i = 0; i < values.length; i++) {
      values[i] = Workload.jsonValue(random, valueBytes);
    }
  }

  String value(long seq) {
    return values[(int) (seq & 63)];
  }

  private static long key(int writer, long seq) {
    return ((long) writer << 40) | seq;
  }

  void sent(int writer, long seq, long nanos) {
    sent.put(key(writer, seq), nanos);
  }

  /** Counters of one step: writes issued from {@code issueStart}; statistics over the window. */
  static final class Step {
    final long issueStart;
    final long windowStart;
    final long windowEnd;
    final Histogram latency = new Histogram();
    final Histogram ackLatency = new Histogram();
    final LongAdder deliveredAll = new LongAdder();
    final LongAdder deliveredWindow = new LongAdder();
    final AtomicLong lastDeliveryNanos = new AtomicLong();
    final LongAdder frames = new LongAdder();
    final LongAdder frameBytes = new LongAdder();
    final LongAdder multiDeltaFrames = new LongAdder();
    final LongAdder acks = new LongAdder();
    volatile long issued;
    volatile long issuedWindow;

    Step(long issueStart, long windowStart, long windowEnd) {
      this.issueStart = issueStart;
      this.windowStart = windowStart;
      this.windowEnd = windowEnd;
    }
  }

  void delivered(FramePeek.Frame f, byte[] bytes, long now) {
    Step s = step;
    if (checks.getAndIncrement() < 50) {
      check(f, bytes);
    }
    if (f.deltas != 1 && s != null) {
      s.multiDeltaFrames.increment();
    }
    boolean frameInWindow = false;
    for (int i = 0; i < f.deltas; i++) {
      Long t = sent.get(key(Workload.writerIndex(f.replicas[i]), f.seqs[i]));
      if (t == null || s == null || t < s.issueStart) {
        strays.increment();
        continue;
      }
      s.deliveredAll.increment();
      if (t >= s.windowStart && t < s.windowEnd) {
        s.latency.recordNanos(now - t);
        s.deliveredWindow.increment();
        s.lastDeliveryNanos.accumulateAndGet(now, Math::max);
        frameInWindow = true;
      }
    }
    if (frameInWindow) {
      s.frames.increment();
      s.frameBytes.add(bytes.length);
    }
  }

  void acked(int writer, long id, long now) {
    Step s = step;
    Long t = sent.get(key(writer, id));
    if (s == null || t == null || t < s.issueStart) {
      return;
    }
    s.acks.increment();
    if (t >= s.windowStart && t < s.windowEnd) {
      s.ackLatency.recordNanos(now - t);
    }
  }

  /** Decodes the frame in full with SyncCodec and checks it carries the peeked dots. */
  private void check(FramePeek.Frame f, byte[] bytes) {
    SyncMessage m = codec.decodeBinary(bytes);
    List<Delta> deltas = m instanceof SyncMessage.Deltas d ? d.deltas()
        : m instanceof SyncMessage.Push p ? p.deltas() : null;
    if (deltas == null || deltas.size() != f.deltas) {
      error("check: " + m.getClass().getSimpleName() + " does not match the peeked frame");
      return;
    }
    for (int i = 0; i < f.deltas; i++) {
      Delta d = deltas.get(i);
      if (d.dot().replica().value() != f.replicas[i] || d.dot().seq() != f.seqs[i]
          || !d.change().fields().lww(Workload.FIELD).value().isPresent()) {
        error("check: delta " + d.dot() + " does not match the peeked dot");
      }
    }
  }

  void error(String what) {
    if (errors.incrementAndGet() <= 5) {
      System.err.println("  " + system + " n=" + clients + ": " + what);
    }
  }

  void unexpectedClose(LiveClient c, Short status, String reason) {
    if (unexpectedCloses.incrementAndGet() <= 5) {
      System.err.println("  " + system + " n=" + clients + ": client " + c.index + " closed: " + status + " " + reason);
    }
  }

  void clearSent() {
    sent.clear();
  }
}
