package dev.lattice.bench;

/**
 * One named benchmark suite, run by {@code bench/run NAME}.
 *
 * <p>A suite for {@code NAME} is the class {@code dev.lattice.bench.<Name>Bench} (first letter
 * upper-cased) with a public no-argument constructor, so adding a suite touches no shared registry.
 */
public interface BenchmarkSuite {

  /** One line of help: what the suite measures and which parameters it takes. */
  String description();

  /**
   * Runs the suite and reports every figure through {@code out}.
   *
   * @throws Exception whatever the measured code throws; the run stops with a non-zero exit
   */
  void run(BenchParams params, ResultSink out) throws Exception;
}
