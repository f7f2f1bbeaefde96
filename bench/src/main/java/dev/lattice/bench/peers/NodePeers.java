package dev.lattice.bench.peers;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Node side of the suite: {@code bench/peers/peers.mjs} in serve mode, one process for the whole
 * run, so Yjs and Automerge stay warm between the trials that the suite interleaves with its own.
 * Installs {@code node_modules} with {@code npm ci} (the committed lock file) when it is missing.
 * The script's progress goes to this process's stderr; its stdout carries only JSON lines.
 */
final class NodePeers implements AutoCloseable {
  private final Process process;
  private final BufferedWriter commands;
  private final BufferedReader replies;

  private NodePeers(Process process) {
    this.process = process;
    this.commands = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
    this.replies = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /**
   * Starts the script in {@code dir} with the workload's parameters ({@code --keys} ...).
   *
   * @throws IOException if {@code npm ci} fails or node cannot be started
   */
  static NodePeers start(Path dir, String node, List<String> args) throws IOException, InterruptedException {
    if (!Files.isRegularFile(dir.resolve("peers.mjs"))) {
      throw new IOException("no peers.mjs in " + dir + " (give the directory with --peers-dir)");
    }
    if (!Files.isDirectory(dir.resolve("node_modules"))) {
      System.err.println("peers: node_modules missing; running npm ci in " + dir);
      Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(dir.toFile())
          .redirectErrorStream(true).start();
      npm.getOutputStream().close();
      try (BufferedReader r = new BufferedReader(new InputStreamReader(npm.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          System.err.println("npm: " + line);
        }
      }
      if (npm.waitFor() != 0) {
        throw new IOException("npm ci failed in " + dir + " (exit " + npm.exitValue() + ")");
      }
    }
    List<String> cmd = new ArrayList<>(List.of(node, "--expose-gc", "--max-old-space-size=4096", "peers.mjs",
        "--serve", "true"));
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).directory(dir.toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    NodePeers peers = new NodePeers(p);
    peers.checkPins(dir);
    return peers;
  }

  /**
   * Sends one command and returns its result lines.
   *
   * @throws IOException if the script exits or writes something that is not a result line
   */
  List<ResultLine> call(Map<String, Object> command) throws IOException {
    commands.write(NodeOutput.JSON.writeValueAsString(command));
    commands.newLine();
    commands.flush();
    List<ResultLine> out = new ArrayList<>();
    for (String line; (line = replies.readLine()) != null; ) {
      NodeOutput o;
      try {
        o = NodeOutput.parse(line);
      } catch (IllegalArgumentException e) {
        throw new IOException(e.getMessage(), e);
      }
      if (o instanceof NodeOutput.Done) {
        return out;
      }
      out.add(((NodeOutput.Result) o).line());
    }
    throw new IOException("the Node script exited during " + command + " (exit " + exitCode() + "; see stderr)");
  }

  /** The versions the script reports must be those package.json pins (a stale node_modules is refused). */
  private void checkPins(Path dir) throws IOException {
    JsonNode pins = NodeOutput.JSON.readTree(dir.resolve("package.json").toFile()).get("dependencies");
    for (ResultLine l : call(Map.of("cmd", "versions"))) {
      for (String pkg : List.of("yjs", "@automerge/automerge")) {
        String want = pins.get(pkg).asText();
        Object got = l.params().get(pkg);
        if (!want.equals(got)) {
          throw new IOException(pkg + " " + got + " is installed in " + dir + "/node_modules but package.json pins "
              + want + "; run npm ci there");
        }
      }
    }
  }

  private String exitCode() {
    try {
      return process.waitFor(5, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "still running";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  @Override
  public void close() {
    try {
      commands.close(); // end of stdin: the script's read loop ends and it exits
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroy();
      }
    } catch (IOException e) {
      process.destroy();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroy();
    }
  }
}
