package dev.lattice.bench.peers;

import dev.lattice.bench.ResultSink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code peers} suite: Yjs and Automerge (Node), Lattice and raw MVStore (this JVM) on one
 * workload, in rounds. Each round runs every step on every side, in an order that reverses from one
 * round to the next, so a burst of load on the shared machine hits all sides alike. Before the
 * rounds, a warm-up (a tenth of the sizes, at most 10,000 keys and 100,000 overwrites, not
 * recorded) compiles the hot paths on both runtimes.
 *
 * <p>Every figure is the median over the rounds (min and max beside throughput). Ratios are
 * Lattice over each other side, from this run only: the ratio of the medians, and for
 * throughput also the median of the per-round ratios.
 */
public final class PeersRun {
  /** The systems, in the order of even rounds (odd rounds run them in reverse). */
  public static final List<String> SYSTEMS = List.of("yjs", "automerge", LatticeSide.SYSTEM, LatticeSide.EDGE_SYSTEM,
      RawSide.ONE_MAP, RawSide.CLIENT_MAPS, "automerge-js");
  public static final List<String> DEFAULT_SYSTEMS = SYSTEMS.subList(0, 6);
  private static final List<String> NODE_SYSTEMS = List.of("yjs", "automerge", "automerge-js");

  /**
   * What to run: the workload's sizes, the figures ({@code build}, {@code batch}, {@code hot}), the
   * systems, how many rounds, where the Node script lives and which {@code node} to run it with.
   *
   * @throws IllegalArgumentException naming the bad value
   */
  public record Config(int keys, int hotKeys, long overwrites, int batch, int checkpoints, int rounds,
      List<String> only, List<String> systems, Path peersDir, String node) {
    public Config {
      only = List.copyOf(only);
      systems = List.copyOf(systems);
      for (String o : only) {
        if (!List.of("build", "batch", "hot").contains(o)) {
          throw new IllegalArgumentException("unknown figure '" + o + "'; known: build, batch, hot");
        }
      }
      for (String s : systems) {
        if (!SYSTEMS.contains(s)) {
          throw new IllegalArgumentException("unknown system '" + s + "'; known: " + SYSTEMS);
        }
      }
      if (!systems.contains(LatticeSide.SYSTEM)) {
        throw new IllegalArgumentException("systems must include lattice (the ratios are Lattice over each other side): "
            + systems);
      }
      if (rounds < 1) {
        throw new IllegalArgumentException("rounds must be at least 1: " + rounds);
      }
      new Step.Sizes(keys, hotKeys, overwrites, batch, checkpoints); // validates
    }
  }

  private final Step.Sizes sizes;
  private final List<Step> steps;
  private final List<String> systems;
  private final int rounds;
  private final Path dir;
  private final Path peersDir;
  private final String node;
  private final ResultSink out;
  private int fileCounter;

  /** A run writing its trial files into {@code dir}. */
  public PeersRun(Config c, Path dir, ResultSink out) {
    this.sizes = new Step.Sizes(c.keys(), c.hotKeys(), c.overwrites(), c.batch(), c.checkpoints());
    this.steps = Step.plan(c.only(), sizes);
    this.systems = SYSTEMS.stream().filter(c.systems()::contains).toList();
    this.rounds = c.rounds();
    this.dir = dir;
    this.peersDir = c.peersDir();
    this.node = c.node();
    this.out = out;
  }

