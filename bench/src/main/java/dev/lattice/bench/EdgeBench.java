package dev.lattice.bench;

import dev.lattice.bench.edge.EdgeSections;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * End-to-end benchmarks of the edge node and the sync protocol (issue 6) on loopback, in one JVM:
 * live propagation through an edge against a bare Vert.x WebSocket relay, reconnect catch-up
 * against a full snapshot, initial sync with and without packed deltas, and Merkle repair between
 * two peered edges after a partition. See {@code dev.lattice.bench.edge} for each section.
 */
public final class EdgeBench implements BenchmarkSuite {
  @Override
  public String description() {
    return "edge node + sync protocol on loopback: live propagation vs a bare Vert.x relay, reconnect catch-up vs "
        + "snapshot, initial sync (packed or not), peer Merkle repair after a partition. Params: --only "
        + "live,initial,reconnect,repair --quick true --dir /tmp --clients 10,100,1000 --systems "
        + "edge,edge-tmpfs,relay --writers 0 (all) --step-seconds 2 --warmup 0.5 --start-rate 1000 --max-steps 9 "
        + "--value-bytes 100 --docs 100000 --origins 10 --d 10,100,1000 --reps 3";
  }

  @Override
  public void run(BenchParams params, ResultSink out) throws Exception {
    for (String name : params.asMap().keySet()) {
      if (!EdgeSections.PARAMS.contains(name)) {
        throw new IllegalArgumentException("unknown parameter --" + name + "; known: " + EdgeSections.PARAMS);
      }
    }
    Set<String> only = new LinkedHashSet<>(Arrays.asList(
        params.string("only", String.join(",", EdgeSections.SECTIONS)).split(",")));
    for (String s : only) {
      if (!EdgeSections.SECTIONS.contains(s)) {
        throw new IllegalArgumentException("unknown section '" + s + "' for --only; known: " + EdgeSections.SECTIONS);
      }
    }
    EdgeSections.run(only, params, out);
  }
}
