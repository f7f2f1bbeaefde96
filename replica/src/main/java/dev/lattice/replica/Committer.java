package dev.lattice.replica;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.h2.mvstore.MVStore;

/**
 * Group commit. Writers change the MVStore maps under the replica's write lock and then ask for a
 * commit; one thread commits for everyone who asked since the last commit, then syncs once if any
 * of them needs the write forced to the device.
 *
 * <p>The commit itself runs under the write lock, so a chunk on disk never holds half of a
 * mutation (a mutation touches several maps). The sync runs outside it, so writers keep writing
 * into the next version while the device flushes. MVStore's own background commit is disabled;
 * this thread is the only place changes reach the file.
 */
final class Committer implements AutoCloseable {
  private final MVStore store;
  private final ReentrantLock writeLock;
  private final long asyncDelayNanos;
  private final Runnable beforeCommit;
  private final Runnable onCommitted;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private final Thread thread;
  private final ReplicaMetrics metrics;

  /**
   * MVStore's own housekeeping runs on its background thread, which we keep off (it would commit
   * half a mutation). Without it the file only grows (measured on raw MVStore: 200 MB for 400,000
   * overwrites of 1,000 small values, under 2 MB with this), so this thread does it: at most once
   * a second, when the chunks are less than half full, it compacts the file for at most 50 ms.
   */
  private static final long HOUSEKEEPING_INTERVAL_NANOS = 1_000_000_000L;
  private static final int TARGET_FILL_RATE = 50;
  private static final int MAX_COMPACT_MILLIS = 50;
  private long lastHousekeeping = System.nanoTime();

  private List<Request> pending = new ArrayList<>();
  private boolean urgent;
  private long oldestPendingNanos;
  private boolean closed;

  private record Request(CompletableFuture<Void> done, boolean sync) {}

  /**
   * @param beforeCommit runs under the write lock just before each commit (to flush derived state
   *     such as Merkle digests into the maps)
   * @param onCommitted runs under the write lock right after each commit, to record what is now
   *     committed
   */
  Committer(MVStore store, ReentrantLock writeLock, Duration asyncDelay, Runnable beforeCommit,
      Runnable onCommitted, ReplicaMetrics metrics) {
    this.store = store;
    this.writeLock = writeLock;
    this.asyncDelayNanos = asyncDelay.toNanos();
    this.beforeCommit = beforeCommit;
    this.onCommitted = onCommitted;
    this.metrics = metrics;
    this.thread = new Thread(this::run, "lattice-committer");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /**
   * Asks for the changes made so far to be committed. Call while holding the write lock, after
   * the changes, so they are part of the commit that completes the returned future.
   *
   * @param mode {@code SYNC} and {@code COMMIT} commit at once; {@code ASYNC} within the delay
   */
  CompletableFuture<Void> request(Durability mode) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    lock.lock();
    try {
      if (closed) {
        done.completeExceptionally(new ReplicaException(ReplicaException.Reason.CLOSED, "replica is closed"));
        return done;
      }
      if (pending.isEmpty()) {
        oldestPendingNanos = System.nanoTime();
      }
      pending.add(new Request(done, mode == Durability.SYNC));
      if (mode != Durability.ASYNC) {
        urgent = true;
      }
      wake.signal();
    } finally {
      lock.unlock();
    }
    return done;
  }

  private void run() {
    while (true) {
      List<Request> batch;
      lock.lock();
      try {
        while (!closed && (pending.isEmpty() || (!urgent && System.nanoTime() - oldestPendingNanos < asyncDelayNanos))) {
          if (pending.isEmpty()) {
            wake.awaitUninterruptibly();
          } else {
            long wait = asyncDelayNanos - (System.nanoTime() - oldestPendingNanos);
            try {
              wake.await(Math.max(wait, 1), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        }
        if (closed && pending.isEmpty()) {
          return;
        }
        batch = pending;
        pending = new ArrayList<>();
        urgent = false;
      } finally {
        lock.unlock();
      }
      commit(batch);
    }
  }

  private void commit(List<Request> batch) {
    try {
      writeLock.lock();
      try {
        beforeCommit.run();
        store.commit();
        onCommitted.run();
        if (System.nanoTime() - lastHousekeeping > HOUSEKEEPING_INTERVAL_NANOS) {
          lastHousekeeping = System.nanoTime();
          housekeeping();
        }
      } finally {
        writeLock.unlock();
      }
      metrics.commits.increment();
      if (batch.stream().anyMatch(Request::sync)) {
        store.sync();
        metrics.syncs.increment();
      }
      batch.forEach(r -> r.done().complete(null));
    } catch (RuntimeException e) {
      ReplicaException failure = new ReplicaException(ReplicaException.Reason.STORAGE, "commit failed: " + e, e);
      batch.forEach(r -> r.done().completeExceptionally(failure));
    }
  }

  /** Compacts a fragmented file; under the write lock, right after a commit. */
  private void housekeeping() {
    if (store.getFileStore() == null || store.getFileStore().getChunksFillRate() >= TARGET_FILL_RATE) {
      return;
    }
    store.compactFile(MAX_COMPACT_MILLIS);
    metrics.housekeeping.increment();
  }

  /** Commits what is pending, syncs, and stops the thread. */
  @Override
  public void close() {
    stop(pending -> pending.add(new Request(new CompletableFuture<>(), true)));
  }

  /** Stops the thread without committing, as a crash would. */
  void abandon() {
    stop(pending -> {
      pending.forEach(r -> r.done().completeExceptionally(
          new ReplicaException(ReplicaException.Reason.CLOSED, "replica crashed before commit")));
      pending.clear();
    });
  }

  /** Marks the committer closed, lets {@code last} settle the pending requests, and waits for the thread. */
  private void stop(java.util.function.Consumer<List<Request>> last) {
    lock.lock();
    try {
      closed = true;
      urgent = true;
      last.accept(pending);
      wake.signal();
    } finally {
      lock.unlock();
    }
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
