package dev.lattice.replica;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.h2.mvstore.MVStore;

/**
 * Group commit with a leader, in the manner of database log group commit: a writer that needs its
 * write committed ({@code COMMIT}, {@code SYNC}) commits itself, for everyone whose write is in
 * the maps by then, unless a commit is already running, in which case it waits for that one or
 * leads the next. One writer alone therefore commits on its own thread with no hand-off, and many
 * writers share commits and syncs. {@code ASYNC} writes are committed by a background thread
 * within the configured delay.
 *
 * <h2>Generations</h2>
 *
 * Writers stage their changes under the replica's write lock (see {@link PendingWrites}); a
 * commit takes the staged changes under that lock, which ends a generation, then writes them into
 * the maps and commits outside it. A change staged during generation {@code g} is in the commit
 * that ends {@code g}; the writer keeps {@code g} as its ticket, and its write is committed once
 * {@link #committed} exceeds it and forced to the device once {@link #synced} does. Since only
 * the leader writes into the maps, MVStore never captures half of a mutation.
 *
 * <h2>Callbacks</h2>
 *
 * Futures handed out by {@link #whenCommitted} complete on the replica's callback executor,
 * never on a writer or this thread, so a callback may write, flush or block without stalling
 * commits.
 */
final class Committer implements AutoCloseable {
  private final MVStore store;
  private final ReentrantLock writeLock;
  private final long asyncDelayNanos;
  private final java.util.function.Supplier<Swapped> swap;
  /** Background upkeep (log trimming) asked for by {@link #requestHousekeeping}. */
  private volatile Runnable housekeeping = () -> { };
  private boolean housekeepingDue;
  /** Commits ask for upkeep at most this often, so a busy file is compacted as it goes. */
  private static final long UPKEEP_INTERVAL_NANOS = 1_000_000_000L;
  private volatile long lastUpkeepNanos = System.nanoTime();
  private final Executor callbacks;
  private final ReplicaMetrics metrics;
  private final Thread background;
  /** How often committed data is forced to the device when no writer asks for it. */
  private static final long SYNC_INTERVAL_NANOS = 1_000_000_000L;
  /** MVStore may overwrite chunks freed this long ago: two sync intervals, so they are on disk. */
  static final int SAFE_REUSE_MILLIS = 2_000;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  /** The generation being written; read and advanced under the write lock. */
  private volatile long generation;
  /** Generations below this are committed / synced; under {@link #lock}. */
  private long committed;
  private long synced;
  private boolean leading;
  private boolean syncWanted;
  /** A waiter wants a commit now, without the ASYNC delay. */
  private boolean urgent;
  private volatile long lastSyncNanos = System.nanoTime();
  /** Uncommitted ASYNC writes exist since this time, or -1. */
  private long dirtySince = -1;
  private boolean closed;
  private ReplicaException failure;
  private final PriorityQueue<Waiter> waiters = new PriorityQueue<>((a, b) -> Long.compare(a.ticket, b.ticket));

  private record Waiter(long ticket, boolean sync, CompletableFuture<Void> done) {}

  /** What writers staged up to a commit, taken from them in one step (see {@link PendingWrites}). */
  interface Swapped {
    /** Writes the staged changes into the maps; outside the write lock. */
    void persist();

    /** Records that the commit holding them is done. */
    void committed();
  }

  /**
   * @param swap takes what writers staged; runs under the write lock
   */
  Committer(MVStore store, ReentrantLock writeLock, Duration asyncDelay, java.util.function.Supplier<Swapped> swap,
      Executor callbacks, ReplicaMetrics metrics) {
    this.store = store;
    this.writeLock = writeLock;
    this.asyncDelayNanos = asyncDelay.toNanos();
    this.swap = swap;
    this.callbacks = callbacks;
    this.metrics = metrics;
    this.background = new Thread(this::runBackground, "lattice-committer");
    this.background.setDaemon(true);
  }

  void start() {
    background.start();
  }

  void housekeeping(Runnable task) {
    this.housekeeping = task;
  }

