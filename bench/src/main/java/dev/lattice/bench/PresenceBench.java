package dev.lattice.bench;

import dev.lattice.bench.presence.RoomRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The presence channel end to end (issue 7): one room on a real edge on loopback, every member a
 * WebSocket client updating its state at {@code --rate} Hz, measuring how long an update takes to
 * reach the others, frames and bytes per client per second, and CPU. Section {@code main} runs
 * {@code --members} (200) for {@code --seconds}; section {@code sweep} then grows the room through
 * {@code --sizes} until the p99 latency exceeds {@code --p99-goal} ms (or a client gets more than
 * {@code --frames-goal} frames a second, or is disconnected) in {@code --attempts} runs in a row,
 * and reports the largest room that held. A second attempt is there because the machine is shared:
 * another process's burst can sink one run; every attempt is reported. See {@link RoomRun} and
 * {@code dev.lattice.bench.presence.BenchMember}.
 */
public final class PresenceBench implements BenchmarkSuite {
  private static final List<String> SECTIONS = List.of("main", "sweep");
  private static final Set<String> PARAMS = Set.of("only", "dir", "members", "rate", "tick", "warmup", "seconds",
      "sizes", "sweep-warmup", "sweep-seconds", "p99-goal", "frames-goal", "client-loops", "seed", "attempts");

  @Override
  public String description() {
    return "presence: one room on a loopback edge, each member updating at --rate Hz; update-to-arrival latency "
        + "p50/p99, frames and bytes per client per second, CPU; then the largest room holding the p99 goal. "
        + "Params: --only main,sweep --members 200 --rate 20 --tick 50 --warmup 3 --seconds 10 "
        + "--sizes 100,200,300,400,500,600,800,1000,1200,1600,2000 --sweep-warmup 2 --sweep-seconds 6 --attempts 2 "
        + "--p99-goal 100 --frames-goal 20 --client-loops 2 --seed 42 --dir /tmp";
  }

  @Override
  public void run(BenchParams params, ResultSink out) throws Exception {
    for (String name : params.asMap().keySet()) {
      if (!PARAMS.contains(name)) {
        throw new IllegalArgumentException("unknown parameter --" + name + "; known: " + PARAMS);
      }
    }
    Set<String> only = new LinkedHashSet<>(Arrays.asList(params.string("only", String.join(",", SECTIONS)).split(",")));
    for (String s : only) {
      if (!SECTIONS.contains(s)) {
        throw new IllegalArgumentException("unknown section '" + s + "' for --only; known: " + SECTIONS);
      }
    }
    int members = params.intValue("members", 200);
    int rate = params.intValue("rate", 20);
    Duration tick = Duration.ofMillis(params.longValue("tick", 50));
    double p99Goal = Double.parseDouble(params.string("p99-goal", "100"));
    double framesGoal = Double.parseDouble(params.string("frames-goal", "20"));
    int loops = params.intValue("client-loops", 2);
    long seed = params.longValue("seed", 42);
    Path parent = Path.of(params.string("dir", System.getProperty("java.io.tmpdir")));
    Files.createDirectories(parent);

    Integer largest = null;
    if (only.contains("main")) {
      RoomRun.Result r = RoomRun.run(Files.createTempDirectory(parent, "lattice-bench-presence-"), members, rate, tick,
          Duration.ofMillis((long) (Double.parseDouble(params.string("warmup", "3")) * 1000)),
          Duration.ofMillis((long) (Double.parseDouble(params.string("seconds", "10")) * 1000)), loops, seed);
      emit(out, "presence.room", r, p99Goal, framesGoal);
    }
    if (only.contains("sweep")) {
      Duration warmup = Duration.ofMillis((long) (Double.parseDouble(params.string("sweep-warmup", "2")) * 1000));
      Duration measure = Duration.ofMillis((long) (Double.parseDouble(params.string("sweep-seconds", "6")) * 1000));
      int attempts = params.intValue("attempts", 2);
      sweep:
      for (long size : params.longs("sizes", 100, 200, 300, 400, 500, 600, 800, 1000, 1200, 1600, 2000)) {
        for (int attempt = 1; ; attempt++) {
          RoomRun.Result r = RoomRun.run(Files.createTempDirectory(parent, "lattice-bench-presence-"), (int) size,
              rate, tick, warmup, measure, loops, seed + attempt);
          emit(out, "presence.sweep", r, p99Goal, framesGoal);
          if (r.holds(p99Goal, framesGoal)) {
            largest = (int) size;
            break;
          }
          if (attempt >= attempts) {
            break sweep;
          }
        }
      }
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("rate", rate);
      p.put("tick_ms", tick.toMillis());
      p.put("p99_goal_ms", p99Goal);
      p.put("frames_goal", framesGoal);
      out.emit("presence.largest", p, "members", largest == null ? Double.NaN : largest, "members");
    }
  }

  private static void emit(ResultSink out, String name, RoomRun.Result r, double p99Goal, double framesGoal) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("members", r.members());
    p.put("rate", r.rate());
    p.put("tick_ms", r.tickMillis());
    p.put("seconds", Math.round(r.seconds() * 10) / 10.0);
    out.emit(name, p, "latency.p50", r.p50(), "ms");
    out.emit(name, p, "latency.p90", r.p90(), "ms");
    out.emit(name, p, "latency.p99", r.p99(), "ms");
    out.emit(name, p, "latency.p999", r.p999(), "ms");
    out.emit(name, p, "latency.mean", r.meanLatency(), "ms");
    out.emit(name, p, "latency.samples", r.samples(), "entries");
    out.emit(name, p, "frames.per.client", r.framesPerClient(), "frames/s");
    out.emit(name, p, "frames.per.client.max", r.framesPerClientMax(), "frames/s");
    out.emit(name, p, "bytes.per.client", r.bytesPerClient(), "B/s");
    out.emit(name, p, "entries.per.client", r.entriesPerClient(), "entries/s");
    out.emit(name, p, "updates.sent", r.updatesPerSecond(), "updates/s");
    out.emit(name, p, "cpu.process", r.processCores(), "cores");
    out.emit(name, p, "cpu.edge", r.edgeCores(), "cores");
    out.emit(name, p, "host.busy", r.hostBusy(), "fraction");
    out.emit(name, p, "host.other", r.otherCores(), "cores");
    out.emit(name, p, "edge.tick.mean", r.tickMeanMillis(), "ms");
    out.emit(name, p, "edge.tick.max", r.tickMaxMillis(), "ms");
    out.emit(name, p, "errors", r.errors(), "messages");
    out.emit(name, p, "disconnected", r.closed(), "clients");
    out.emit(name, p, "goal.held", r.holds(p99Goal, framesGoal) ? 1 : 0, "bool");
    if (r.firstError() != null) {
      System.err.println(name + " " + r.members() + ": first error from the edge: " + r.firstError());
    }
    System.err.printf("%s %d members: p50 %.1f ms, p99 %.1f ms, %.1f frames/s/client (max %.1f), %.0f B/s/client,"
        + " cpu %.2f cores (edge %.2f), host busy %.0f%%, other load %.2f cores, tick %.2f ms%n", name, r.members(),
        r.p50(), r.p99(), r.framesPerClient(), r.framesPerClientMax(), r.bytesPerClient(), r.processCores(),
        r.edgeCores(), r.hostBusy() * 100, r.otherCores(), r.tickMeanMillis());
  }
}
