package dev.lattice.edge.http;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.codec.CodecException;
import dev.lattice.crdt.codec.CrdtCodec;
import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.type.Field;
import dev.lattice.crdt.type.FieldKey;
import dev.lattice.edge.EdgeNamespace;
import dev.lattice.edge.EdgeNode;
import dev.lattice.edge.auth.AuthException;
import dev.lattice.edge.http.ApiException.Reason;
import dev.lattice.replica.Collection;
import dev.lattice.replica.ReplicaException;
import dev.lattice.replica.log.Delta;
import dev.lattice.replica.log.DeltaPage;
import dev.lattice.schema.Claims;
import dev.lattice.schema.CollectionSpec;
import dev.lattice.schema.Schema;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The read-only REST API, without HTTP: each method takes the request's decoded parts and returns
 * the response body, or throws {@link AuthException} / {@link ApiException}. {@link EdgeServer}
 * routes, runs these on a worker thread (they read the store), and encodes.
 *
 * <p>Who sees what: an API key ({@link Claims#ofServer()}) sees stored documents whole; a user
 * token on a schemaless namespace sees everything too; a user token on a namespace with a schema
 * sees each document (and each delta) as {@code Projector.project} shapes it for the current
 * schema version, and nothing it may not read.
 */
final class RestApi {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1_000;
  /** A delta page is read up to about this many bytes, then cut to the requested count. */
  static final int DELTA_PAGE_BYTES = 4 * 1024 * 1024;

  private final EdgeNode node;

  RestApi(EdgeNode node) {
    this.node = node;
  }

  /** {@code GET /v1/namespaces}: the namespaces the credential is good for. */
  JsonObject namespaces(String credential) throws AuthException {
    JsonArray out = new JsonArray();
    for (String name : node.authenticator().namespacesFor(credential).keySet()) {
      EdgeNamespace ns = node.namespaces().get(name);
      JsonObject o = new JsonObject().put("name", name).put("schemaless", ns.schemaless());
      if (ns.schema().isPresent()) {
        Schema s = ns.schema().get();
        o.put("schemaVersion", s.currentVersion()).put("minimumClientVersion", s.minimumClientVersion())
            .put("collections", new JsonArray(new ArrayList<>(s.current().collections().keySet())));
      } else {
        o.putNull("schemaVersion").put("collections", new JsonArray());
      }
      out.add(o);
    }
    return new JsonObject().put("namespaces", out);
  }

  /** {@code GET /v1/namespaces/{ns}/collections/{c}/documents?prefix=&limit=}. */
  JsonObject documents(String namespace, String credential, String collection, String prefix, String limit)
      throws AuthException, ApiException {
    Claims claims = node.authenticator().authenticate(namespace, credential);
    EdgeNamespace ns = served(namespace, collection);
    int n = limit(limit);
    Collection c = collection(ns, collection);
    List<Map.Entry<String, Document>> page = readable(() -> c.scan(prefix == null ? "" : prefix, n + 1));
    JsonArray docs = new JsonArray();
    for (Map.Entry<String, Document> e : page.subList(0, Math.min(n, page.size()))) {
      view(ns, collection, e.getKey(), e.getValue(), claims).ifPresent(d -> docs.add(d));
    }
    return new JsonObject().put("namespace", namespace).put("collection", collection).put("documents", docs)
        .put("more", page.size() > n);
  }

  /** {@code GET /v1/namespaces/{ns}/collections/{c}/documents/{id}}. */
  JsonObject document(String namespace, String credential, String collection, String id)
      throws AuthException, ApiException {
    Claims claims = node.authenticator().authenticate(namespace, credential);
    EdgeNamespace ns = served(namespace, collection);
    Collection c = collection(ns, collection);
    Optional<Document> stored = readable(() -> c.get(id));
    Optional<JsonObject> view = stored.flatMap(d -> view(ns, collection, id, d, claims));
    // A document the caller may not read is reported exactly like an absent one: no existence leak.
    return view.orElseThrow(() -> new ApiException(Reason.NOT_FOUND,
        "no document '" + id + "' in " + namespace + "/" + collection));
  }

  /** {@code GET /v1/namespaces/{ns}/deltas?since=&limit=}: one page of the delta history. */
  JsonObject deltas(String namespace, String credential, String since, String limit) throws AuthException, ApiException {
    Claims claims = node.authenticator().authenticate(namespace, credential);
    EdgeNamespace ns = node.namespace(namespace).orElseThrow();
    int n = limit(limit);
    VersionVector from = cursor(since);
    DeltaPage page = readable(() -> ns.namespace().deltasSince(from, DELTA_PAGE_BYTES));
    if (page instanceof DeltaPage.NeedsRepair repair) {
      throw new ApiException(Reason.NEEDS_REPAIR, "the delta log of '" + namespace + "' no longer holds deltas of replica "
          + repair.replica() + " from seq " + repair.missingFrom() + " (trimmed up to " + repair.floor()
          + "); sync with the protocol to be repaired");
    }
    List<Delta> all = ((DeltaPage.Deltas) page).deltas();
    List<Delta> taken = all.subList(0, Math.min(n, all.size()));
    JsonArray out = new JsonArray();
    List<Dot> dots = new ArrayList<>();
    for (Delta d : taken) {
      dots.add(d.dot());
      changedFields(ns, d, claims).ifPresent(fields -> out.add(new JsonObject()
          .put("dot", new JsonObject().put("replica", d.dot().replica().toString()).put("seq", d.dot().seq()))
          .put("hlc", d.hlc())
          .put("time", Instant.ofEpochMilli(d.hlc() >>> 16).toString())
          .put("collection", d.collection())
          .put("id", d.documentId())
          .put("fields", fields)));
    }
    VersionVector next = from.merge(VersionVector.ofDots(dots));
    boolean more = ((DeltaPage.Deltas) page).more() || all.size() > taken.size();
    return new JsonObject().put("namespace", namespace).put("deltas", out)
        .put("next", Base64.getUrlEncoder().withoutPadding().encodeToString(CrdtCodec.encodeVector(next)))
        .put("more", more);
  }

  // ---- visibility ----

  /** The document as {@code claims} may see it, rendered; empty if it may not. */
  private static Optional<JsonObject> view(EdgeNamespace ns, String collection, String id, Document stored, Claims claims) {
    Optional<CollectionSpec> spec = ns.collectionSpec(collection);
    Optional<Document> visible;
    if (ns.projector().isEmpty() || claims.server()) {
      visible = Optional.of(stored);
    } else {
      Schema schema = ns.schema().get();
      visible = ns.projector().get().project(collection, id, stored, schema.currentVersion(), claims);
    }
    return visible.map(d -> new JsonObject().put("id", id).put("fields", DocumentJson.render(d, spec)));
  }

  /** The names of the fields a delta changed that {@code claims} may see; empty to hide the delta. */
  private static Optional<JsonArray> changedFields(EdgeNamespace ns, Delta d, Claims claims) {
    Document change = d.change();
    if (ns.projector().isPresent() && !claims.server()) {
      Document state = ns.namespace().collection(d.collection()).get(d.documentId()).orElse(Document.EMPTY);
      Optional<Document> projected = ns.projector().get()
          .project(d.collection(), d.documentId(), state, change, ns.schema().get().currentVersion(), claims);
      if (projected.isEmpty() || projected.get().fields().entryCount() == 0) {
        return Optional.empty();
      }
      change = projected.get();
    }
    TreeSet<String> names = new TreeSet<>();
    for (Map.Entry<FieldKey, Field> e : change.fields().entries()) {
      names.add(e.getKey().name());
    }
    return Optional.of(new JsonArray(new ArrayList<>(names)));
  }

  // ---- decoding ----

  private EdgeNamespace served(String namespace, String collection) throws ApiException {
    EdgeNamespace ns = node.namespace(namespace).orElseThrow();
    if (!ns.serves(collection)) {
      throw new ApiException(Reason.UNKNOWN_COLLECTION, "namespace '" + namespace + "' has no collection '" + collection
          + "' in schema version " + ns.schema().get().currentVersion());
    }
    return ns;
  }

  private static Collection collection(EdgeNamespace ns, String name) throws ApiException {
    return readable(() -> ns.namespace().collection(name));
  }

  static int limit(String limit) throws ApiException {
    if (limit == null || limit.isEmpty()) {
      return DEFAULT_LIMIT;
    }
    int n;
    try {
      n = Integer.parseInt(limit);
    } catch (NumberFormatException e) {
      throw new ApiException(Reason.BAD_REQUEST, "limit must be a whole number from 1 to " + MAX_LIMIT + ": '" + limit
          + "'");
    }
    if (n < 1) {
      throw new ApiException(Reason.BAD_REQUEST, "limit must be at least 1: " + n);
    }
    return Math.min(n, MAX_LIMIT);
  }

  static VersionVector cursor(String since) throws ApiException {
    if (since == null || since.isEmpty()) {
      return VersionVector.EMPTY;
    }
    try {
      return CrdtCodec.decodeVector(Base64.getUrlDecoder().decode(since));
    } catch (IllegalArgumentException | CodecException e) {
      throw new ApiException(Reason.BAD_CURSOR, "since must be a cursor returned as 'next' (a base64url version"
          + " vector): " + e.getMessage());
    }
  }

  private interface Read<T> {
    T get();
  }

  /** Runs a store read, turning the replica's refusals into API errors. */
  private static <T> T readable(Read<T> read) throws ApiException {
    try {
      return read.get();
    } catch (ReplicaException e) {
      if (e.reason() == ReplicaException.Reason.INVALID_NAME) {
        throw new ApiException(Reason.INVALID_NAME, e.getMessage());
      }
      if (e.reason() == ReplicaException.Reason.CLOSED) {
        throw new ApiException(Reason.NOT_READY, "the node is closing");
      }
      throw e;
    }
  }
}