  /** Asks the background thread to run the housekeeping task soon, outside any commit. */
  void requestHousekeeping() {
    lock.lock();
    try {
      housekeepingDue = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The ticket of a change made now; call under the write lock, after the change. */
  long ticket() {
    return generation;
  }

  /** Notes that an ASYNC change was made; the background thread commits it within the delay. */
  void commitLater() {
    lock.lock();
    try {
      if (dirtySince < 0) {
        dirtySince = System.nanoTime();
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until the change of {@code ticket} is committed (and forced to the device if
   * {@code sync}), leading a commit if none is running. Call without holding the write lock.
   *
   * @throws ReplicaException STORAGE if the commit failed, CLOSED if the replica closed first
   */
  void await(long ticket, boolean sync) {
    lock.lock();
    try {
      while (true) {
        if (committed > ticket && (!sync || synced > ticket)) {
          return;
        }
        if (failure != null) {
          throw failure;
        }
        if (closed && committed <= ticket) {
          throw new ReplicaException(ReplicaException.Reason.CLOSED, "replica closed before the write was committed");
        }
        if (!leading) {
          leading = true;
          break;
        }
        syncWanted |= sync;
        changed.awaitUninterruptibly();
      }
    } finally {
      lock.unlock();
    }
    lead(sync);
  }

  /**
   * A future completing on the callback executor once the change of {@code ticket} is
   * committed; already complete if it is.
   */
  CompletableFuture<Void> whenCommitted(long ticket) {
    return register(ticket, false, false);
  }

  /**
   * Like {@link #whenCommitted}, but the background thread commits (and syncs, if {@code sync})
   * at once rather than after the ASYNC delay: for remote deltas, whose acknowledgement waits.
   */
  CompletableFuture<Void> commitSoon(long ticket, boolean sync) {
    return register(ticket, sync, true);
  }

  private CompletableFuture<Void> register(long ticket, boolean sync, boolean now) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    lock.lock();
    try {
      if (committed > ticket && (!sync || synced > ticket)) {
        done.complete(null);
      } else if (failure != null) {
        done.completeExceptionally(failure);
      } else if (closed) {
        done.completeExceptionally(new ReplicaException(ReplicaException.Reason.CLOSED, "replica closed before the write was committed"));
      } else {
        waiters.add(new Waiter(ticket, sync, done));
        syncWanted |= sync;
        urgent |= now;
        if (dirtySince < 0) {
          dirtySince = System.nanoTime();
        }
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
    return done;
  }

  /** Commits (and syncs if asked or wanted) as the leader, then hands the lead on. */
  private void lead(boolean sync) {
    long ended = -1;
    boolean didSync = false;
    ReplicaException failed = null;
    try {
      ended = commitStaged();
      boolean wanted;
      lock.lock();
      try {
        wanted = syncWanted || sync;
        syncWanted = false;
      } finally {
        lock.unlock();
      }
      if (wanted) {
        lastSyncNanos = System.nanoTime();
        store.sync();
        metrics.syncs.increment();
        didSync = true;
      }
    } catch (RuntimeException e) {
      failed = e instanceof ReplicaException r ? r : new ReplicaException(ReplicaException.Reason.STORAGE, "commit failed: " + e, e);
    }
    handOn(ended, didSync, failed);
  }

  /**
   * Takes what writers staged (a moment under the write lock), writes it into the maps and
   * commits, while writers stage the next generation. Returns the generation committed. Only the
   * leader calls it.
   */
  private long commitStaged() {
    Swapped swapped;
    long ended;
    writeLock.lock();
    try {
      lock.lock();
      try {
        dirtySince = -1;
        urgent = false;
      } finally {
        lock.unlock();
      }
      swapped = swap.get();
      ended = generation;
      generation = ended + 1;
    } finally {
      writeLock.unlock();
    }
    swapped.persist();
    store.commit();
    swapped.committed();
    metrics.commits.increment();
    if (System.nanoTime() - lastUpkeepNanos > UPKEEP_INTERVAL_NANOS) {
      lastUpkeepNanos = System.nanoTime();
      requestHousekeeping();
    }
    return ended;
  }

  /** Ends a lead: records the outcome and wakes waiters; {@code ended} is -1 if nothing committed. */
  private void handOn(long ended, boolean didSync, ReplicaException failed) {
    lock.lock();
    try {
      leading = false;
      if (failed != null) {
        failure = failed;
      } else if (ended >= 0) {
        committed = ended + 1;
        if (didSync) {
          synced = ended + 1;
        }
      }
      releaseWaiters();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs {@code action} as the leader, after committing what is staged: no commit runs beside
   * it, while writers go on staging. For MVStore operations that commit by themselves
   * (compaction), which must never capture a half-written buffer.
   */
  void exclusive(Runnable action) {
    lock.lock();
    try {
      while (leading) {
        changed.awaitUninterruptibly();
      }
      if (failure != null) {
        throw failure;
      }
      leading = true;
    } finally {
      lock.unlock();
    }
    long ended = -1;
    ReplicaException failed = null;
    try {
      ended = commitStaged();
      action.run();
    } catch (ReplicaException e) {
      failed = e;
    } catch (RuntimeException e) {
      failed = new ReplicaException(ReplicaException.Reason.STORAGE, "storage operation failed: " + e, e);
    }
    handOn(ended, false, failed);
    if (failed != null) {
      throw failed;
    }
  }

  /** Hands the futures of committed tickets to the callback executor; under {@link #lock}. */
  private void releaseWaiters() {
    List<Waiter> notYet = new ArrayList<>();
    while (!waiters.isEmpty() && (failure != null || waiters.peek().ticket < committed)) {
      Waiter w = waiters.poll();
      if (failure == null && w.sync && w.ticket >= synced) {
        notYet.add(w);
        continue;
      }
      CompletableFuture<Void> done = w.done;
      ReplicaException failed = failure;
      callbacks.execute(() -> {
        if (failed == null) {
          done.complete(null);
        } else {
          done.completeExceptionally(failed);
        }
      });
    }
    waiters.addAll(notYet);
  }

  /**
   * Commits ASYNC changes within the delay and urgent requests at once. When idle, it forces
   * committed chunks to the device at least every second, so that MVStore may reuse the space of
   * chunks freed more than {@link #SAFE_REUSE_MILLIS} ago (see {@link Replica}).
   */
  private void runBackground() {
    while (true) {
      boolean syncOnly = false;
      boolean upkeep = false;
      lock.lock();
      try {
        while (true) {
          if (closed) {
            return;
          }
          if (housekeepingDue) {
            housekeepingDue = false;
            upkeep = true;
            break;
          }
          if (!leading && (urgent || dirtySince >= 0)) {
            long wait = urgent ? 0 : asyncDelayNanos - (System.nanoTime() - dirtySince);
            if (wait <= 0) {
              leading = true;
              break;
            }
            changed.awaitNanos(wait);
          } else if (!leading && synced < committed && System.nanoTime() - lastSyncNanos >= SYNC_INTERVAL_NANOS) {
            syncOnly = true;
            break;
          } else {
            changed.await(SYNC_INTERVAL_NANOS, TimeUnit.NANOSECONDS);
          }
        }
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      if (upkeep) {
        try {
          housekeeping.run();
        } catch (RuntimeException e) {
          // upkeep is retried when next asked for; a closed replica refuses it, which is fine
        }
      } else if (syncOnly) {
        syncCommitted();
      } else {
        lead(false);
      }
    }
  }

  /** Forces what is committed to the device, outside the write lock. */
  private void syncCommitted() {
    long upTo;
    lock.lock();
    try {
      upTo = committed;
    } finally {
      lock.unlock();
    }
    lastSyncNanos = System.nanoTime();
    try {
      store.sync();
      metrics.syncs.increment();
    } catch (RuntimeException e) {
      return; // the next commit's sync reports a failing device to its writers
    }
    lock.lock();
    try {
      synced = Math.max(synced, upTo);
      releaseWaiters();
    } finally {
      lock.unlock();
    }
  }

  /** Commits what is pending, syncs, and stops. Later requests fail with CLOSED. */
  @Override
  public void close() {
    long last;
    writeLock.lock();
    try {
      last = generation;
    } finally {
      writeLock.unlock();
    }
    try {
      await(last, true);
    } catch (ReplicaException e) {
      // a failed commit was already reported to its writers; closing still stops the thread
    }
    stop(null);
  }

  /** Stops without committing, as a crash would. */
  void abandon() {
    stop(new ReplicaException(ReplicaException.Reason.CLOSED, "replica crashed before commit"));
  }

  private void stop(ReplicaException pendingFailure) {
    lock.lock();
    try {
      closed = true;
      if (pendingFailure != null && failure == null) {
        failure = pendingFailure;
      }
      releaseWaiters();
      waiters.forEach(w -> callbacks.execute(() -> w.done.completeExceptionally(
          new ReplicaException(ReplicaException.Reason.CLOSED, "replica closed before the write was committed"))));
      waiters.clear();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      background.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
