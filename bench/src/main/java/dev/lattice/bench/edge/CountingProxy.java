package dev.lattice.bench.edge;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP proxy in front of an edge that counts every byte each way (HTTP upgrade and
 * WebSocket framing included: what a network would carry) and traces the WebSocket messages that
 * pass (direction, time, payload and wire length, and the protocol message type read from the
 * first bytes of the CBOR or JSON payload). It can also cut the link: {@link #partition()} closes
 * the open connections and holds new ones (accepted, not read, not forwarded) until
 * {@link #heal()}, so a reconnecting peer waits on the TCP connection instead of backing off.
 */
final class CountingProxy implements AutoCloseable {
  /** One WebSocket message (or control frame) seen by the proxy; {@code up} is client to server. */
  record Msg(long nanos, boolean up, int opcode, String type, long payload, long wire, String detail) {}

  private final Vertx vertx;
  private final int target;
  private NetServer server;
  private NetClient client;
  private volatile boolean partitioned;
  private final List<NetSocket[]> live = new CopyOnWriteArrayList<>();
  private final List<NetSocket> held = new CopyOnWriteArrayList<>();
  private final AtomicLong up = new AtomicLong();
  private final AtomicLong down = new AtomicLong();
  private final AtomicLong connections = new AtomicLong();
  private final ConcurrentLinkedQueue<Msg> trace = new ConcurrentLinkedQueue<>();

  CountingProxy(Vertx vertx, int target) {
    this.vertx = vertx;
    this.target = target;
  }

  int start() throws Exception {
    client = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true));
    server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0).setTcpNoDelay(true));
    server.connectHandler(this::accepted);
    return EdgeHandle.await(server.listen()).actualPort();
  }

  int port() {
    return server.actualPort();
  }

  private void accepted(NetSocket in) {
    in.pause();
    if (partitioned) {
      held.add(in);
      in.closeHandler(v -> held.remove(in));
      return;
    }
    link(in);
  }

  private void link(NetSocket in) {
    connections.incrementAndGet();
    client.connect(target, "127.0.0.1").onComplete(ar -> {
      if (ar.failed()) {
        in.close();
        return;
      }
      NetSocket out = ar.result();
      NetSocket[] pair = {in, out};
      live.add(pair);
      pipe(in, out, true, pair);
      pipe(out, in, false, pair);
      in.resume();
    });
  }

  private void pipe(NetSocket src, NetSocket dst, boolean upward, NetSocket[] pair) {
    Tracer tracer = new Tracer(upward);
    AtomicLong counter = upward ? up : down;
    src.handler(buf -> {
      counter.addAndGet(buf.length());
      tracer.feed(buf);
      dst.write(buf);
      if (dst.writeQueueFull()) {
        src.pause();
        dst.drainHandler(v -> src.resume());
      }
    });
    src.closeHandler(v -> {
      live.remove(pair);
      dst.close();
    });
  }

  /** Closes every forwarded connection and holds new ones until {@link #heal()}. */
  void partition() {
    partitioned = true;
    for (NetSocket[] p : live) {
      p[0].close();
      p[1].close();
    }
  }

  /** Forwards the held connections (and all new ones) from now on. */
  void heal() {
    partitioned = false;
    for (NetSocket in : held) {
      held.remove(in);
      in.closeHandler(null);
      link(in);
    }
  }

  int heldConnections() {
    return held.size();
  }

  void reset() {
    up.set(0);
    down.set(0);
    connections.set(0);
    trace.clear();
  }

  long bytesUp() {
    return up.get();
  }

  long bytesDown() {
    return down.get();
  }

  /** Connections forwarded to the target since the last {@link #reset()}. */
  long connections() {
    return connections.get();
  }

  /** The messages seen since the last {@link #reset()}, by time. */
  List<Msg> trace() {
    List<Msg> out = new ArrayList<>(trace);
    out.sort(Comparator.comparingLong(Msg::nanos));
    return out;
  }

  @Override
  public void close() throws Exception {
    partition();
    for (NetSocket in : held) {
      in.close();
    }
    EdgeHandle.await(server.close());
    EdgeHandle.await(client.close());
  }

  /** Follows one direction of one connection: skips the HTTP upgrade, then parses WebSocket frames. */
  private final class Tracer {
    private static final int PREFIX = 256;
    private final boolean upward;
    private boolean httpDone;
    private int crlf;
    private final byte[] header = new byte[14];
    private int headerFill;
    private int headerNeed = 2;
    private long remaining = -1;
    private byte[] maskKey;
    private long maskPos;
    // the message being assembled (data frames) and the current frame
    private int frameOpcode;
    private boolean frameFin;
    private int msgOpcode = -1;
    private long msgPayload;
    private long msgWire;
    private final byte[] prefix = new byte[PREFIX];
    private int prefixFill;
    private long frameWire;

    Tracer(boolean upward) {
      this.upward = upward;
    }

    void feed(Buffer buf) {
      int i = 0;
      int n = buf.length();
      while (i < n) {
        if (!httpDone) {
          byte b = buf.getByte(i++);
          boolean next = (b == '\r' && (crlf == 0 || crlf == 2)) || (b == '\n' && (crlf == 1 || crlf == 3));
          crlf = next ? crlf + 1 : (b == '\r' ? 1 : 0);
          if (crlf == 4) {
            httpDone = true;
          }
          continue;
        }
        if (remaining < 0) {
          header[headerFill++] = buf.getByte(i++);
          if (headerFill == 2) {
            int len7 = header[1] & 0x7F;
            boolean masked = (header[1] & 0x80) != 0;
            headerNeed = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (masked ? 4 : 0);
          }
          if (headerFill == headerNeed) {
            startFrame();
          }
          continue;
        }
        int take = (int) Math.min(remaining, n - i);
        if (frameOpcode < 8 && msgOpcode >= 0 && prefixFill < PREFIX) {
          int copy = Math.min(take, PREFIX - prefixFill);
          for (int k = 0; k < copy; k++) {
            byte b = buf.getByte(i + k);
            if (maskKey != null) {
              b ^= maskKey[(int) ((maskPos + k) & 3)];
            }
            prefix[prefixFill++] = b;
          }
        }
        maskPos += take;
        remaining -= take;
        i += take;
        if (remaining == 0) {
          endFrame();
        }
      }
    }

    private void startFrame() {
      frameFin = (header[0] & 0x80) != 0;
      frameOpcode = header[0] & 0x0F;
      int len7 = header[1] & 0x7F;
      long len;
      int pos = 2;
      if (len7 == 126) {
        len = ((header[2] & 0xFFL) << 8) | (header[3] & 0xFFL);
        pos = 4;
      } else if (len7 == 127) {
        len = 0;
        for (int k = 0; k < 8; k++) {
          len = (len << 8) | (header[2 + k] & 0xFFL);
        }
        pos = 10;
      } else {
        len = len7;
      }
      if ((header[1] & 0x80) != 0) {
        maskKey = new byte[] {header[pos], header[pos + 1], header[pos + 2], header[pos + 3]};
      } else {
        maskKey = null;
      }
      maskPos = 0;
      frameWire = headerNeed + len;
      if (frameOpcode >= 8) {
        // control frame: its own message; does not disturb a fragmented data message
        trace.add(new Msg(System.nanoTime(), upward, frameOpcode, controlName(frameOpcode), len, frameWire, null));
        skipControl(len);
        return;
      }
      if (frameOpcode != 0) {
        msgOpcode = frameOpcode;
        msgPayload = 0;
        msgWire = 0;
        prefixFill = 0;
      }
      msgPayload += len;
      msgWire += frameWire;
      remaining = len;
      headerFill = 0;
      headerNeed = 2;
      if (len == 0) {
        endFrame();
      }
    }

    private void skipControl(long len) {
      // control payloads are tiny; skip them as a pseudo frame that is not recorded
      remaining = len;
      headerFill = 0;
      headerNeed = 2;
      frameOpcode = 0x100;
      if (len == 0) {
        endFrame();
      }
    }

    private void endFrame() {
      remaining = -1;
      headerFill = 0;
      headerNeed = 2;
      if (frameOpcode == 0x100) {
        return;
      }
      if (frameFin && msgOpcode >= 0) {
        String type = typeOf(msgOpcode, prefix, prefixFill);
        String detail = type.equals("error") && msgOpcode == 2 ? errorOf(prefix, prefixFill) : null;
        trace.add(new Msg(System.nanoTime(), upward, msgOpcode, type, msgPayload, msgWire, detail));
        msgOpcode = -1;
      }
    }
  }

  private static String controlName(int opcode) {
    switch (opcode) {
      case 8:
        return "(close)";
      case 9:
        return "(ping)";
      case 10:
        return "(pong)";
      default:
        return "(control)";
    }
  }

  /** {@code code: message} of a CBOR error message, from as much of it as was captured. */
  static String errorOf(byte[] p, int n) {
    StringBuilder sb = new StringBuilder();
    try (com.fasterxml.jackson.core.JsonParser parser = FramePeek.CBOR.createParser(p, 0, n)) {
      parser.nextToken();
      while (parser.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        parser.nextToken();
        if (name.equals("code") || name.equals("message")) {
          sb.append(sb.length() > 0 ? ": " : "").append(parser.getText());
        } else {
          parser.skipChildren();
        }
      }
    } catch (java.io.IOException | RuntimeException truncated) {
      sb.append("...");
    }
    return sb.toString();
  }

  /** The protocol's {@code "t"} from the first bytes of a CBOR (binary) or JSON (text) message. */
  static String typeOf(int opcode, byte[] p, int n) {
    if (opcode == 1) {
      String s = new String(p, 0, n, StandardCharsets.UTF_8);
      int at = s.indexOf("\"t\":\"");
      if (at >= 0) {
        int end = s.indexOf('"', at + 5);
        if (end > 0) {
          return s.substring(at + 5, end);
        }
      }
      return "?";
    }
    if (n < 4) {
      return "?";
    }
    int b = p[0] & 0xFF;
    int i;
    if (b >= 0xA0 && b <= 0xB7 || b == 0xBF) {
      i = 1;
    } else if (b == 0xB8) {
      i = 2;
    } else if (b == 0xB9) {
      i = 3;
    } else {
      return "?";
    }
    if (i + 2 < n && (p[i] & 0xFF) == 0x61 && p[i + 1] == 't') {
      i += 2;
      int h = p[i] & 0xFF;
      if (h >= 0x60 && h < 0x78 && i + 1 + (h - 0x60) <= n) {
        return new String(p, i + 1, h - 0x60, StandardCharsets.US_ASCII);
      }
    }
    return "?";
  }
}
