package dev.lattice.bench.replica;

import dev.lattice.bench.ResultSink;
import dev.lattice.replica.Durability;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Section 1: local write throughput of the replica per durability mode against raw MVStore puts
 * under the same commit policy, measured side by side: every round runs each replica
 * configuration next to its raw baseline (alternating which goes first), each trial on a fresh
 * file for a fixed time; the figures are medians over the rounds and the ratios are taken between
 * medians of this one run. Trials include their final commit (ASYNC and timed/counted raw commits
 * wait for it), so every write counted is committed under its policy.
 */
final class WriteThroughput {
  private record Config(String mode, String impl, String policy, int threads, Function<Path, WriteTargets> open) {
    String label() {
      return mode + "/" + impl + "/" + policy + "/t" + threads;
    }

    Map<String, Object> params() {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("mode", mode);
      p.put("impl", impl);
      p.put("policy", policy);
      p.put("threads", threads);
      return p;
    }
  }

  /** A replica configuration and the raw baselines it is compared with. */
  private record Pair(Config replica, List<Config> baselines) {}

  private record Trial(long writes, long nanos, long[] latencies, long fileBytes, long committerCpuNanos) {
    double perSecond() {
      return writes * 1e9 / nanos;
    }
  }

  private final Path dir;
  private final ResultSink out;
  private final int rounds;
  private final double seconds;
  private final String[] strings = Env.stringValues(1024, 7);
  private final byte[][] bytes = Env.byteValues(strings);
  private int fileCounter;

  WriteThroughput(Path dir, ResultSink out, int rounds, double seconds) {
    this.dir = dir;
    this.out = out;
    this.rounds = rounds;
    this.seconds = seconds;
  }

