package dev.lattice.bench.presence;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.SplittableRandom;

/**
 * One simulated member: a bare Vert.x WebSocket speaking the presence protocol by hand, on one
 * client event loop. It says {@code p-hello} with its own user token, joins the room, then sends
 * {@code p-set} every {@code 1000 / rate} ms with a state that carries the send time:
 * {@code {"x":..,"y":..,"ts":<µs>}}. On every {@code p-frame} it counts the frame and its bytes and,
 * for each entry of a non-snapshot frame, records {@code now - ts} (a snapshot re-sends old states,
 * so it says nothing about latency).
 *
 * <p>Frames are scanned for {@code "ts":} with {@link String#indexOf(String, int)} (a JIT intrinsic)
 * rather than parsed: the clients share the machine with the edge, and every cycle they spend is
 * one the edge does not get.
 */
final class BenchMember {
  /** Timestamps in µs since this class was loaded: positive, and comparable across clients of one JVM. */
  private static final long BASE = System.nanoTime();
  private static final String TS = "\"ts\":";
  /** The shortest distance from one entry's {@code "ts":} to the next one's: {@code }},{"id":"","user":"","clock":0,"state":{"ts":}. */
  private static final int MIN_ENTRY = 40;

  private final String credential;
  private final String room;
  private final long periodMillis;
  private final SplittableRandom random;
  private final RoomRun.Window window;
  private final LatencyHistogram latencies;
  final Promise<Void> joined = Promise.promise();
  private Context context;
  private WebSocket socket;
  private long timer = -1;
  private boolean welcomed;
  private boolean stopping;
  // Counters, written on this member's event loop only; read after stop() on the same loop.
  long frames;
  long bytes;
  long entries;
  /** Updates sent inside the window. */
  long sent;
  long errors;
  /** The edge closed the connection before the run ended (a slow consumer, a rate-limit excess). */
  boolean closedByEdge;
  String firstError;

  BenchMember(String credential, String room, int ratePerSecond, long seed, RoomRun.Window window,
      LatencyHistogram latencies) {
    this.credential = credential;
    this.room = room;
    this.periodMillis = Math.max(1, Math.round(1000.0 / ratePerSecond));
    this.random = new SplittableRandom(seed);
    this.window = window;
    this.latencies = latencies;
  }

  static long nowMicros() {
    return (System.nanoTime() - BASE) / 1000;
  }

  /** Connects, says hello, joins; {@link #joined} completes on the room's first snapshot. Call on {@code context}. */
  void connect(Context context, WebSocketClient client, int port, String path) {
    this.context = context;
    client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(path))
        .onFailure(joined::tryFail)
        .onSuccess(ws -> {
          socket = ws;
          ws.textMessageHandler(this::message);
          ws.closeHandler(v -> {
            closedByEdge |= !stopping;
            joined.tryFail("closed by the edge: " + ws.closeStatusCode() + " " + ws.closeReason());
          });
          ws.writeTextMessage("{\"t\":\"p-hello\",\"ns\":\"dev\",\"credential\":\"" + credential + "\"}");
        });
  }

  /** Starts the updates after {@code phaseMillis}, then every period. Call on the member's context. */
  void startUpdates(long phaseMillis) {
    timer = context.owner().setTimer(Math.max(1, phaseMillis), t -> {
      update();
      timer = context.owner().setPeriodic(periodMillis, p -> update());
    });
  }

  private void update() {
    if (socket == null || socket.isClosed()) {
      return;
    }
    if (window.contains(System.nanoTime())) {
      sent++;
    }
    socket.writeTextMessage("{\"t\":\"p-set\",\"room\":\"" + room + "\",\"state\":{\"x\":" + random.nextInt(4000)
        + ",\"y\":" + random.nextInt(3000) + ",\"ts\":" + nowMicros() + "}}");
  }

  /** Stops sending and closes the socket. Call on the member's context. */
  void stop() {
    stopping = true;
    if (timer >= 0) {
      context.owner().cancelTimer(timer);
    }
    if (socket != null && !socket.isClosed()) {
      socket.close();
    }
  }

  Context context() {
    return context;
  }

  private void message(String m) {
    long now = System.nanoTime();
    if (m.startsWith("{\"t\":\"p-frame\"")) {
      if (!joined.future().isComplete()) {
        joined.tryComplete();
        return; // the join's snapshot
      }
      boolean counted = window.contains(now);
      if (counted) {
        frames++;
        bytes += m.length(); // the edge sends ASCII here: user ids, member ids and numbers
      }
      if (isSnapshot(m)) {
        return;
      }
      long arrived = nowMicros();
      int n = m.length();
      for (int i = m.indexOf(TS); i >= 0; i = m.indexOf(TS, i + MIN_ENTRY)) {
        long ts = 0;
        for (int j = i + TS.length(); j < n; j++) {
          char c = m.charAt(j);
          if (c < '0' || c > '9') {
            break;
          }
          ts = ts * 10 + (c - '0');
        }
        if (counted) {
          entries++;
          if (window.containsMicros(ts)) {
            latencies.record(arrived - ts);
          }
        }
      }
    } else if (m.startsWith("{\"t\":\"p-welcome\"") && !welcomed) {
      welcomed = true;
      socket.writeTextMessage("{\"t\":\"p-join\",\"room\":\"" + room + "\",\"state\":{\"x\":0,\"y\":0,\"ts\":0}}");
    } else if (m.startsWith("{\"t\":\"p-error\"")) {
      errors++;
      if (firstError == null) {
        firstError = m;
      }
      if (!welcomed) {
        joined.tryFail("refused: " + firstError);
      }
    }
  }

  private static boolean isSnapshot(String m) {
    return m.endsWith("\"snapshot\":true}");
  }
}
