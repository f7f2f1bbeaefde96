package dev.lattice.replica;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.replica.log.Delta;
import dev.lattice.replica.log.DeltaCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.h2.mvstore.MVMap;

/**
 * A client's local writes that no upstream has acknowledged yet, in the replica's MVStore so they
 * survive restarts. A write enters in the commit that makes it (see {@link Collection#update}) and
 * leaves only when an upstream acknowledges its dot, or rejects it for good; a rejected write is
 * surfaced and skipped so it never blocks the writes behind it.
 *
 * <p>The queue holds dots only: a queued write's bytes are its delta-log entry, which the log
 * keeps until the write leaves the queue, so each write is stored once. Changes are staged like
 * every write (see {@link PendingWrites}) and reach the map at the next commit.
 */
public final class OutboundQueue {
  private static final byte[] QUEUED = new byte[0];

  private final Replica replica;
  private final Namespace namespace;
  private final DeltaLog log;
  private final Staging staging;
  private final MVMap<byte[], byte[]> entries;
  private final MVMap<byte[], byte[]> rejected;
  private final CopyOnWriteArrayList<RejectionListener> rejectionListeners = new CopyOnWriteArrayList<>();
  /** Queued writes, committed or not; under the write lock. */
  private long size;

  OutboundQueue(Replica replica, Namespace namespace, DeltaLog log, Staging staging, MVMap<byte[], byte[]> entries,
      MVMap<byte[], byte[]> rejected) {
    this.replica = replica;
    this.namespace = namespace;
    this.log = log;
    this.staging = staging;
    this.entries = entries;
    this.rejected = rejected;
    this.size = entries.sizeAsLong();
  }

  /** Committed writes waiting for acknowledgement, oldest first, at most {@code max}. */
  public List<Delta> pending(int max) {
    VersionVector have = namespace.committedVector();
    List<Delta> out = new ArrayList<>();
    replica.writeLock().lock();
    try {
      collect(have, max, out);
    } finally {
      replica.writeLock().unlock();
    }
    return out;
  }

  private void collect(VersionVector have, int max, List<Delta> out) {
    for (Iterator<byte[]> it = entries.keyIterator(null); it.hasNext() && out.size() < max; ) {
      Dot dot = Keys.dotOf(it.next());
      if (!have.covers(dot) || staging.any(p -> p.unqueued.contains(dot))) {
        continue; // not committed yet (a crash could still lose it), or acknowledged since
      }
      byte[] raw = log.get(dot);
      if (raw != null) {
        out.add(DeltaCodec.decode(raw));
      }
    }
  }

  /** Queues a local write; under the write lock, in the commit that makes the write. */
  void add(Dot dot) {
    PendingWrites p = staging.current;
    p.queued.add(dot);
    p.changes++;
    size++;
  }

  /** The lowest committed queued sequence of {@code origin}, or {@code Long.MAX_VALUE}: the log keeps it. */
  long lowestQueued(long origin) {
    byte[] first = entries.ceilingKey(Keys.dot(origin, 1));
    if (first == null) {
      return Long.MAX_VALUE;
    }
    Dot dot = Keys.dotOf(first);
    return dot.replica().value() == origin ? dot.seq() : Long.MAX_VALUE;
  }

  /** Whether the write of {@code dot} still waits for acknowledgement. */
  public boolean isQueued(Dot dot) {
    replica.writeLock().lock();
    try {
      return isQueuedLocked(dot);
    } finally {
      replica.writeLock().unlock();
    }
  }

  private boolean isQueuedLocked(Dot dot) {
    Boolean staged = staging.find(p -> p.unqueued.contains(dot) ? Boolean.FALSE : p.queued.contains(dot) ? Boolean.TRUE : null);
    return staged != null ? staged : entries.containsKey(Keys.dot(dot));
  }

  /** How many writes wait for acknowledgement, committed or not. */
  public long size() {
    replica.writeLock().lock();
    try {
      return size;
    } finally {
      replica.writeLock().unlock();
    }
  }

  /** Drops acknowledged writes. Acknowledging a dot twice, or one not queued, does nothing. */
  public void acknowledge(Collection<Dot> dots) {
    replica.writeLock().lock();
    try {
      replica.checkOpen();
      boolean any = false;
      for (Dot dot : dots) {
        any |= unqueue(dot);
      }
      if (any) {
        replica.committer().commitLater();
      }
    } finally {
      replica.writeLock().unlock();
    }
  }

  private boolean unqueue(Dot dot) {
    if (!isQueuedLocked(dot)) {
      return false;
    }
    PendingWrites p = staging.current;
    p.queued.remove(dot);
    p.unqueued.add(dot);
    p.changes++;
    size--;
    return true;
  }

  /**
   * Records that an upstream refused a queued write for good: it leaves the queue, is kept in
   * {@link #rejections}, counted, and reported to the rejection listeners. The local replica keeps
   * the write; the rest of the system never sees it.
   */
  public void reject(Dot dot, String code, String message) {
    byte[] raw;
    replica.writeLock().lock();
    try {
      replica.checkOpen();
      if (!unqueue(dot)) {
        return;
      }
      staging.current.rejected.put(dot, (code + ": " + message).getBytes(StandardCharsets.UTF_8));
      raw = log.get(dot);
      replica.committer().commitLater();
    } finally {
      replica.writeLock().unlock();
    }
    replica.metrics().rejectedWrites.increment();
    if (raw == null) {
      return;
    }
    Delta write = DeltaCodec.decode(raw);
    for (RejectionListener l : rejectionListeners) {
      l.onRejected(write, code, message);
    }
  }

  /** Writes a swapped buffer's queue changes into the maps; on the committing thread. */
  void persist(PendingWrites p) {
    p.queued.forEach(dot -> entries.put(Keys.dot(dot), QUEUED));
    p.unqueued.forEach(dot -> entries.remove(Keys.dot(dot)));
    p.rejected.forEach((dot, reason) -> rejected.put(Keys.dot(dot), reason));
  }

  /** The committed queued dots. */
  List<Dot> committedDots() {
    List<Dot> out = new ArrayList<>();
    entries.keySet().forEach(k -> out.add(Keys.dotOf(k)));
    return out;
  }

  /** The rejected writes and their reasons, oldest first. */
  public Map<Dot, String> rejections() {
    Map<Dot, String> out = new LinkedHashMap<>();
    replica.writeLock().lock();
    try {
      rejected.forEach((k, v) -> out.put(Keys.dotOf(k), new String(v, StandardCharsets.UTF_8)));
      PendingWrites committing = staging.committing;
      if (committing != null) {
        committing.rejected.forEach((dot, v) -> out.put(dot, new String(v, StandardCharsets.UTF_8)));
      }
      staging.current.rejected.forEach((dot, v) -> out.put(dot, new String(v, StandardCharsets.UTF_8)));
    } finally {
      replica.writeLock().unlock();
    }
    return out;
  }

  public Subscription onRejected(RejectionListener listener) {
    rejectionListeners.add(listener);
    return () -> rejectionListeners.remove(listener);
  }
}
