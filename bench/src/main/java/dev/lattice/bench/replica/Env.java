package dev.lattice.bench.replica;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/** Shared workload pieces: ids, 100-byte values, files, heap. */
final class Env {
  /** The value size every section writes, replica and raw MVStore alike. */
  static final int VALUE_BYTES = 100;
  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();

  private Env() {}

  static String id(long i) {
    return String.format("d%09d", i);
  }

  /** A pool of distinct 100-character ASCII strings (100 bytes in UTF-8), drawn from a seed. */
  static String[] stringValues(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    String[] out = new String[count];
    char[] buf = new char[VALUE_BYTES];
    for (int i = 0; i < count; i++) {
      for (int j = 0; j < VALUE_BYTES; j++) {
        buf[j] = ALPHABET[random.nextInt(ALPHABET.length)];
      }
      out[i] = new String(buf);
    }
    return out;
  }

  static byte[][] byteValues(String[] strings) {
    byte[][] out = new byte[strings.length][];
    for (int i = 0; i < strings.length; i++) {
      out[i] = strings[i].getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
    return out;
  }

  static long size(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Heap in use after two full collections: what the live objects take. */
  static long heapUsedAfterGc() {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 2; i++) {
      System.gc();
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return rt.totalMemory() - rt.freeMemory();
  }

  static void deleteRecursively(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteFile(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static double mib(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }
}
