package dev.lattice.edge.sync;

import dev.lattice.edge.EdgeNamespace;
import dev.lattice.edge.EdgeNode;
import dev.lattice.edge.config.EdgeConfig;
import dev.lattice.edge.config.PeerConfig;
import dev.lattice.edge.http.SocketEndpoint;
import dev.lattice.replica.sync.SyncCodec;
import dev.lattice.replica.sync.SyncHub;
import dev.lattice.replica.sync.SyncLimits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sync side of an edge node: the {@code /v1/sync} endpoint and the links to configured peer
 * edges, sharing one {@link SyncHub} so that whatever one session commits reaches all others.
 *
 * <pre>{@code
 * SyncService.start(vertx, config).onSuccess(sync -> System.out.println(sync.node().port()));
 * }</pre>
 */
public final class SyncService {
  private static final Map<EdgeNode, SyncCodec> CODECS = new ConcurrentHashMap<>();

  private final EdgeNode node;
  private final SyncHub hub;
  private final List<PeerConnector> peers = new ArrayList<>();

  private SyncService(EdgeNode node, SyncHub hub) {
    this.node = node;
    this.hub = hub;
  }

  /** Starts a node with the sync endpoint (plus {@code extra} endpoints) and links to its peers. */
  public static Future<SyncService> start(Vertx vertx, EdgeConfig config, Map<String, SocketEndpoint> extra) {
    SyncHub hub = new SyncHub();
    Map<String, SocketEndpoint> endpoints = new java.util.LinkedHashMap<>(extra);
    endpoints.put(SyncEndpoint.PATH, new SyncEndpoint(hub));
    return EdgeNode.start(vertx, config, endpoints).map(node -> {
      SyncService service = new SyncService(node, hub);
      for (PeerConfig peer : config.peers()) {
        for (EdgeNamespace ns : node.namespaces().values()) {
          PeerConnector connector = new PeerConnector(node, hub, peer, ns);
          service.peers.add(connector);
          connector.start();
        }
      }
      node.addCloseHook(service::stopPeers);
      node.addCloseHook(() -> {
        CODECS.remove(node);
        return Future.succeededFuture();
      });
      return service;
    });
  }

  public static Future<SyncService> start(Vertx vertx, EdgeConfig config) {
    return start(vertx, config, Map.of());
  }

  public EdgeNode node() {
    return node;
  }

  public SyncHub hub() {
    return hub;
  }

  /** The links to peer edges, one per (peer, namespace). */
  public List<PeerConnector> peers() {
    return List.copyOf(peers);
  }

  /** Runs an anti-entropy round on every connected peer link now. */
  public Future<Void> repairPeersNow() {
    List<Future<Boolean>> all = new ArrayList<>();
    peers.forEach(p -> all.add(p.repairNow()));
    return Future.all(all).mapEmpty();
  }

  private Future<Void> stopPeers() {
    List<Future<Void>> all = new ArrayList<>();
    peers.forEach(p -> all.add(p.stop()));
    return Future.all(all).mapEmpty();
  }

  /** The codec for a node's limits: messages as large as its WebSocket message limit. */
  static SyncCodec codec(EdgeNode node) {
    return CODECS.computeIfAbsent(node, n -> {
      int max = n.config().limits().maxMessageBytes();
      SyncLimits d = SyncLimits.defaults();
      return new SyncCodec(new SyncLimits(max, Math.max(max, d.maxInflatedBytes()), d.maxBatch(),
          Math.min(d.pageBytes(), max / 2)));
    });
  }
}
