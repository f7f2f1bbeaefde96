package dev.lattice.edge.sync;

import dev.lattice.edge.EdgeMetrics;
import dev.lattice.replica.sync.SessionEvents;
import java.time.Duration;

/** A session's events, counted in the node's metrics under its namespace. */
final class MetricsEvents implements SessionEvents {
  private final EdgeMetrics metrics;
  private final String namespace;

  MetricsEvents(EdgeMetrics metrics, String namespace) {
    this.metrics = metrics;
    this.namespace = namespace;
  }

  @Override
  public void deltasIn(int received, int applied) {
    metrics.deltasIn(namespace, received);
  }

  @Override
  public void deltasOut(int sent) {
    metrics.deltasOut(namespace, sent);
  }

  @Override
  public void rejected(String code) {
    metrics.writeRejected(code);
  }

  @Override
  public void acked(long nanos) {
    metrics.ackLatency(Duration.ofNanos(nanos));
  }

  @Override
  public void repaired(int differing, boolean view) {
    metrics.repair(view ? "client" : "peer");
  }

  @Override
  public void skewRejected() {
    metrics.skewRejected();
  }
}
