package dev.lattice.replica;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.causal.VersionVector;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.h2.mvstore.MVMap;

/**
 * A namespace's version vector: what is applied (committed or not), what the last commit holds,
 * and its stored form, one entry per origin replica. Entries changed since the last commit are
 * written once, just before the next commit, however many writes advanced them.
 */
final class VectorStore {
  private final String namespace;
  private final MVMap<Long, byte[]> entries;
  private final Set<ReplicaId> dirty = new HashSet<>();
  /** Everything applied, committed or not; changed under the write lock. */
  private VersionVector applied;
  /** What the last commit holds: only this is shipped, so a crash never unsends a delta. */
  private volatile VersionVector committed;

  VectorStore(String namespace, MVMap<Long, byte[]> entries) {
    this.namespace = namespace;
    this.entries = entries;
    this.applied = load();
    this.committed = applied;
  }

  VersionVector applied() {
    return applied;
  }

  VersionVector committed() {
    return committed;
  }

  /**
   * Sets the applied vector to {@code next}, which the caller computed as the applied vector plus
   * {@code dot} (a batch computes its writes' vectors in order from the vector it started with,
   * under the write lock, so they follow each other); under the write lock.
   */
  void advance(VersionVector next, Dot dot) {
    applied = next;
    dirty.add(dot.replica());
  }

  /** Replaces the applied vector by a larger one; under the write lock. */
  void advanceTo(VersionVector next) {
    for (ReplicaId r : next.replicas()) {
      if (next.contiguous(r) != applied.contiguous(r) || next.max(r) != applied.max(r)) {
        dirty.add(r);
      }
    }
    applied = next;
  }

  /** Records in a buffer being swapped out the vector and its changed entries; under the write lock. */
  void capture(PendingWrites p) {
    p.vector = applied;
    if (!dirty.isEmpty()) {
      Map<Long, byte[]> changed = new java.util.HashMap<>();
      for (ReplicaId r : dirty) {
        changed.put(r.value(), encodeEntry(applied, r));
      }
      p.vectorEntries = changed;
      dirty.clear();
    }
  }

  /** Writes a swapped buffer's vector entries; on the committing thread. */
  void persist(PendingWrites p) {
    p.vectorEntries.forEach(entries::put);
  }

  /** Marks the swapped buffer's vector as committed; after its commit. */
  void committed(PendingWrites p) {
    committed = p.vector;
  }

  private static byte[] encodeEntry(VersionVector v, ReplicaId r) {
    long[] extras = v.beyondGap(r);
    ByteBuffer b = ByteBuffer.allocate(8 + 4 + 8 * extras.length);
    b.putLong(v.contiguous(r)).putInt(extras.length);
    for (long s : extras) {
      b.putLong(s);
    }
    return b.array();
  }

  /** The vector as stored in the map. */
  VersionVector stored() {
    return load();
  }

  private VersionVector load() {
    int n = entries.size();
    long[] ids = new long[n];
    long[] contiguous = new long[n];
    long[][] extras = new long[n][];
    int i = 0;
    for (Map.Entry<Long, byte[]> e : entries.entrySet()) {
      ByteBuffer b = ByteBuffer.wrap(e.getValue());
      ids[i] = e.getKey();
      if (b.remaining() < 12) {
        throw new ReplicaException(ReplicaException.Reason.CORRUPT, "vector entry of " + new ReplicaId(ids[i]) + " is damaged");
      }
      contiguous[i] = b.getLong();
      int k = b.getInt();
      if (k < 0 || k > b.remaining() / 8) {
        throw new ReplicaException(ReplicaException.Reason.CORRUPT, "vector entry of " + new ReplicaId(ids[i]) + " is damaged");
      }
      extras[i] = new long[k];
      for (int j = 0; j < k; j++) {
        extras[i][j] = b.getLong();
      }
      i++;
    }
    try {
      return VersionVector.fromEntries(ids, contiguous, extras);
    } catch (IllegalArgumentException e) {
      throw new ReplicaException(ReplicaException.Reason.CORRUPT, "namespace " + namespace + " vector is damaged: " + e.getMessage(), e);
    }
  }
}
