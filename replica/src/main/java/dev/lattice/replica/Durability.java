package dev.lattice.replica;

/**
 * When a write returns, relative to storage. Writes of every mode are atomic: a crash never leaves
 * half a mutation on disk, and MVStore's background auto-commit is off so nothing is written
 * except at the commits below.
 */
public enum Durability {
  /**
   * Returns once the write is committed and forced to the device ({@code sync()}). Concurrent
   * writers share one commit and one sync (group commit), so throughput grows with concurrency.
   * Survives power loss.
   */
  SYNC,
  /**
   * Returns once the write is committed to the file, without forcing it to the device. Survives a
   * crash of the process (the operating system holds the write), not a power loss.
   */
  COMMIT,
  /**
   * Returns at once; a background commit follows within {@link ReplicaOptions#asyncCommitDelay}.
   * The receipt's {@code durable()} future completes at that commit. A crash loses at most that
   * window of writes, and never part of one.
   */
  ASYNC
}