  void run() throws Exception {
    Config rawSyncPerWrite = raw("SYNC", "put+commit+sync per write", 1,
        f -> new WriteTargets.RawPerWrite(f, bytes, true));
    List<Pair> pairs = List.of(
        new Pair(replica(Durability.SYNC, 1), List.of(rawSyncPerWrite)),
        new Pair(replica(Durability.SYNC, 4), List.of(
            raw("SYNC", "grouped commit+sync", 4, f -> new WriteTargets.RawGrouped(f, bytes, true)),
            rawSyncPerWrite)),
        new Pair(replica(Durability.COMMIT, 1), List.of(
            raw("COMMIT", "put+commit per write", 1, f -> new WriteTargets.RawPerWrite(f, bytes, false)))),
        new Pair(replica(Durability.COMMIT, 4), List.of(
            raw("COMMIT", "grouped commit", 4, f -> new WriteTargets.RawGrouped(f, bytes, false)))),
        new Pair(replica(Durability.ASYNC, 1), List.of(
            raw("ASYNC", "commit every 20 ms", 1, f -> new WriteTargets.RawTimed(f, bytes, 20)),
            raw("ASYNC", "commit every 1000 puts", 1, f -> new WriteTargets.RawCounted(f, bytes, 1000)))));

    List<Config> configs = new ArrayList<>();
    for (Pair p : pairs) {
      configs.add(p.replica());
      for (Config b : p.baselines()) {
        if (!configs.contains(b)) {
          configs.add(b);
        }
      }
    }
    System.err.println("replica/write: warmup round (not recorded)");
    for (Config c : configs) {
      trial(c, Math.min(seconds, 0.5));
    }
    Map<Config, double[]> rates = new LinkedHashMap<>();
    Map<Config, List<long[]>> latencies = new LinkedHashMap<>();
    Map<Config, double[]> fileBytes = new LinkedHashMap<>();
    Map<Config, double[]> committerCpu = new LinkedHashMap<>();
    configs.forEach(c -> {
      rates.put(c, new double[rounds]);
      fileBytes.put(c, new double[rounds]);
      committerCpu.put(c, new double[rounds]);
    });
    for (int r = 0; r < rounds; r++) {
      System.err.printf("replica/write: round %d of %d%n", r + 1, rounds);
      for (Pair p : pairs) {
        List<Config> order = new ArrayList<>();
        order.add(p.replica());
        order.addAll(p.baselines());
        if (r % 2 == 1) {
          java.util.Collections.reverse(order);
        }
        for (Config c : order) {
          if (c != p.replica() && pairs.indexOf(p) > 0 && seenBefore(pairs, p, c)) {
            continue; // a baseline shared with an earlier pair is run once per round
          }
          Trial t = trial(c, seconds);
          rates.get(c)[r] = t.perSecond();
          fileBytes.get(c)[r] = (double) t.fileBytes() / t.writes();
          committerCpu.get(c)[r] = t.committerCpuNanos() < 0 ? Double.NaN : t.committerCpuNanos() / 1e3 / t.writes();
          if (c.mode().equals("SYNC") && c.threads() == 4) {
            latencies.computeIfAbsent(c, k -> new ArrayList<>()).add(t.latencies());
          }
          System.err.printf("  %-55s %,12.0f writes/s%n", c.label(), t.perSecond());
        }
      }
    }
    for (Config c : configs) {
      double[] v = rates.get(c);
      Map<String, Object> p = c.params();
      p.put("seconds", seconds);
      p.put("rounds", rounds);
      out.emit("replica.write", p, "thrpt.median", Stats.median(v), "ops/s");
      out.emit("replica.write", p, "thrpt.min", Stats.min(v), "ops/s");
      out.emit("replica.write", p, "thrpt.max", Stats.max(v), "ops/s");
      // Diagnostics: file bytes written per write (no space is reused within a 1 s trial, so this
      // is the write amplification) and the replica committer's CPU per write.
      out.emit("replica.write", p, "file.bytes_per_write.median", Stats.median(fileBytes.get(c)), "bytes");
      if (c.impl().equals("replica")) {
        out.emit("replica.write", p, "cpu.committer.per_write.median", Stats.median(committerCpu.get(c)), "us");
      }
    }
    for (Pair pair : pairs) {
      for (Config b : pair.baselines()) {
        double[] rv = rates.get(pair.replica());
        double[] bv = rates.get(b);
        double[] perRound = new double[rounds];
        for (int r = 0; r < rounds; r++) {
          perRound[r] = rv[r] / bv[r];
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("mode", pair.replica().mode());
        p.put("threads", pair.replica().threads());
        p.put("baseline", b.policy());
        p.put("baseline_threads", b.threads());
        out.emit("replica.write.ratio", p, "ratio_of_medians", Stats.median(rv) / Stats.median(bv), "x");
        out.emit("replica.write.ratio", p, "ratio.median_of_rounds", Stats.median(perRound), "x");
      }
    }
    for (Map.Entry<Config, List<long[]>> e : latencies.entrySet()) {
      long[] all = e.getValue().stream().flatMapToLong(java.util.Arrays::stream).sorted().toArray();
      Map<String, Object> p = e.getKey().params();
      p.put("samples", all.length);
      out.emit("replica.write.latency", p, "p50", Stats.percentile(all, 50) / 1e3, "us");
      out.emit("replica.write.latency", p, "p90", Stats.percentile(all, 90) / 1e3, "us");
      out.emit("replica.write.latency", p, "p99", Stats.percentile(all, 99) / 1e3, "us");
      out.emit("replica.write.latency", p, "p99.9", Stats.percentile(all, 99.9) / 1e3, "us");
      out.emit("replica.write.latency", p, "max", all.length == 0 ? 0 : all[all.length - 1] / 1e3, "us");
    }
  }

  private static boolean seenBefore(List<Pair> pairs, Pair current, Config c) {
    for (Pair p : pairs) {
      if (p == current) {
        return false;
      }
      if (p.baselines().contains(c)) {
        return true;
      }
    }
    return false;
  }

  private Config replica(Durability mode, int threads) {
    return new Config(mode.name(), "replica", "durability " + mode, threads,
        f -> new WriteTargets.ReplicaTarget(f, mode, strings, threads));
  }

  private static Config raw(String mode, String policy, int threads, Function<Path, WriteTargets> open) {
    return new Config(mode, "raw", policy, threads, open);
  }

  private Trial trial(Config c, double secs) throws Exception {
    Path file = dir.resolve("write-" + (fileCounter++) + ".mv.db");
    try (WriteTargets target = c.open().apply(file)) {
      int threads = c.threads();
      AtomicLong next = new AtomicLong();
      Stats.LongList[] lat = new Stats.LongList[threads];
      AtomicReference<Throwable> failure = new AtomicReference<>();
      CountDownLatch ready = new CountDownLatch(threads);
      CountDownLatch go = new CountDownLatch(1);
      long[] deadline = new long[1];
      Thread[] workers = new Thread[threads];
      for (int t = 0; t < threads; t++) {
        int thread = t;
        lat[t] = new Stats.LongList();
        workers[t] = new Thread(() -> {
          try {
            ready.countDown();
            go.await();
            long end = deadline[0];
            Stats.LongList mine = lat[thread];
            while (true) {
              long start = System.nanoTime();
              if (start >= end) {
                break;
              }
              target.write(thread, next.getAndIncrement());
              mine.add(System.nanoTime() - start);
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        }, "writer-" + t);
        workers[t].start();
      }
      ready.await();
      long committerCpu = ThreadCpu.committerCpuNanos();
      long start = System.nanoTime();
      deadline[0] = start + (long) (secs * 1e9);
      go.countDown();
      for (Thread w : workers) {
        w.join();
      }
      target.drain();
      long nanos = System.nanoTime() - start;
      long committerSpent = committerCpu < 0 ? -1 : ThreadCpu.committerCpuNanos() - committerCpu;
      if (failure.get() != null) {
        throw new IllegalStateException(c.label() + " failed", failure.get());
      }
      long[] latencies = java.util.Arrays.stream(lat).flatMapToLong(l -> java.util.Arrays.stream(l.toArray())).toArray();
      // A thread draws an index only for a write it then makes, so next counts the writes.
      return new Trial(next.get(), nanos, latencies, Env.size(file), committerSpent);
    } finally {
      Env.deleteFile(file);
    }
  }
}
