package dev.lattice.bench;

import java.io.PrintStream;
import java.util.Map;

/**
 * Prints one JSON object per result: {@code name}, {@code params}, {@code metric},
 * {@code value}, {@code unit}. Hand-written so the bench needs no JSON library.
 */
public final class ResultSink {
  private final PrintStream out;

  public ResultSink(PrintStream out) {
    this.out = out;
  }

  public void emit(String name, Map<String, ?> params, String metric, double value, String unit) {
    StringBuilder sb = new StringBuilder(128);
    sb.append("{\"name\":").append(quote(name)).append(",\"params\":{");
    boolean first = true;
    for (Map.Entry<String, ?> e : params.entrySet()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      sb.append(quote(e.getKey())).append(':');
      Object v = e.getValue();
      sb.append(v instanceof Number ? v.toString() : quote(String.valueOf(v)));
    }
    sb.append("},\"metric\":").append(quote(metric)).append(",\"value\":");
    sb.append(Double.isFinite(value) ? formatNumber(value) : "null");
    sb.append(",\"unit\":").append(quote(unit)).append('}');
    out.println(sb);
    out.flush();
  }

  private static String formatNumber(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return String.format(java.util.Locale.ROOT, "%.4g", value);
  }

  static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }
}
