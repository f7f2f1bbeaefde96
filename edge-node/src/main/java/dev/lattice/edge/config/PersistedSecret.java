package dev.lattice.edge.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * A secret generated once and kept in a file of the data directory, readable by its owner only,
 * so that keys and tokens survive restarts without anyone having to invent one.
 *
 * <p>The file is written under a temporary name and moved into place without replacing, so a
 * crash never leaves half a secret, and of two processes racing to create it, both end up with the
 * one that won.
 */
public final class PersistedSecret {
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  private PersistedSecret() {}

  /**
   * The secret in {@code file}, creating it (and its directory) with {@code randomBytes} random
   * bytes, base64url without padding, prefixed by {@code prefix}, if it does not exist.
   *
   * @throws EdgeConfigException IO if the file cannot be read or written, or is empty
   */
  public static String readOrCreate(Path file, String prefix, int randomBytes, RandomGenerator random)
      throws EdgeConfigException {
    try {
      if (!Files.exists(file)) {
        byte[] raw = new byte[randomBytes];
        random.nextBytes(raw);
        String secret = prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp", ownerOnly(dir));
        try {
          Files.writeString(tmp, secret + "\n", StandardCharsets.UTF_8);
          publish(tmp, file);
        } catch (FileAlreadyExistsException lostTheRace) {
          // Another process created it first; its secret is the one.
        } finally {
          Files.deleteIfExists(tmp);
        }
      }
      String secret = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (secret.isEmpty()) {
        throw new EdgeConfigException(EdgeConfigException.Reason.IO, file.toString(), "",
            "the file is empty; delete it to have a new secret generated");
      }
      return secret;
    } catch (IOException e) {
      throw new EdgeConfigException(EdgeConfigException.Reason.IO, file.toString(), "", "cannot read or create: " + e, e);
    }
  }

  /** {@link #readOrCreate(Path, String, int, RandomGenerator)} with a {@link SecureRandom}. */
  public static String readOrCreate(Path file, String prefix, int randomBytes) throws EdgeConfigException {
    return readOrCreate(file, prefix, randomBytes, new SecureRandom());
  }

  /**
   * Puts the finished file in place unless one is already there. A hard link fails if the name
   * exists, atomically; a rename would silently replace the other process's secret, so it is only
   * the fallback for file systems without links.
   */
  private static void publish(Path tmp, Path file) throws IOException {
    try {
      Files.createLink(file, tmp);
    } catch (FileAlreadyExistsException exists) {
      throw exists;
    } catch (UnsupportedOperationException | java.nio.file.FileSystemException noLinks) {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  private static FileAttribute<?>[] ownerOnly(Path dir) {
    // Windows has no POSIX permissions; there the file inherits the directory's ACL.
    boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    return posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)} : new FileAttribute<?>[0];
  }
}
