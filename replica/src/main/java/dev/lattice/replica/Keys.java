package dev.lattice.replica;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** How documents and dots are keyed in the MVStore maps. */
final class Keys {
  static final char SEPARATOR = '\0';

  private Keys() {}

  /** {@code collection \0 id}: one collection's documents are contiguous and sorted by id. */
  static String document(String collection, String id) {
    return collection + SEPARATOR + id;
  }

  static String collectionPrefix(String collection) {
    return collection + SEPARATOR;
  }

  static String idOf(String documentKey) {
    return documentKey.substring(documentKey.indexOf(SEPARATOR) + 1);
  }

  static String collectionOf(String documentKey) {
    return documentKey.substring(0, documentKey.indexOf(SEPARATOR));
  }

  static byte[] bytes(String documentKey) {
    return documentKey.getBytes(StandardCharsets.UTF_8);
  }

  /** 16 bytes, replica then seq, big-endian: unsigned byte order is replica then seq order. */
  static byte[] dot(Dot dot) {
    return dot(dot.replica().value(), dot.seq());
  }

  static byte[] dot(long replica, long seq) {
    return ByteBuffer.allocate(16).putLong(replica).putLong(seq).array();
  }

  static Dot dotOf(byte[] key) {
    ByteBuffer b = ByteBuffer.wrap(key);
    return new Dot(new ReplicaId(b.getLong()), b.getLong());
  }
}
