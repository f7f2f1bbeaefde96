package dev.lattice.replica;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.DotRange;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.replica.log.DeltaCodec;
import dev.lattice.replica.log.DeltaPage;
import dev.lattice.replica.log.Delta;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongUnaryOperator;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;

/**
 * A namespace's delta log: every applied delta in its encoded form, keyed by dot, so that the
 * bytes written once are the bytes served; and per origin replica the compaction floor, the
 * highest sequence trimmed.
 */
final class DeltaLog {
  /** Offset of the HLC in an encoded delta (tag, version, replica, seq). */
  private static final int HLC_OFFSET = 18;

  private final MVMap<byte[], byte[]> log;
  private final MVMap<Long, Long> floors;
  private final Staging staging;

  DeltaLog(MVMap<byte[], byte[]> log, MVMap<Long, Long> floors, Staging staging) {
    this.log = log;
    this.floors = floors;
    this.staging = staging;
  }

  /** Stages one delta; it is encoded when the commit writes it. Under the write lock. */
  void append(Delta delta) {
    PendingWrites p = staging.current;
    p.logAppends.put(delta.dot(), delta);
    p.changes++;
  }

  /** The encoded delta of {@code dot}, or null if it is not (or no longer) logged. */
  byte[] get(Dot dot) {
    Delta staged = staging.find(p -> p.logAppends.get(dot));
    return staged != null ? DeltaCodec.encode(staged) : log.get(Keys.dot(dot));
  }

  long floor(ReplicaId origin) {
    Long staged = staging.find(p -> p.floors.get(origin.value()));
    return Math.max(staged == null ? 0L : staged, floors.getOrDefault(origin.value(), 0L));
  }

  /** Every committed log entry, by dot. */
  List<Map.Entry<Dot, byte[]>> committedEntries() {
    List<Map.Entry<Dot, byte[]>> out = new ArrayList<>();
    log.forEach((k, v) -> out.add(Map.entry(Keys.dotOf(k), v)));
    return out;
  }

  /** Writes a swapped buffer's log changes into the maps; on the committing thread. */
  void persist(PendingWrites p) {
    p.logAppends.forEach((dot, delta) -> log.put(Keys.dot(dot), DeltaCodec.encode(delta)));
    p.logRemovals.forEach(dot -> log.remove(Keys.dot(dot)));
    p.floors.forEach((origin, floor) -> floors.put(origin, Math.max(floors.getOrDefault(origin, 0L), floor)));
  }

  /**
   * The deltas a peer at {@code peer} is missing from {@code have}, in dot order, at most about
   * {@code maxBytes} of them (always at least one, if any is missing).
   */
  DeltaPage since(VersionVector peer, VersionVector have, int maxBytes) {
    List<DotRange> ranges = peer.missingFrom(have);
    for (DotRange range : ranges) {
      long floor = floor(range.replica());
      if (range.first() <= floor) {
        return new DeltaPage.NeedsRepair(range.replica(), floor, range.first());
      }
    }
    List<Delta> out = new ArrayList<>();
    long bytes = 0;
    for (DotRange range : ranges) {
      // Every covered dot must be in the log: one the vector learned by repair, or one trimmed,
      // is not, and then only a repair can bring the peer up to date.
      long expected = range.first();
      Cursor<byte[], byte[]> cursor = log.cursor(Keys.dot(range.replica().value(), range.first()));
      while (expected <= range.last()) {
        byte[] key = cursor.hasNext() ? cursor.next() : null;
        if (key == null || !Keys.dotOf(key).equals(new Dot(range.replica(), expected))) {
          return new DeltaPage.NeedsRepair(range.replica(), floor(range.replica()), expected);
        }
        byte[] raw = cursor.getValue();
        if (!out.isEmpty() && bytes + raw.length > maxBytes) {
          return new DeltaPage.Deltas(out, true, bytes);
        }
        out.add(DeltaCodec.decode(raw));
        bytes += raw.length;
        expected++;
      }
    }
    return new DeltaPage.Deltas(out, false, bytes);
  }

  /**
   * Trims the committed log by {@code policy}, never past {@code keepFrom(origin)} (a client keeps
   * its own writes that wait for acknowledgement), and records the floors; the removals are
   * staged for the next commit; under the write lock. Returns how many deltas were trimmed.
   */
  int trim(RetentionPolicy policy, long nowMillis, LongUnaryOperator keepFrom) {
    long cutoffMillis = nowMillis - policy.maxAge().toMillis();
    PendingWrites staged = staging.current;
    Map<Long, List<long[]>> byOrigin = new LinkedHashMap<>();  // origin -> (seq, hlc) in seq order
    for (Cursor<byte[], byte[]> it = log.cursor(null); it.hasNext(); ) {
      Dot dot = Keys.dotOf(it.next());
      if (staging.any(p -> p.logRemovals.contains(dot))) {
        continue; // trimmed already, its removal not yet committed: trimmed once, counted once
      }
      long hlc = ByteBuffer.wrap(it.getValue(), HLC_OFFSET, 8).getLong();
      byOrigin.computeIfAbsent(dot.replica().value(), r -> new ArrayList<>()).add(new long[] {dot.seq(), hlc});
    }
    int trimmed = 0;
    for (Map.Entry<Long, List<long[]>> e : byOrigin.entrySet()) {
      List<long[]> entries = e.getValue();
      long keep = keepFrom.applyAsLong(e.getKey());
      int cut = Math.max(0, entries.size() - policy.keepPerReplica());
      while (cut < entries.size() && (entries.get(cut)[1] >>> 16) < cutoffMillis) {
        cut++;
      }
      while (cut > 0 && entries.get(cut - 1)[0] >= keep) {
        cut--;
      }
      for (int i = 0; i < cut; i++) {
        staged.logRemovals.add(new Dot(new ReplicaId(e.getKey()), entries.get(i)[0]));
      }
      if (cut > 0) {
        staged.floors.merge(e.getKey(), entries.get(cut - 1)[0], Math::max);
        staged.changes += cut;
        trimmed += cut;
      }
    }
    return trimmed;
  }

  /** Rewrites every logged delta through {@code rewrite} (schema migration); under the write lock. */
  void rewrite(java.util.function.UnaryOperator<Delta> rewrite) {
    for (Iterator<byte[]> it = new ArrayList<>(log.keySet()).iterator(); it.hasNext(); ) {
      Dot dot = Keys.dotOf(it.next());
      Delta d = DeltaCodec.decode(get(dot));
      Delta next = rewrite.apply(d);
      if (next != d) {
        append(next);
      }
    }
  }
}
