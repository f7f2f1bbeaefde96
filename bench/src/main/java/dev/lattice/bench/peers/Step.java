package dev.lattice.bench.peers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One figure of the suite: {@code build.perop} (one transaction per key), {@code build.batch}
 * ({@code batch} keys per transaction) or {@code hot} (overwrites of a few keys, one per
 * transaction). Every side runs the same steps on the same {@link Sizes}.
 */
record Step(String figure, int batch) {
  static final String BUILD = "build.perop";
  static final String BATCH = "build.batch";
  static final String HOT = "hot";

  /** The sizes of a run: keys, hot keys, overwrites, the smaller batch, size checkpoints in {@code hot}. */
  record Sizes(int keys, int hotKeys, long overwrites, int batch, int checkpoints) {
    Sizes {
      if (keys < 1 || hotKeys < 1 || hotKeys > keys || overwrites < checkpoints || batch < 1 || checkpoints < 1) {
        throw new IllegalArgumentException("need 1 <= hot-keys <= keys, checkpoints <= overwrites, batch >= 1: " + this);
      }
    }

    /** The overwrite count after checkpoint {@code c} (1-based) of the hot figure. */
    long checkpoint(int c) {
      return overwrites * c / checkpoints;
    }
  }

  /** The steps {@code --only} selects, in the order the Node script runs them. */
  static List<Step> plan(List<String> only, Sizes s) {
    List<Step> out = new ArrayList<>();
    if (only.contains("build")) {
      out.add(new Step(BUILD, 1));
    }
    if (only.contains("batch")) {
      out.add(new Step(BATCH, s.keys()));
      if (s.batch() < s.keys()) {
        out.add(new Step(BATCH, s.batch()));
      }
    }
    if (only.contains("hot")) {
      out.add(new Step(HOT, 1));
    }
    return out;
  }

  /** The command that runs this step once on a Node system. */
  Map<String, Object> command(String system, int trial) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("cmd", "trial");
    c.put("system", system);
    c.put("figure", figure);
    if (figure.equals(BATCH)) {
      c.put("batch", batch);
    }
    c.put("trial", trial);
    return c;
  }

  String label() {
    return figure.equals(BATCH) ? figure + " batch " + batch : figure;
  }

  /**
   * The result lines of one trial on a Java side, shaped as the Node script's: {@code thrpt},
   * {@code size} and {@code size.per_key} for the builds; {@code thrpt}, {@code size} and
   * {@code size.at} per checkpoint for {@code hot}.
   */
  List<ResultLine> lines(String system, Sizes s, Measured m) {
    List<ResultLine> out = new ArrayList<>();
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("system", system);
    p.put("keys", s.keys());
    String name = "peers." + figure;
    if (figure.equals(HOT)) {
      p.put("hotKeys", s.hotKeys());
      p.put("overwrites", s.overwrites());
      out.add(new ResultLine(name, p, "thrpt", s.overwrites() * 1e9 / m.nanos(), "ops/s"));
      out.add(new ResultLine(name, p, "size", m.size(), "bytes"));
      for (int c = 0; c < m.sizeAt().length; c++) {
        Map<String, Object> at = new LinkedHashMap<>(p);
        at.put("after", s.checkpoint(c + 1));
        out.add(new ResultLine(name, at, "size.at", m.sizeAt()[c], "bytes"));
      }
    } else {
      if (figure.equals(BATCH)) {
        p.put("batch", batch);
      }
      out.add(new ResultLine(name, p, "thrpt", s.keys() * 1e9 / m.nanos(), "ops/s"));
      out.add(new ResultLine(name, p, "size", m.size(), "bytes"));
      out.add(new ResultLine(name, p, "size.per_key", m.size() / s.keys(), "bytes"));
    }
    for (Map.Entry<String, Double> e : m.extra().entrySet()) {
      out.add(new ResultLine(name, p, e.getKey(), e.getValue(), "bytes"));
      if (!figure.equals(HOT)) {
        out.add(new ResultLine(name, p, e.getKey() + ".per_key", e.getValue() / s.keys(), "bytes"));
      }
    }
    return out;
  }

  /**
   * What one trial measured: the time of the writes (their last commit included), the size at the
   * end, the size at each checkpoint of {@code hot}, and any further sizes by metric name (for
   * the builds, each also per key).
   */
  record Measured(double nanos, double size, double[] sizeAt, Map<String, Double> extra) {}
}
