package dev.lattice.merkle;

import dev.lattice.merkle.internal.Bytes;
import org.bouncycastle.crypto.digests.Blake3Digest;

/**
 * The two hashes of the Merkle tree (PROTOCOL.md §7.1), both BLAKE3-256 from Bouncy Castle:
 *
 * <ul>
 *   <li>{@link #keyHash}: where a key sits. The first 8 bytes, big-endian, of
 *       BLAKE3({@code 'K'} ‖ key); its 16 hex digits are the key's path in the trie.
 *   <li>{@link #element}: what a document contributes. BLAKE3({@code 'E'} ‖ varint(key length) ‖
 *       key ‖ value), where value is the canonical encoding of the document as a reader sees it.
 *       Binding the key into the element means an additive sum over elements (see
 *       {@link dev.lattice.merkle.tree.DigestBuckets}) cannot confuse "document a holds x" with
 *       "document b holds x". The tag byte keeps the two inputs apart from each other and from
 *       any future hashed form (domain separation).
 * </ul>
 *
 * <p>Thread-safe: each thread reuses its own digest object.
 */
public final class Digests {
  /** Length of an element digest and of a node digest. */
  public static final int LENGTH = 32;
  private static final byte TAG_KEY = 'K';
  private static final byte TAG_ELEMENT = 'E';

  /** One digest object and scratch buffer per thread; BLAKE3 state is ~1 KB, worth reusing. */
  private static final ThreadLocal<Hasher> HASHER = ThreadLocal.withInitial(Hasher::new);

  private Digests() {}

  /**
   * First 64 bits of BLAKE3('K' ‖ key): the key's place in the trie.
   *
   * @throws MerkleIndexException KEY_LENGTH if the key is empty or longer than
   *     {@link MerkleConfig#MAX_KEY_LENGTH}
   */
  public static long keyHash(byte[] key) {
    checkKey(key);
    return HASHER.get().keyHash(key);
  }

  /**
   * The element digest of one document: BLAKE3-256('E' ‖ varint(key length) ‖ key ‖ value).
   *
   * @param value the canonical encoding of the document's visible form
   * @throws MerkleIndexException KEY_LENGTH for an empty or over-long key
   */
  public static byte[] element(byte[] key, byte[] value) {
    return element(key, value, 0, value.length);
  }

  /** {@link #element(byte[], byte[])} over {@code value[offset, offset + length)}. */
  public static byte[] element(byte[] key, byte[] value, int offset, int length) {
    checkKey(key);
    return HASHER.get().element(key, value, offset, length);
  }

  static void checkKey(byte[] key) {
    if (key.length == 0 || key.length > MerkleConfig.MAX_KEY_LENGTH) {
      throw new MerkleIndexException(MerkleIndexException.Reason.KEY_LENGTH,
          "key length " + key.length + " outside [1, " + MerkleConfig.MAX_KEY_LENGTH + "]: "
              + Bytes.hex(key));
    }
  }

  private static final class Hasher {
    private final Blake3Digest digest = new Blake3Digest(LENGTH * 8);
    private final byte[] out = new byte[LENGTH];
    private final byte[] scratch = new byte[5];

    long keyHash(byte[] key) {
      digest.update(TAG_KEY);
      digest.update(key, 0, key.length);
      digest.doFinal(out, 0);
      long h = 0;
      for (int i = 0; i < 8; i++) {
        h = (h << 8) | (out[i] & 0xFF);
      }
      return h;
    }

    byte[] element(byte[] key, byte[] value, int offset, int length) {
      digest.update(TAG_ELEMENT);
      int v = key.length;
      int n = 0;
      while ((v & ~0x7F) != 0) {
        scratch[n++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      scratch[n++] = (byte) v;
      digest.update(scratch, 0, n);
      digest.update(key, 0, key.length);
      digest.update(value, offset, length);
      byte[] r = new byte[LENGTH];
      digest.doFinal(r, 0);
      return r;
    }
  }
}
