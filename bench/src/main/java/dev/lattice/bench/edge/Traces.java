package dev.lattice.bench.edge;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Summaries of a {@link CountingProxy} message trace. */
final class Traces {
  private Traces() {}

  /** Count, payload and wire bytes of the messages of one direction and type. */
  static final class Tally {
    long count;
    long payload;
    long wire;
  }

  /** By {@code "up:type"} / {@code "down:type"}, sorted. */
  static Map<String, Tally> byType(List<CountingProxy.Msg> trace) {
    Map<String, Tally> out = new TreeMap<>();
    for (CountingProxy.Msg m : trace) {
      Tally t = out.computeIfAbsent((m.up() ? "up:" : "down:") + m.type(), k -> new Tally());
      t.count++;
      t.payload += m.payload();
      t.wire += m.wire();
    }
    return out;
  }

  static String describe(List<CountingProxy.Msg> trace) {
    StringBuilder sb = new StringBuilder();
    byType(trace).forEach((k, t) -> sb.append(String.format(" %s×%d=%,dB", k, t.count, t.wire)));
    return sb.toString();
  }

  /**
   * Round trips of the exchange up to and including message {@code end}: the number of flights
   * the connecting side sent (maximal runs of its messages with none of the other side's between
   * them), control frames ignored. The WebSocket upgrade before the first message is not counted.
   */
  static int clientFlights(List<CountingProxy.Msg> trace, int end) {
    int flights = 0;
    boolean inUp = false;
    for (int i = 0; i <= end && i < trace.size(); i++) {
      CountingProxy.Msg m = trace.get(i);
      if (m.opcode() >= 8) {
        continue;
      }
      if (m.up()) {
        if (!inUp) {
          flights++;
          inUp = true;
        }
      } else {
        inUp = false;
      }
    }
    return flights;
  }

  /** Index of the last message of {@code type} in {@code direction}, or -1. */
  static int last(List<CountingProxy.Msg> trace, boolean up, String type) {
    for (int i = trace.size() - 1; i >= 0; i--) {
      if (trace.get(i).up() == up && trace.get(i).type().equals(type)) {
        return i;
      }
    }
    return -1;
  }

  /** Compact one-line timeline: direction, type, payload bytes, ms since the first message. */
  static String timeline(List<CountingProxy.Msg> trace, int max) {
    if (trace.isEmpty()) {
      return "";
    }
    long t0 = trace.get(0).nanos();
    StringBuilder sb = new StringBuilder();
    String prevKey = null;
    int run = 0;
    long runBytes = 0;
    int shown = 0;
    for (int i = 0; i <= trace.size(); i++) {
      CountingProxy.Msg m = i < trace.size() ? trace.get(i) : null;
      String key = m == null ? null : (m.up() ? ">" : "<") + m.type();
      if (prevKey != null && !prevKey.equals(key)) {
        if (shown++ < max) {
          sb.append(String.format(" %s%s(%,dB)", prevKey, run > 1 ? "×" + run : "", runBytes));
        }
        run = 0;
        runBytes = 0;
      }
      if (m != null) {
        if (run == 0 && shown < max) {
          sb.append(String.format(" @%.1f", (m.nanos() - t0) / 1e6));
        }
        run++;
        runBytes += m.payload();
      }
      prevKey = key;
    }
    return sb.toString().trim();
  }
}
