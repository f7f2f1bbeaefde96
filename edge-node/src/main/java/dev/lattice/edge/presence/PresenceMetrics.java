package dev.lattice.edge.presence;

import dev.lattice.presence.PresenceException.Reason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The presence channel's meters, on the node's registry (so {@code /metrics} shows them). Kept here
 * rather than in {@link dev.lattice.edge.EdgeMetrics}, which has no generic hook for another
 * channel's meters; names follow its scheme ({@code lattice_presence_*} in Prometheus).
 *
 * <p>Gauges read atomics the hub's context writes after each change, never the hub itself (it is
 * confined to that context). Thread-safe.
 */
final class PresenceMetrics {
  static final String CONNECTIONS = "lattice.presence.connections";
  static final String MEMBERS = "lattice.presence.members";
  static final String FRAMES_OUT = "lattice.presence.frames.out";
  static final String BYTES_OUT = "lattice.presence.bytes.out";
  static final String MESSAGES_IN = "lattice.presence.messages.in";
  static final String REFUSED = "lattice.presence.refused";
  static final String RATE_LIMITED = "lattice.presence.rate.limited";
  static final String TICKS = "lattice.presence.tick";

  final AtomicInteger connections = new AtomicInteger();
  final AtomicInteger members = new AtomicInteger();
  private final MeterRegistry registry;
  private final Counter framesOut;
  private final Counter bytesOut;
  private final Counter memberRateLimited;
  private final Counter connectionRateLimited;
  private final Map<Reason, Counter> refused = new EnumMap<>(Reason.class);
  private final Timer ticks;

  PresenceMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder(CONNECTIONS, connections, AtomicInteger::get)
        .description("Presence connections past p-welcome").register(registry);
    Gauge.builder(MEMBERS, members, AtomicInteger::get)
        .description("Room memberships over all presence rooms").register(registry);
    framesOut = Counter.builder(FRAMES_OUT).description("p-frame messages sent").register(registry);
    bytesOut = Counter.builder(BYTES_OUT).baseUnit("bytes").description("Bytes of p-frame messages sent (UTF-8)")
        .register(registry);
    memberRateLimited = Counter.builder(RATE_LIMITED).tag("scope", "member")
        .description("Presence messages dropped by a rate limit: per member (the hub's) or per connection (the"
            + " socket guard's)").register(registry);
    connectionRateLimited = Counter.builder(RATE_LIMITED).tag("scope", "connection")
        .description("Presence messages dropped by a rate limit: per member (the hub's) or per connection (the"
            + " socket guard's)").register(registry);
    for (Reason r : Reason.values()) {
      refused.put(r, Counter.builder(REFUSED).tag("code", r.code())
          .description("p-error messages sent, by code").register(registry));
    }
    ticks = Timer.builder(TICKS).description("Hub ticks with something to send: expiry, coalescing and encoding")
        .register(registry);
  }

  void messageIn(String type) {
    registry.counter(MESSAGES_IN, "type", type).increment();
  }

  void frameOut(long bytes) {
    framesOut.increment();
    bytesOut.increment(bytes);
  }

  void refused(Reason reason) {
    refused.get(reason).increment();
  }

  void memberRateLimited() {
    memberRateLimited.increment();
  }

  void connectionRateLimited() {
    connectionRateLimited.increment();
  }

  Timer ticks() {
    return ticks;
  }
}
