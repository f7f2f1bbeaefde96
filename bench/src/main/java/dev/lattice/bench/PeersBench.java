package dev.lattice.bench;

import dev.lattice.bench.peers.PeersRun;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;

/**
 * Lattice beside Yjs and Automerge on one workload (issue 11, item 8): 100,000 keys with ~105-byte
 * JSON string values, one LWW field per document; built one write per transaction, in batches,
 * and as 10^6 overwrites of 1,000 keys; throughput and encoded or on-disk size, with a raw
 * MVStore loop under the same commit policy as the floor. The peers run in Node
 * ({@code bench/peers/peers.mjs}, pinned versions) as a subprocess of this suite; the sides run in
 * alternating rounds in one run and the suite prints Lattice's ratio to each. See
 * {@code dev.lattice.bench.peers} and bench/README.md.
 */
public final class PeersBench implements BenchmarkSuite {
  private static final Set<String> PARAMS = Set.of("keys", "hot-keys", "overwrites", "batch", "rounds",
      "checkpoints", "only", "systems", "dir", "peers-dir", "node");

  @Override
  public String description() {
    return "Lattice vs Yjs 13.6 and Automerge 3.5 (Node subprocess) and raw MVStore: build per op, batched, "
        + "size, hot keys; ratios. Params: --keys 100000 --hot-keys 1000 --overwrites 1000000 --batch 1000 "
        + "--rounds 3 --checkpoints 5 --only build,batch,hot --systems yjs,automerge,lattice,lattice.edge,raw.one-map,"
        + "raw.client-maps (also automerge-js) --dir /tmp --peers-dir bench/peers --node node";
  }

  @Override
  public void run(BenchParams params, ResultSink out) throws Exception {
    for (String name : params.asMap().keySet()) {
      if (!PARAMS.contains(name)) {
        throw new IllegalArgumentException("unknown parameter --" + name + "; known: " + PARAMS);
      }
    }
    PeersRun.Config config = new PeersRun.Config(params.intValue("keys", 100_000), params.intValue("hot-keys", 1000),
        params.longValue("overwrites", 1_000_000), params.intValue("batch", 1000), params.intValue("checkpoints", 5),
        params.intValue("rounds", 3), Arrays.asList(params.string("only", "build,batch,hot").split(",")),
        Arrays.asList(params.string("systems", String.join(",", PeersRun.DEFAULT_SYSTEMS)).split(",")),
        Path.of(params.string("peers-dir", defaultPeersDir().toString())), params.string("node", "node"));
    Path parent = Path.of(params.string("dir", System.getProperty("java.io.tmpdir")));
    Files.createDirectories(parent);
    Path dir = Files.createTempDirectory(parent, "lattice-bench-peers-");
    try {
      new PeersRun(config, dir, out).run();
    } finally {
      try (var walk = Files.walk(dir)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** {@code bench/peers} beside {@code bench/target/lattice-bench.jar}, where bench/run runs it from. */
  private static Path defaultPeersDir() throws URISyntaxException {
    Path jar = Path.of(PeersBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    return jar.getParent().getParent().resolve("peers");
  }
}
