package dev.lattice.bench.replica;

import dev.lattice.crdt.type.Document;
import dev.lattice.replica.Replica;
import dev.lattice.replica.ReplicaOptions;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * The child-JVM side of the reopen measurement, so each open starts cold (classes, JIT, page
 * cache of the JVM) as a restarted process would. Prints {@code key=value} lines on stdout:
 *
 * <pre>
 *   java -cp lattice-bench.jar dev.lattice.bench.replica.ReopenProbe replica  FILE ID
 *   java -cp lattice-bench.jar dev.lattice.bench.replica.ReopenProbe raw-get  FILE ID
 *   java -cp lattice-bench.jar dev.lattice.bench.replica.ReopenProbe raw-scan FILE ID
 * </pre>
 */
public final class ReopenProbe {
  private ReopenProbe() {}

  public static void main(String[] args) {
    String kind = args[0];
    Path file = Path.of(args[1]);
    String id = args[2];
    long heapBefore = Env.heapUsedAfterGc();
    long t0 = System.nanoTime();
    long tOpen;
    long tFirst;
    long count = 1;
    boolean found;
    Object keepAlive;
    switch (kind) {
      case "replica" -> {
        Replica replica = Replica.open(file, ReplicaOptions.defaults());
        tOpen = System.nanoTime();
        Optional<Document> doc = replica.namespace("n").collection("c").get(id);
        tFirst = System.nanoTime();
        found = doc.isPresent();
        keepAlive = replica;
      }
      case "raw-get", "raw-scan" -> {
        MVStore store = WriteTargets.openRaw(file);
        MVMap<String, byte[]> map = WriteTargets.rawMap(store);
        tOpen = System.nanoTime();
        if (kind.equals("raw-get")) {
          found = map.get(id) != null;
        } else {
          long bytes = 0;
          count = 0;
          for (Iterator<Map.Entry<String, byte[]>> it = map.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, byte[]> e = it.next();
            bytes += e.getValue().length + e.getKey().length();
            count++;
          }
          found = bytes > 0 && map.get(id) != null;
        }
        tFirst = System.nanoTime();
        keepAlive = store;
      }
      default -> throw new IllegalArgumentException("unknown probe kind " + kind);
    }
    long heapAfter = Env.heapUsedAfterGc();
    System.out.println("open_ms=" + (tOpen - t0) / 1e6);
    System.out.println("first_ms=" + (tFirst - tOpen) / 1e6);
    System.out.println("total_ms=" + (tFirst - t0) / 1e6);
    System.out.println("heap_before=" + heapBefore);
    System.out.println("heap_after=" + heapAfter);
    System.out.println("found=" + (found ? 1 : 0));
    System.out.println("count=" + count);
    if (keepAlive instanceof Replica r) {
      r.close();
    } else if (keepAlive instanceof MVStore s) {
      s.close();
    }
  }
}
