package dev.lattice.replica;

import dev.lattice.replica.log.Delta;

/** Told when an upstream rejects a queued local write for good; the write has left the queue. */
@FunctionalInterface
public interface RejectionListener {
  void onRejected(Delta write, String code, String message);
}
