package dev.lattice.merkle.store;

import dev.lattice.merkle.MerkleCodecException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.TreeMap;

/**
 * A node store over any ordered map of byte arrays, with keys and nodes in their
 * {@link NodeCodec} forms. This is the form {@code replica/} uses inside MVStore: an
 * {@code MVMap<byte[], byte[]>} (whose byte-array key type orders unsigned) gives the four methods
 * of {@link ByteMap} directly.
 */
public final class SortedBytesNodeStore implements NodeStore {

  /** The ordered byte map underneath; keys compare unsigned lexicographically. */
  public interface ByteMap {
    byte[] get(byte[] key);

    void put(byte[] key, byte[] value);

    void remove(byte[] key);

    /** The least key {@code >= key}, or null. */
    byte[] ceilingKey(byte[] key);

    boolean isEmpty();
  }

  /** Thrown when a stored node does not decode: the store is corrupt. */
  public static final class CorruptStoreException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    CorruptStoreException(String message, MerkleCodecException cause) {
      super(message, cause);
    }
  }

  private final ByteMap map;

  public SortedBytesNodeStore(ByteMap map) {
    this.map = map;
  }

  /** A store over a fresh {@link TreeMap}, for tests of the byte path. */
  public static SortedBytesNodeStore inTreeMap() {
    TreeMap<byte[], byte[]> m = new TreeMap<>(Arrays::compareUnsigned);
    return new SortedBytesNodeStore(new ByteMap() {
      @Override
      public byte[] get(byte[] key) {
        return m.get(key);
      }

      @Override
      public void put(byte[] key, byte[] value) {
        m.put(key, value);
      }

      @Override
      public void remove(byte[] key) {
        m.remove(key);
      }

      @Override
      public byte[] ceilingKey(byte[] key) {
        return m.ceilingKey(key);
      }

      @Override
      public boolean isEmpty() {
        return m.isEmpty();
      }
    });
  }

  @Override
  public Node get(NodeKey key) {
    byte[] k = NodeCodec.encodeKey(key);
    byte[] v = map.get(k);
    if (v == null) {
      return null;
    }
    try {
      return NodeCodec.decode(v);
    } catch (MerkleCodecException e) {
      throw new CorruptStoreException("stored node " + key + " does not decode", e);
    }
  }

  @Override
  public void put(NodeKey key, Node node) {
    map.put(NodeCodec.encodeKey(key), NodeCodec.encode(node));
  }

  @Override
  public void remove(NodeKey key) {
    map.remove(NodeCodec.encodeKey(key));
  }

  @Override
  public Iterator<byte[]> partitionsFrom(byte[] fromInclusive) {
    return new Iterator<>() {
      // Every node of a partition sorts between its lower and upper bound, and a partition has
      // nodes only while it has a root, so jumping bound to bound visits each partition once.
      private byte[] cursor = NodeCodec.partitionLowerBound(fromInclusive);
      private byte[] next = advance();

      private byte[] advance() {
        byte[] k = map.ceilingKey(cursor);
        if (k == null) {
          return null;
        }
        try {
          byte[] partition = NodeCodec.decodeKey(k).partitionRef();
          cursor = NodeCodec.partitionUpperBound(partition);
          return partition;
        } catch (MerkleCodecException e) {
          throw new CorruptStoreException("stored node key does not decode", e);
        }
      }

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public byte[] next() {
        if (next == null) {
          throw new NoSuchElementException();
        }
        byte[] out = next;
        next = advance();
        return out;
      }
    };
  }

  @Override
  public boolean isEmpty() {
    return map.isEmpty();
  }

}
