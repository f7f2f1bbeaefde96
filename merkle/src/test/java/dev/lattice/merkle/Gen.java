package dev.lattice.merkle;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

/** Random keys in the replica layout {@code collection \0 id} and 32-byte element digests. */
public final class Gen {
  /** Collection names; "" stands for keys without a separator (the empty partition). */
  public static final List<String> COLLECTIONS = List.of("users", "posts", "u", "usersX", "");

  private Gen() {}

  public static TreeMap<byte[], byte[]> newMap() {
    return new TreeMap<>(Arrays::compareUnsigned);
  }

  public static byte[] key(SplittableRandom rng, int collections) {
    String c = COLLECTIONS.get(rng.nextInt(Math.max(1, Math.min(collections, COLLECTIONS.size()))));
    int idLength = 1 + rng.nextInt(rng.nextInt(8) == 0 ? 40 : 12);
    byte[] id = new byte[idLength];
    rng.nextBytes(id);
    if (c.isEmpty()) {
      for (int i = 0; i < id.length; i++) {
        if (id[i] == 0) {
          id[i] = 1; // no separator: stays in the empty partition
        }
      }
      return id;
    }
    byte[] name = c.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] key = Arrays.copyOf(name, name.length + 1 + id.length);
    System.arraycopy(id, 0, key, name.length + 1, id.length);
    return key;
  }

  /** A 32-byte element digest. */
  public static byte[] element(SplittableRandom rng) {
    byte[] d = new byte[32];
    rng.nextBytes(d);
    return d;
  }

  /** A 32-byte element digest other than {@code old}. */
  public static byte[] otherElement(SplittableRandom rng, byte[] old) {
    byte[] d;
    do {
      d = element(rng);
    } while (Arrays.equals(d, old));
    return d;
  }
}
