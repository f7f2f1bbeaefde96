package dev.lattice.bench;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code --name value} pairs given after the suite name; unknown names are an error. */
public final class BenchParams {
  private final Map<String, String> values;

  private BenchParams(Map<String, String> values) {
    this.values = values;
  }

  /**
   * Parses {@code --name value} pairs.
   *
   * @throws IllegalArgumentException if an argument is not of that form
   */
  public static BenchParams parse(List<String> args) {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i += 2) {
      String flag = args.get(i);
      if (!flag.startsWith("--") || i + 1 >= args.size()) {
        throw new IllegalArgumentException("expected --name value pairs, got '" + flag + "'");
      }
      values.put(flag.substring(2), args.get(i + 1));
    }
    return new BenchParams(values);
  }

  public String string(String name, String defaultValue) {
    return values.getOrDefault(name, defaultValue);
  }

  public long longValue(String name, long defaultValue) {
    String v = values.get(name);
    return v == null ? defaultValue : Long.parseLong(v.replace("_", ""));
  }

  public int intValue(String name, int defaultValue) {
    return Math.toIntExact(longValue(name, defaultValue));
  }

  /** Comma-separated list, for sweeps such as {@code --n 10000,100000}. */
  public long[] longs(String name, long... defaults) {
    String v = values.get(name);
    if (v == null) {
      return defaults;
    }
    return java.util.Arrays.stream(v.split(",")).mapToLong(s -> Long.parseLong(s.trim().replace("_", ""))).toArray();
  }

  public Map<String, String> asMap() {
    return Collections.unmodifiableMap(values);
  }
}
