package dev.lattice.bench.replica;

import dev.lattice.replica.Collection;
import dev.lattice.replica.Durability;
import dev.lattice.replica.Replica;
import dev.lattice.replica.ReplicaOptions;
import dev.lattice.replica.WriteReceipt;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.StringDataType;

/**
 * What one write is, for the replica and for raw MVStore under each commit policy. Every target
 * writes the same keys and the same 100-byte values into a fresh file; {@link #drain} makes the
 * writes of a trial durable under the target's own policy, so a trial's time covers its last
 * commit too.
 */
abstract class WriteTargets implements AutoCloseable {
  final Path file;

  WriteTargets(Path file) {
    this.file = file;
  }

  /** One write of key {@code i}; called from {@code threads} threads at once where the target allows. */
  abstract void write(int thread, long i);

  /** Waits until every write made is committed under the target's policy. */
  void drain() {}

  @Override
  public abstract void close();

  static MVStore openRaw(Path file) {
    return new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
  }

  static MVMap<String, byte[]> rawMap(MVStore store) {
    return store.openMap("data", new MVMap.Builder<String, byte[]>()
        .keyType(StringDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
  }

  /** {@code collection.update(id, doc -> doc.set("f", value))} under a durability mode. */
  static final class ReplicaTarget extends WriteTargets {
    private final Replica replica;
    private final Collection collection;
    private final String[] values;
    private final WriteReceipt[] last;

    ReplicaTarget(Path file, Durability durability, String[] values, int threads) {
      super(file);
      this.replica = Replica.open(file, ReplicaOptions.builder().durability(durability).build());
      this.collection = replica.namespace("n").collection("c");
      this.values = values;
      this.last = new WriteReceipt[threads];
    }

    @Override
    void write(int thread, long i) {
      String value = values[(int) (i % values.length)];
      last[thread] = collection.update(Env.id(i), doc -> doc.set("f", value));
    }

    @Override
    void drain() {
      for (WriteReceipt r : last) {
        if (r != null) {
          r.durable().join();
        }
      }
    }

    Replica replica() {
      return replica;
    }

    @Override
    public void close() {
      replica.close();
    }
  }

  /** Raw MVStore base: one {@code MVMap<String, byte[]>}, background auto-commit off. */
  abstract static class Raw extends WriteTargets {
    final MVStore store;
    final MVMap<String, byte[]> map;
    final byte[][] values;

    Raw(Path file, byte[][] values) {
      super(file);
      this.store = openRaw(file);
      this.map = rawMap(store);
      this.values = values;
    }

    final void put(long i) {
      map.put(Env.id(i), values[(int) (i % values.length)]);
    }

    @Override
    public void close() {
      store.close();
    }
  }

  /** put, commit (and sync) per write, one writer. */
  static final class RawPerWrite extends Raw {
    private final boolean sync;

    RawPerWrite(Path file, byte[][] values, boolean sync) {
      super(file, values);
      this.sync = sync;
    }

    @Override
    void write(int thread, long i) {
      put(i);
      store.commit();
      if (sync) {
        store.sync();
      }
    }
  }

  /**
   * Group commit done by hand on raw MVStore: a writer puts, takes a ticket, and then either finds
   * its ticket already durable or becomes the leader that commits (and syncs) for every ticket
   * issued so far. Tickets are drawn after the put returns, so a commit started after reading the
   * ticket counter holds every write it covers.
   */
  static final class RawGrouped extends Raw {
    private final boolean sync;
    private final AtomicLong issued = new AtomicLong();
    private final ReentrantLock leader = new ReentrantLock();
    private volatile long durable;

    RawGrouped(Path file, byte[][] values, boolean sync) {
      super(file, values);
      this.sync = sync;
    }

    @Override
    void write(int thread, long i) {
      put(i);
      long ticket = issued.incrementAndGet();
      if (durable >= ticket) {
        return;
      }
      leader.lock();
      try {
        if (durable >= ticket) {
          return;
        }
        long upTo = issued.get();
        store.commit();
        if (sync) {
          store.sync();
        }
        durable = upTo;
      } finally {
        leader.unlock();
      }
    }
  }

  /** put only; a background thread commits every {@code periodMillis}, as the replica's ASYNC does. */
  static final class RawTimed extends Raw {
    private final Thread committer;
    private volatile boolean stop;

    RawTimed(Path file, byte[][] values, long periodMillis) {
      super(file, values);
      committer = new Thread(() -> {
        while (!stop) {
          try {
            Thread.sleep(periodMillis);
          } catch (InterruptedException e) {
            return;
          }
          store.commit();
        }
      }, "raw-timed-commit");
      committer.setDaemon(true);
      committer.start();
    }

    @Override
    void write(int thread, long i) {
      put(i);
    }

    @Override
    void drain() {
      store.commit();
    }

    @Override
    public void close() {
      stop = true;
      committer.interrupt();
      try {
        committer.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      super.close();
    }
  }

  /** put; commit inline after every {@code every} puts; one writer. */
  static final class RawCounted extends Raw {
    private final int every;
    private long n;

    RawCounted(Path file, byte[][] values, int every) {
      super(file, values);
      this.every = every;
    }

    @Override
    void write(int thread, long i) {
      put(i);
      if (++n % every == 0) {
        store.commit();
      }
    }

    @Override
    void drain() {
      store.commit();
    }
  }
}
