package dev.lattice.replica;

/**
 * Told which documents changed. Calls are coalesced: while a call is pending or running, further
 * changes gather into the next one, so a burst of remote changes yields at most two calls. Calls
 * for one listener never overlap and come from the replica's notifier thread; a listener that
 * throws is logged and stays registered.
 */
@FunctionalInterface
public interface ChangeListener {
  void onChange(ChangeBatch changes);
}
