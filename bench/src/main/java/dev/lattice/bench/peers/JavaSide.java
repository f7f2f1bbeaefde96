package dev.lattice.bench.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A side of the comparison that runs in this JVM, on a fresh file per trial. */
interface JavaSide {
  /** The {@code system} param of its lines. */
  String system();

  /** Runs one trial of {@code step} writing into {@code file} (absent at the start), and closes it. */
  Step.Measured run(Step step, Step.Sizes sizes, PeersWorkload w, Path file) throws Exception;

  static long fileSize(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
