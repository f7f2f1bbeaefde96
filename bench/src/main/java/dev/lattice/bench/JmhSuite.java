package dev.lattice.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs the JMH benchmarks of one package programmatically and turns every result into
 * {@link ResultSink} lines, so a suite made of {@code @Benchmark} classes is a few lines long.
 *
 * <p>Why programmatic: {@code bench/run NAME} is the one entry point, and its output is one JSON
 * object per line on stdout. JMH's own human-readable log (and the forked JVMs' output) therefore
 * goes to stderr, and the results are read from the {@link RunResult}s, not parsed from text.
 *
 * <p>The run options come from {@link BenchParams} and override any {@code @Fork},
 * {@code @Warmup} or {@code @Measurement} annotation; the benchmark mode and time unit stay those
 * the classes declare. See {@link #PARAMETERS} for the names.
 *
 * <p>Lines emitted per benchmark (and per combination of its {@code @Param} values):
 *
 * <ul>
 *   <li>{@code metric = <mode>} (for example {@code thrpt}, {@code avgt}): the primary score, the
 *       mean over measurement iterations, in the benchmark's unit;
 *   <li>{@code <mode>.error}: the half-width of JMH's 99.9% confidence interval of that mean
 *       ({@code null} when there are too few iterations to compute it);
 *   <li>{@code <mode>.median}: the median over iterations, which a noisy machine disturbs less;
 *   <li>one line per secondary result, {@code metric} being its label (for example
 *       {@code gc.alloc.rate.norm} with {@code --prof gc}).
 * </ul>
 *
 * {@code name} is the benchmark's class and method below {@code dev.lattice.bench}, for example
 * {@code crdt.OrMapUpdateBench.updateJoinFixed}; {@code params} holds its {@code @Param} values.
 */
public final class JmhSuite {

  /** The parameters every JMH suite takes, with their defaults. */
  public static final Map<String, String> PARAMETERS = parameters();

  private static final String ROOT_PACKAGE = "dev.lattice.bench.";

  private final String packageName;

  /**
   * @param packageName the package whose benchmarks this suite runs, for example
   *     {@code dev.lattice.bench.crdt}
   * @throws IllegalArgumentException if the package is not below {@code dev.lattice.bench}
   */
  public JmhSuite(String packageName) {
    if (!(packageName + ".").startsWith(ROOT_PACKAGE)) {
      throw new IllegalArgumentException("benchmark package must be below dev.lattice.bench: " + packageName);
    }
    this.packageName = packageName;
  }

  private static Map<String, String> parameters() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("only", "regex; run only benchmarks whose name (class.method below the package) it finds");
    p.put("forks", "JVM forks per benchmark (default 1)");
    p.put("warmup", "warmup iterations (default 3)");
    p.put("iterations", "measurement iterations (default 5)");
    p.put("time", "seconds per warmup and measurement iteration (default 1)");
    p.put("prof", "comma-separated JMH profilers, NAME or NAME:OPTIONS as after -prof, e.g. gc (default none)");
    p.put("jvm-args", "extra JVM arguments for the forks, space-separated (default none)");
    p.put("param.NAME", "override a @Param, comma-separated values, e.g. --param.n 1000,10000");
    return java.util.Collections.unmodifiableMap(p);
  }

  /** One line per parameter, for a suite's {@code --help}. */
  public static String parameterHelp() {
    StringBuilder sb = new StringBuilder();
    PARAMETERS.forEach((k, v) -> sb.append("\n  --").append(k).append(": ").append(v));
    return sb.toString();
  }

  /**
   * True if a benchmark named {@code name} (as it appears in the {@code name} field, e.g.
   * {@code crdt.CodecBench.bytes}) is selected by {@code --only}; for figures a suite computes
   * outside JMH.
   */
  public static boolean selected(BenchParams params, String name) {
    String only = params.string("only", null);
    return only == null || Pattern.compile(only).matcher(name).find();
  }

  /**
   * Runs every benchmark of the package that {@code --only} selects and reports each result.
   *
   * @param ownParams parameter names the calling suite handles itself, allowed besides
   *     {@link #PARAMETERS}
   * @return the results, empty if no benchmark was selected
   * @throws IllegalArgumentException if a parameter is unknown or malformed
   * @throws RunnerException if JMH fails, for example when a benchmark throws
   */
  public Collection<RunResult> run(BenchParams params, ResultSink out, Set<String> ownParams)
      throws RunnerException {
    checkNames(params, ownParams);
    String include = "^" + Pattern.quote(packageName + ".");
    String only = params.string("only", null);
    if (only != null) {
      try {
        Pattern.compile(only);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("--only is not a regular expression: '" + only + "'", e);
      }
      include += ".*?(?:" + only + ")";
    }
    ChainedOptionsBuilder options = new OptionsBuilder()
        .include(include)
        .forks(positive(params, "forks", 1, 0))
        .warmupIterations(positive(params, "warmup", 3, 0))
        .measurementIterations(positive(params, "iterations", 5, 1))
        .warmupTime(TimeValue.seconds(positive(params, "time", 1, 1)))
        .measurementTime(TimeValue.seconds(positive(params, "time", 1, 1)))
        .timeout(TimeValue.minutes(10))
        .shouldFailOnError(true);
    String prof = params.string("prof", "");
    for (String p : prof.split(",")) {
      if (!p.isBlank()) {
        // "name:options", as after JMH's -prof, e.g. "stack:lines=3;top=10".
        int colon = p.indexOf(':');
        if (colon < 0) {
          options.addProfiler(p.trim());
        } else {
          options.addProfiler(p.substring(0, colon).trim(), p.substring(colon + 1));
        }
      }
    }
    String jvmArgs = params.string("jvm-args", "").trim();
    if (!jvmArgs.isEmpty()) {
      options.jvmArgsAppend(jvmArgs.split("\\s+"));
    }
    for (Map.Entry<String, String> e : params.asMap().entrySet()) {
      if (e.getKey().startsWith("param.")) {
        String[] values = Arrays.stream(e.getValue().split(",")).map(String::trim).toArray(String[]::new);
        options.param(e.getKey().substring("param.".length()), values);
      }
    }
    Collection<RunResult> results;
    try {
      results = new Runner(options.build(),
          OutputFormatFactory.createFormatInstance(System.err, VerboseMode.NORMAL)).run();
    } catch (NoBenchmarksException e) {
      return List.of();
    }
    List<RunResult> sorted = new ArrayList<>(results);
    for (RunResult r : sorted) {
      emit(r, out);
    }
    return sorted;
  }

  private static void checkNames(BenchParams params, Set<String> ownParams) {
    Set<String> unknown = new TreeSet<>();
    for (String name : params.asMap().keySet()) {
      if (!PARAMETERS.containsKey(name) && !ownParams.contains(name) && !name.startsWith("param.")) {
        unknown.add(name);
      }
    }
    if (!unknown.isEmpty()) {
      Set<String> known = new TreeSet<>(PARAMETERS.keySet());
      known.addAll(ownParams);
      throw new IllegalArgumentException("unknown parameter(s) " + unknown + "; known: " + known);
    }
  }

  private static int positive(BenchParams params, String name, int defaultValue, int min) {
    int v;
    try {
      v = params.intValue(name, defaultValue);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("--" + name + " must be an integer: '" + params.string(name, "") + "'", e);
    }
    if (v < min) {
      throw new IllegalArgumentException("--" + name + " must be at least " + min + ": " + v);
    }
    return v;
  }

  private static void emit(RunResult r, ResultSink out) {
    BenchmarkParams bp = r.getParams();
    String name = bp.getBenchmark().startsWith(ROOT_PACKAGE)
        ? bp.getBenchmark().substring(ROOT_PACKAGE.length())
        : bp.getBenchmark();
    Map<String, Object> params = new LinkedHashMap<>();
    for (String key : bp.getParamsKeys()) {
      params.put(key, numberOrString(bp.getParam(key)));
    }
    String mode = bp.getMode().shortLabel();
    Result<?> primary = r.getPrimaryResult();
    String unit = primary.getScoreUnit();
    out.emit(name, params, mode, primary.getScore(), unit);
    out.emit(name, params, mode + ".error", primary.getScoreError(), unit);
    out.emit(name, params, mode + ".median", primary.getStatistics().getPercentile(50), unit);
    for (Map.Entry<String, Result> e : r.getSecondaryResults().entrySet()) {
      Result<?> s = e.getValue();
      if (Double.isNaN(s.getScore())) {
        continue; // a textual profiler result (e.g. stack); JMH prints it on stderr
      }
      out.emit(name, params, e.getKey(), s.getScore(), s.getScoreUnit());
    }
  }

  private static Object numberOrString(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return s;
    }
  }
}
