package dev.lattice.edge.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code lattice} command: {@code java -jar lattice.jar <subcommand>}. Each subcommand is its
 * own class; add one by listing it below.
 */
@Command(name = "lattice", mixinStandardHelpOptions = true, version = "lattice 0.1.0",
    description = "Lattice: an edge-replicated CRDT store with delta sync.",
    subcommands = {EdgeCommand.class, PutCommand.class, GetCommand.class, ImportCommand.class, WatchCommand.class,
        CommandLine.HelpCommand.class})
public final class LatticeCli implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line and returns its exit code (0 ok, 1 failed, 2 bad usage). */
  public static int execute(String... args) {
    return new CommandLine(new LatticeCli()).execute(args);
  }

  /** Without a subcommand: the usage. */
  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
