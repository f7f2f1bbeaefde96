package dev.lattice.replica;

import java.util.function.Function;

/**
 * A namespace's two write-behind buffers (see {@link PendingWrites}): the one writers fill, and
 * the one being written into the maps by the commit in progress, if any.
 */
final class Staging {
  /** Filled by writers under the write lock; swapped by the committer under the write lock. */
  volatile PendingWrites current = new PendingWrites();
  /** Written into the maps by the committing thread; null between commits. */
  volatile PendingWrites committing;

  /** The first answer of {@code lookup} in the current buffer, then the committing one, or null. */
  <T> T find(Function<PendingWrites, T> lookup) {
    T found = lookup.apply(current);
    if (found != null) {
      return found;
    }
    PendingWrites c = committing;
    return c == null ? null : lookup.apply(c);
  }

  /** Whether {@code test} holds for the current buffer or the committing one. */
  boolean any(java.util.function.Predicate<PendingWrites> test) {
    if (test.test(current)) {
      return true;
    }
    PendingWrites c = committing;
    return c != null && test.test(c);
  }

  /** Swaps in an empty buffer and returns the full one; under the write lock. */
  PendingWrites swap() {
    PendingWrites full = current;
    committing = full;
    current = new PendingWrites();
    return full;
  }
}
