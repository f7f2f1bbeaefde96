package dev.lattice.merkle.store;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeSet;

/** Nodes as objects in a hash map, partitions in a sorted set. Not thread-safe. */
public final class InMemoryNodeStore implements NodeStore {
  private final Map<NodeKey, Node> nodes = new HashMap<>();
  private final TreeSet<byte[]> partitions = new TreeSet<>(Arrays::compareUnsigned);

  @Override
  public Node get(NodeKey key) {
    return nodes.get(key);
  }

  @Override
  public void put(NodeKey key, Node node) {
    if (nodes.put(key, node) == null && key.depth() == 0) {
      partitions.add(key.partition());
    }
  }

  @Override
  public void remove(NodeKey key) {
    if (nodes.remove(key) != null && key.depth() == 0) {
      partitions.remove(key.partitionRef());
    }
  }

  @Override
  public Iterator<byte[]> partitionsFrom(byte[] fromInclusive) {
    return partitions.tailSet(fromInclusive, true).stream().map(byte[]::clone).iterator();
  }

  @Override
  public boolean isEmpty() {
    return nodes.isEmpty();
  }

  /** Number of stored nodes, for tests. */
  public int nodeCount() {
    return nodes.size();
  }
}