  public void run() throws Exception {
    MachineLoad.emit(out, "start");
    PeersWorkload w = PeersWorkload.of(sizes.keys());
    List<String> nodeSystems = systems.stream().filter(NODE_SYSTEMS::contains).toList();
    Map<String, JavaSide> javaSides = new LinkedHashMap<>();
    for (String s : systems) {
      if (s.equals(LatticeSide.SYSTEM)) {
        javaSides.put(s, new LatticeSide(dev.lattice.replica.Role.CLIENT));
      } else if (s.equals(LatticeSide.EDGE_SYSTEM)) {
        javaSides.put(s, new LatticeSide(dev.lattice.replica.Role.EDGE));
      } else if (s.startsWith("raw.")) {
        javaSides.put(s, new RawSide(s.equals(RawSide.CLIENT_MAPS)));
      }
    }
    NodePeers peers = nodeSystems.isEmpty() ? null : NodePeers.start(peersDir, node, List.of(
        "--keys", Integer.toString(sizes.keys()), "--hot-keys", Integer.toString(sizes.hotKeys()),
        "--overwrites", Long.toString(sizes.overwrites()), "--batch", Integer.toString(sizes.batch()),
        "--checkpoints", Integer.toString(sizes.checkpoints()), "--systems", String.join(",", nodeSystems),
        "--only", String.join(",", onlyOf(steps))));
    try {
      if (peers != null) {
        checkSameWorkload(peers, w);
        System.err.println("peers: warm-up (Node)");
        peers.call(Map.of("cmd", "warmup"));
      }
      System.err.println("peers: warm-up (JVM)");
      warmUp(javaSides.values());

      // results.get(step).get(system): one list of lines per round
      Map<Step, Map<String, List<List<ResultLine>>>> results = new LinkedHashMap<>();
      for (int r = 0; r < rounds; r++) {
        System.err.printf("peers: round %d of %d%n", r + 1, rounds);
        for (Step step : steps) {
          List<String> order = new ArrayList<>(systems);
          if (r % 2 == 1) {
            Collections.reverse(order);
          }
          for (String system : order) {
            List<ResultLine> lines = javaSides.containsKey(system)
                ? runJava(javaSides.get(system), step, sizes, w)
                : peers.call(step.command(system, r + 1));
            results.computeIfAbsent(step, k -> new LinkedHashMap<>())
                .computeIfAbsent(system, k -> new ArrayList<>()).add(lines);
            progress(step, system, lines);
          }
        }
      }
      for (Step step : steps) {
        Report.emit(step, results.get(step), rounds, out);
      }
    } finally {
      if (peers != null) {
        peers.close();
      }
      MachineLoad.emit(out, "end");
    }
  }

  private static List<String> onlyOf(List<Step> steps) {
    List<String> only = new ArrayList<>();
    for (Step s : steps) {
      String o = switch (s.figure()) {
        case Step.BUILD -> "build";
        case Step.BATCH -> "batch";
        default -> "hot";
      };
      if (!only.contains(o)) {
        only.add(o);
      }
    }
    return only;
  }

  /** The Node script must have built byte-for-byte the same values, or nothing here compares. */
  private static void checkSameWorkload(NodePeers peers, PeersWorkload w) throws IOException {
    long[] mine = w.fingerprint();
    Map<String, Double> theirs = new LinkedHashMap<>();
    for (ResultLine l : peers.call(Map.of("cmd", "fingerprint"))) {
      theirs.put(l.metric(), l.value());
    }
    if (theirs.getOrDefault("value.bytes", -1.0) != mine[0] || theirs.getOrDefault("value.fnv1a", -1.0) != mine[1]) {
      throw new IllegalStateException("the Node script built other values than PeersWorkload: node " + theirs
          + ", java bytes=" + mine[0] + " fnv1a=" + mine[1]);
    }
  }

  /** One trial on a fresh file, deleted afterwards (a Lattice file can take hundreds of MB). */
  private List<ResultLine> runJava(JavaSide side, Step step, Step.Sizes s, PeersWorkload w) throws Exception {
    Path file = nextFile();
    try {
      return step.lines(side.system(), s, side.run(step, s, w, file));
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private void warmUp(java.util.Collection<JavaSide> sides) throws Exception {
    Step.Sizes small = new Step.Sizes(Math.min(sizes.keys(), 10_000), Math.min(sizes.hotKeys(), Math.min(sizes.keys(), 10_000)),
        Math.min(sizes.overwrites(), 100_000), Math.min(sizes.batch(), Math.min(sizes.keys(), 10_000)), 1);
    PeersWorkload w = PeersWorkload.of(small.keys());
    for (JavaSide side : sides) {
      for (Step step : Step.plan(onlyOf(steps), small)) {
        runJava(side, step, small, w);
      }
    }
  }

  private Path nextFile() throws IOException {
    Path file = dir.resolve("peers-" + (fileCounter++) + ".mv.db");
    Files.deleteIfExists(file);
    return file;
  }

  private static void progress(Step step, String system, List<ResultLine> lines) {
    double thrpt = Double.NaN;
    double size = Double.NaN;
    for (ResultLine l : lines) {
      if (l.metric().equals("thrpt")) {
        thrpt = l.value();
      } else if (l.metric().equals("size")) {
        size = l.value();
      }
    }
    System.err.printf("  %-22s %-16s %,12.0f ops/s %,14.0f bytes%n", step.label(), system, thrpt, size);
  }

  static double median(double[] values) {
    double[] s = Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
    int n = s.length;
    if (n == 0) {
      return Double.NaN;
    }
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }
}
