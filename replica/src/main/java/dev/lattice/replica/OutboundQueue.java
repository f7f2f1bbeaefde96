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
 * keeps until the write leaves the queue, so each write is stored once.
 */
public final class OutboundQueue {
  private final Replica replica;
  private final Namespace namespace;
  private final DeltaLog log;
  private final MVMap<byte[], byte[]> entries;
  private final MVMap<byte[], byte[]> rejected;
  private final CopyOnWriteArrayList<RejectionListener> rejectionListeners = new CopyOnWriteArrayList<>();

  private static final byte[] QUEUED = new byte[0];

  OutboundQueue(Replica replica, Namespace namespace, DeltaLog log, MVMap<byte[], byte[]> entries,
      MVMap<byte[], byte[]> rejected) {
    this.replica = replica;
    this.namespace = namespace;
    this.log = log;
    this.entries = entries;
    this.rejected = rejected;
  }

  /** Committed writes waiting for acknowledgement, oldest first, at most {@code max}. */
  public List<Delta> pending(int max) {
    VersionVector have = namespace.committed();
    List<Delta> out = new ArrayList<>();
    for (Iterator<byte[]> it = entries.keyIterator(null); it.hasNext() && out.size() < max; ) {
      byte[] key = it.next();
      if (!have.covers(Keys.dotOf(key))) {
        continue; // not committed yet: a crash could still lose it, so no upstream may see it
      }
      byte[] raw = log.get(Keys.dotOf(key));
      if (raw != null) {
        out.add(DeltaCodec.decode(raw));
      }
    }
    return out;
  }

  /** Queues a local write; under the write lock, in the commit that makes the write. */
  void add(Dot dot) {
    entries.put(Keys.dot(dot), QUEUED);
  }

  /** The lowest queued sequence of {@code origin}, or {@code Long.MAX_VALUE}: the log keeps it. */
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
    return entries.containsKey(Keys.dot(dot));
  }

  /** How many writes wait for acknowledgement, committed or not. */
  public long size() {
    return entries.sizeAsLong();
  }

  /** Drops acknowledged writes. Acknowledging a dot twice, or one not queued, does nothing. */
  public void acknowledge(Collection<Dot> dots) {
    replica.writeLock().lock();
    try {
      replica.checkOpen();
      boolean any = false;
      for (Dot dot : dots) {
        any |= entries.remove(Keys.dot(dot)) != null;
      }
      if (any) {
        replica.committer().commitLater();
      }
    } finally {
      replica.writeLock().unlock();
    }
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
      if (entries.remove(Keys.dot(dot)) == null) {
        return;
      }
      raw = log.get(dot);
      rejected.put(Keys.dot(dot), (code + ": " + message).getBytes(StandardCharsets.UTF_8));
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

  /** The rejected writes and their reasons, oldest first. */
  public Map<Dot, String> rejections() {
    Map<Dot, String> out = new LinkedHashMap<>();
    rejected.forEach((k, v) -> out.put(Keys.dotOf(k), new String(v, StandardCharsets.UTF_8)));
    return out;
  }

  public Subscription onRejected(RejectionListener listener) {
    rejectionListeners.add(listener);
    return () -> rejectionListeners.remove(listener);
  }
}
