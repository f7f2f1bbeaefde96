package dev.lattice.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Entry point of {@code bench/run NAME [--param value ...]}. */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || args[0].equals("--help")) {
      System.err.println("usage: bench/run NAME [--param value ...]   (see bench/README.md)");
      System.exit(args.length == 0 ? 2 : 0);
    }
    BenchmarkSuite suite = find(args[0]);
    List<String> rest = Arrays.asList(args).subList(1, args.length);
    if (rest.contains("--help")) {
      System.err.println(args[0] + ": " + suite.description());
      return;
    }
    suite.run(BenchParams.parse(rest), new ResultSink(System.out));
  }

  private static BenchmarkSuite find(String name) throws ReflectiveOperationException {
    String simple = name.substring(0, 1).toUpperCase(Locale.ROOT) + name.substring(1) + "Bench";
    Class<?> type;
    try {
      type = Class.forName(BenchMain.class.getPackageName() + "." + simple);
    } catch (ClassNotFoundException e) {
      System.err.println("no benchmark suite named '" + name + "' (looked for class " + simple + ")");
      System.exit(2);
      throw new AssertionError(e);
    }
    return (BenchmarkSuite) type.getDeclaredConstructor().newInstance();
  }
}
