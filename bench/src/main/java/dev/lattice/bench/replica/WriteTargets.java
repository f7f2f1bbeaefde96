package dev.lattice.bench.replica;

import dev.lattice.replica.Collection;
import dev.lattice.replica.Durability;
import dev.lattice.replica.Replica;
import dev.lattice.replica.ReplicaOptions;
import dev.lattice.replica.WriteReceipt;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.StringDataType;

/**
 * What one write is, for the replica and for raw MVStore under each commit policy. Every target
 * writes the same keys and the same 100-byte values into a fresh file; {@link #drain} makes the
 * writes of a trial durable under the target's own policy, so a trial's time covers its last
 * commit too.
 *
 * <p>The raw targets take a {@link RawLayout}, what one write puts into which maps, so that other
 * suites ({@code peers}) reuse these commit policies with their own keys, values and maps.
 */
public abstract class WriteTargets implements AutoCloseable {
  final Path file;

  WriteTargets(Path file) {
    this.file = file;
  }

  /** One write of key {@code i}; called from {@code threads} threads at once where the target allows. */
  public abstract void write(int thread, long i);

  /** Waits until every write made is committed under the target's policy. */
  public void drain() {}

  @Override
  public abstract void close();

  public static MVStore openRaw(Path file) {
    return new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
  }

  public static MVMap<String, byte[]> rawMap(MVStore store) {
    return store.openMap("data", new MVMap.Builder<String, byte[]>()
        .keyType(StringDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
  }

  /** What one raw write puts: given the store, opens its maps once and returns the write of key {@code i}. */
  @FunctionalInterface
  public interface RawLayout {
    LongConsumer open(MVStore store);
  }

  /** One {@code MVMap<String, byte[]>} ({@link #rawMap}): key {@code i} to value {@code i}. */
  public static RawLayout oneMap(LongFunction<String> key, LongFunction<byte[]> value) {
    return store -> {
      MVMap<String, byte[]> map = rawMap(store);
      return i -> map.put(key.apply(i), value.apply(i));
    };
  }

  /**
   * The maps a client replica's local write puts into, with the replica's key and value types: the
   * document under its key ({@code docs}; here the value), the delta under its 16-byte dot in the
   * log ({@code log}; here the value again), and the dot in the outbound queue ({@code outbox},
   * an empty value: the queue holds dots, the bytes stay in the log). What the replica writes once
   * per commit rather than per write (the vector entry, the clock bound, the Merkle digests) is
   * left out.
   */
  public static RawLayout clientMaps(LongFunction<String> key, LongFunction<byte[]> value) {
    return store -> {
      MVMap<String, byte[]> docs = store.openMap("ns.bench.docs", new MVMap.Builder<String, byte[]>()
          .keyType(StringDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
      MVMap<byte[], byte[]> log = bytesMap(store, "ns.bench.log");
      MVMap<byte[], byte[]> outbox = bytesMap(store, "ns.bench.outbox");
      long replica = 0x1a77ce00bea70001L;
      byte[] queued = new byte[0];
      long[] seq = {0};
      return i -> {
        byte[] v = value.apply(i);
        byte[] dot = ByteBuffer.allocate(16).putLong(replica).putLong(++seq[0]).array();
        docs.put(key.apply(i), v);
        log.put(dot, v);
        outbox.put(dot, queued);
      };
    };
  }

  /** The layout of the write section: {@link Env#id} keys, the values in turn, one map. */
  private static RawLayout idsTo(byte[][] values) {
    return oneMap(Env::id, i -> values[(int) (i % values.length)]);
  }

  private static MVMap<byte[], byte[]> bytesMap(MVStore store, String name) {
    return store.openMap(name, new MVMap.Builder<byte[], byte[]>()
        .keyType(ByteArrayDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
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
    public void write(int thread, long i) {
      String value = values[(int) (i % values.length)];
      last[thread] = collection.update(Env.id(i), doc -> doc.set("f", value));
    }

    @Override
    public void drain() {
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

  /**
   * Raw MVStore base, background auto-commit off: by default one {@code MVMap<String, byte[]>}
   * of {@link Env#id} keys and the given values, or any {@link RawLayout}.
   */
  abstract static class Raw extends WriteTargets {
    final MVStore store;
    private final LongConsumer put;

    Raw(Path file, byte[][] values) {
      this(file, idsTo(values));
    }

    Raw(Path file, RawLayout layout) {
      super(file);
      this.store = openRaw(file);
      this.put = layout.open(store);
    }

    final void put(long i) {
      put.accept(i);
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
    public void write(int thread, long i) {
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
    public void write(int thread, long i) {
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
  public static final class RawTimed extends Raw {
    private final Thread committer;
    private volatile boolean stop;

    RawTimed(Path file, byte[][] values, long periodMillis) {
      this(file, idsTo(values), periodMillis);
    }

    public RawTimed(Path file, RawLayout layout, long periodMillis) {
      super(file, layout);
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
    public void write(int thread, long i) {
      put(i);
    }

    @Override
    public void drain() {
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
  public static final class RawCounted extends Raw {
    private final int every;
    private long n;

    RawCounted(Path file, byte[][] values, int every) {
      this(file, idsTo(values), every);
    }

    public RawCounted(Path file, RawLayout layout, int every) {
      super(file, layout);
      this.every = every;
    }

    @Override
    public void write(int thread, long i) {
      put(i);
      if (++n % every == 0) {
        store.commit();
      }
    }

    @Override
    public void drain() {
      store.commit();
    }
  }
}
