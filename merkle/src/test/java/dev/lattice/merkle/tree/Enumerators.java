package dev.lattice.merkle.tree;

import dev.lattice.merkle.MerkleCodecException;
import dev.lattice.merkle.MerkleConfig;
import dev.lattice.merkle.Digests;
import dev.lattice.merkle.NodeKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.LongPredicate;

/** The two ways a replica may answer an {@link Enumerator}, over in-memory maps, with a log. */
public final class Enumerators {
  private Enumerators() {}

  /** Every call: the partition and its prefixes. */
  public static final class Counting implements Enumerator {
    private final Enumerator inner;
    public final List<List<NodeKey>> calls = new ArrayList<>();

    public Counting(Enumerator inner) {
      this.inner = inner;
    }

    @Override
    public void enumerate(byte[] partition, List<NodeKey> prefixes,
        BiConsumer<byte[], byte[]> sink) {
      calls.add(prefixes);
      inner.enumerate(partition, prefixes, sink);
    }
  }

  /** Scans the partition's documents in key order, keeping those under the prefixes. */
  public static Enumerator scanning(MerkleConfig config, TreeMap<byte[], byte[]> documents) {
    TreeMap<byte[], byte[]> copy = new TreeMap<>(Arrays::compareUnsigned);
    copy.putAll(documents);
    return (partition, prefixes, sink) -> {
      LongPredicate under = Enumerator.filter(prefixes);
      for (Map.Entry<byte[], byte[]> e : copy.tailMap(partition, true).entrySet()) {
        byte[] key = e.getKey();
        if (!Arrays.equals(key, 0, Math.min(key.length, partition.length), partition, 0,
            partition.length) || key.length < partition.length) {
          break;
        }
        if (config.partitioner().partitionLength(key) == partition.length
            && under.test(Digests.keyHash(key))) {
          sink.accept(key, e.getValue());
        }
      }
    };
  }

  /** Range scans of a map in {@link HashOrderedKey} order. */
  public static Enumerator hashOrdered(MerkleConfig config, Map<byte[], byte[]> documents) {
    TreeMap<byte[], byte[]> ordered = new TreeMap<>(Arrays::compareUnsigned);
    documents.forEach((k, v) -> ordered.put(HashOrderedKey.of(config, k), v));
    return (partition, prefixes, sink) -> {
      for (NodeKey p : prefixes) {
        for (Map.Entry<byte[], byte[]> e : ordered.subMap(HashOrderedKey.from(p), true,
            HashOrderedKey.to(p), false).entrySet()) {
          try {
            sink.accept(HashOrderedKey.documentKey(e.getKey()), e.getValue());
          } catch (MerkleCodecException ex) {
            throw new AssertionError(ex);
          }
        }
      }
    };
  }
}
