package dev.lattice.bench.peers;

import dev.lattice.bench.ResultSink;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns the per-round lines of one step into the suite's output: per side, each metric's median
 * over the rounds (throughput also min and max), then Lattice's ratio to every other side.
 */
final class Report {
  /**
   * The ratios given, Lattice's metric over the other side's: throughput, size at the end, and
   * Lattice's size after {@code compact()} over the other's size.
   */
  private static final List<List<String>> RATIOS = List.of(List.of("thrpt", "thrpt"), List.of("size", "size"),
      List.of("size.compacted", "size"));

  private Report() {}

  /** One metric of one side across the rounds: its params (without trial) and a value per round. */
  private record Series(String name, Map<String, Object> params, String metric, String unit, double[] values) {}

  static void emit(Step step, Map<String, List<List<ResultLine>>> bySystem, int rounds, ResultSink out) {
    Map<String, Map<String, Series>> series = new LinkedHashMap<>();
    for (Map.Entry<String, List<List<ResultLine>>> e : bySystem.entrySet()) {
      series.put(e.getKey(), collect(e.getValue(), rounds));
    }
    for (Map<String, Series> ofSystem : series.values()) {
      for (Series s : ofSystem.values()) {
        Map<String, Object> p = new LinkedHashMap<>(s.params());
        p.put("rounds", rounds);
        if (s.metric().equals("thrpt")) {
          out.emit(s.name(), p, "thrpt.median", PeersRun.median(s.values()), s.unit());
          out.emit(s.name(), p, "thrpt.min", min(s.values()), s.unit());
          out.emit(s.name(), p, "thrpt.max", max(s.values()), s.unit());
        } else {
          out.emit(s.name(), p, s.metric() + ".median", PeersRun.median(s.values()), s.unit());
        }
      }
    }
    Map<String, Series> lattice = series.get(LatticeSide.SYSTEM);
    for (Map.Entry<String, Map<String, Series>> e : series.entrySet()) {
      if (e.getKey().equals(LatticeSide.SYSTEM)) {
        continue;
      }
      for (List<String> ratio : RATIOS) {
        String metric = ratio.get(0);
        Series of = find(lattice, metric);
        Series to = find(e.getValue(), ratio.get(1));
        if (of == null || to == null) {
          continue;
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("figure", step.figure());
        p.putAll(withoutSystem(of.params()));
        p.put("of", LatticeSide.SYSTEM);
        p.put("to", e.getKey());
        p.put("rounds", rounds);
        out.emit("peers.ratio", p, metric + ".ratio_of_medians",
            PeersRun.median(of.values()) / PeersRun.median(to.values()), "x");
        if (metric.equals("thrpt")) {
          double[] perRound = new double[rounds];
          for (int r = 0; r < rounds; r++) {
            perRound[r] = of.values()[r] / to.values()[r];
          }
          out.emit("peers.ratio", p, "thrpt.median_of_rounds", PeersRun.median(perRound), "x");
        }
      }
    }
  }

  /** Groups one side's lines by metric and params (the trial number left out), a value per round. */
  private static Map<String, Series> collect(List<List<ResultLine>> perRound, int rounds) {
    Map<String, Series> out = new LinkedHashMap<>();
    for (int r = 0; r < perRound.size(); r++) {
      for (ResultLine l : perRound.get(r)) {
        Map<String, Object> p = new LinkedHashMap<>(l.params());
        p.remove("trial");
        String key = l.metric() + " " + new TreeMap<>(p);
        Series s = out.computeIfAbsent(key, k -> {
          double[] v = new double[rounds];
          Arrays.fill(v, Double.NaN);
          return new Series(l.name(), p, l.metric(), l.unit(), v);
        });
        s.values()[r] = l.value();
      }
    }
    return out;
  }

  private static Series find(Map<String, Series> ofSystem, String metric) {
    for (Series s : ofSystem.values()) {
      if (s.metric().equals(metric)) {
        return s;
      }
    }
    return null;
  }

  private static Map<String, Object> withoutSystem(Map<String, Object> params) {
    Map<String, Object> p = new LinkedHashMap<>(params);
    p.remove("system");
    return p;
  }

  private static double min(double[] v) {
    return Arrays.stream(v).filter(x -> !Double.isNaN(x)).min().orElse(Double.NaN);
  }

  private static double max(double[] v) {
    return Arrays.stream(v).filter(x -> !Double.isNaN(x)).max().orElse(Double.NaN);
  }
}
