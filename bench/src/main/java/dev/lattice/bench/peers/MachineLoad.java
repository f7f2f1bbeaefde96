package dev.lattice.bench.peers;

import dev.lattice.bench.ResultSink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The load averages {@code uptime} prints (1, 5 and 15 minutes), read from {@code /proc/loadavg},
 * as result lines: the machine is shared, and a run on a loaded machine says so in its output.
 */
final class MachineLoad {
  private MachineLoad() {}

  static void emit(ResultSink out, String when) {
    String[] f;
    try {
      f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
    } catch (IOException e) {
      System.err.println("peers: no /proc/loadavg (" + e + "); load not recorded");
      return;
    }
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("when", when);
    p.put("cores", Runtime.getRuntime().availableProcessors());
    out.emit("peers.machine", p, "load.1m", Double.parseDouble(f[0]), "load");
    out.emit("peers.machine", p, "load.5m", Double.parseDouble(f[1]), "load");
    out.emit("peers.machine", p, "load.15m", Double.parseDouble(f[2]), "load");
    System.err.println("peers: load average (" + when + "): " + f[0] + " " + f[1] + " " + f[2]);
  }
}
