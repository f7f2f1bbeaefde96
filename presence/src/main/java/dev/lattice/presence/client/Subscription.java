package dev.lattice.presence.client;

/** Stops a listener; closing twice is harmless. */
@FunctionalInterface
public interface Subscription extends AutoCloseable {
  @Override
  void close();
}
