package dev.lattice.replica.crash;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * One child JVM running {@link CrashWriter}: started with this JVM's java binary and (a snapshot
 * of) its test class path, its stdout read line by line on a thread of its own, its stderr kept in a file for failure
 * messages. {@link #kill()} sends SIGKILL ({@link Process#destroyForcibly()} on Linux) and returns
 * every line the child wrote before it died.
 *
 * <p>Only {@link #kill()} ends a child; {@link #close()} makes sure none outlives a failed test.
 */
final class ChildRun implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final Process process;
  private final Path stderr;
  private final List<String> lines = new ArrayList<>();
  private final AtomicInteger acks = new AtomicInteger();
  private volatile boolean booted;
  private final Thread reader;
  private volatile IOException readFailure;

  private ChildRun(Process process, Path stderr) {
    this.process = process;
    this.stderr = stderr;
    this.reader = new Thread(this::readAll, "crash-child-stdout");
    this.reader.setDaemon(true);
    this.reader.start();
  }

  /**
   * A copy of this JVM's class path in which every directory (compiled classes) is snapshotted
   * into {@code into}; jars are kept as they are. Children then run exactly the bytes the parent
   * loaded, even if a build in the same tree rewrites or cleans {@code target/} meanwhile.
   */
  static String snapshotClassPath(Path into) throws IOException {
    List<String> entries = new ArrayList<>();
    String[] original = System.getProperty("java.class.path").split(File.pathSeparator);
    for (int i = 0; i < original.length; i++) {
      Path entry = Path.of(original[i]);
      if (!Files.isDirectory(entry)) {
        entries.add(original[i]);
        continue;
      }
      Path copy = into.resolve(Integer.toString(i));
      try (Stream<Path> files = Files.walk(entry)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Path target = copy.resolve(entry.relativize(f).toString());
          if (Files.isDirectory(f)) {
            Files.createDirectories(target);
          } else {
            Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
      entries.add(copy.toString());
    }
    return String.join(File.pathSeparator, entries);
  }

  static ChildRun start(String classPath, Path replicaFile, long seed, int cycle, int threads, boolean uplink,
      Path workDir) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path stderr = workDir.resolve("child-" + seed + "-" + cycle + ".err");
    List<String> command = List.of(java.toString(),
        "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", classPath,
        CrashWriter.class.getName(),
        replicaFile.toString(), Long.toString(seed), Integer.toString(cycle), Integer.toString(threads),
        Boolean.toString(uplink));
    Process p = new ProcessBuilder(command).redirectError(stderr.toFile())
        .redirectInput(ProcessBuilder.Redirect.PIPE).start();
    return new ChildRun(p, stderr);
  }

  private void readAll() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))) {
      String line;
      while ((line = r.readLine()) != null) {
        synchronized (lines) {
          lines.add(line);
        }
        if (line.startsWith("ACK ")) {
          acks.incrementAndGet();
        } else if (line.equals("BOOT")) {
          booted = true;
        }
      }
    } catch (IOException e) {
      readFailure = e;
    }
  }

  /** Waits until the child is about to open the replica, or has died on its own (then throws). */
  void awaitBoot() {
    await("BOOT from the child").atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(2))
        .until(() -> booted || !process.isAlive());
    ensureAlive();
  }

  /** Waits until the child has acknowledged a write, or has died on its own (then throws). */
  void awaitFirstAck() {
    await("first ACK from the child").atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(5))
        .until(() -> acks.get() > 0 || !process.isAlive());
    ensureAlive();
  }

  /** Throws, with the child's stderr, if it exited by itself: it only ever stops by being killed. */
  void ensureAlive() {
    if (!process.isAlive()) {
      throw new AssertionError("the child exited by itself with code " + process.exitValue()
          + "; last lines: " + tail(5) + "\nchild stderr:\n" + stderr());
    }
  }

  /**
   * Sends SIGKILL, waits for the child to die and for its stdout to reach EOF.
   *
   * @return every complete line the child wrote
   */
  List<String> kill() throws InterruptedException {
    // SIGKILL through the handle: Process.destroyForcibly() would also close our end of the
    // child's stdout, losing the lines still in the pipe (and failing the reader with "Stream
    // closed"), yet those lines are writes the child saw return.
    process.toHandle().destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("child did not die within 30 s of SIGKILL");
    }
    reader.join(TimeUnit.SECONDS.toMillis(30));
    if (reader.isAlive()) {
      throw new AssertionError("child's stdout did not reach EOF within 30 s of its death");
    }
    if (readFailure != null) {
      throw new AssertionError("reading the child's stdout failed", readFailure);
    }
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  int exitValue() {
    return process.exitValue();
  }

  List<String> tail(int n) {
    synchronized (lines) {
      return List.copyOf(lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }
  }

  String stderr() {
    try {
      String s = Files.exists(stderr) ? Files.readString(stderr, StandardCharsets.UTF_8) : "";
      return s.length() > 8000 ? "..." + s.substring(s.length() - 8000) : s;
    } catch (IOException e) {
      return "(cannot read " + stderr + ": " + e + ")";
    }
  }

  /** Never leaves a child behind, whatever the test did. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
