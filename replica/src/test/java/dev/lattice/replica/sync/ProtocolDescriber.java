package dev.lattice.replica.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.codec.CrdtCodec;
import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.type.Field;
import dev.lattice.crdt.type.FieldKey;
import dev.lattice.crdt.type.Flag;
import dev.lattice.crdt.type.GCounter;
import dev.lattice.crdt.type.LwwRegister;
import dev.lattice.crdt.type.MvRegister;
import dev.lattice.crdt.type.OrMap;
import dev.lattice.crdt.type.OrSet;
import dev.lattice.crdt.type.PnCounter;
import dev.lattice.crdt.value.Value;
import dev.lattice.merkle.NodeKey;
import dev.lattice.merkle.Scope;
import dev.lattice.merkle.MerkleCodecException;
import dev.lattice.merkle.sync.KeyDigest;
import dev.lattice.merkle.sync.MessageCodec;
import dev.lattice.merkle.sync.NodeView;
import dev.lattice.merkle.sync.ReconcileMessage;
import dev.lattice.merkle.sync.Verdict;
import dev.lattice.replica.log.Delta;
import dev.lattice.replica.log.DeltaCodec;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;

/**
 * The canonical JSON description of a decoded sync message that the conformance vectors in
 * {@code docs/protocol-vectors/} hold as the expected outcome ({@code docs/protocol-vectors/README.md}
 * defines it): every binary blob is shown as its hex and, beside it, what it decodes to.
 */
final class ProtocolDescriber {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final HexFormat HEX = HexFormat.of();

  private ProtocolDescriber() {}

  static String hex(byte[] bytes) {
    return HEX.formatHex(bytes);
  }

  static ObjectNode describe(SyncMessage message) {
    ObjectNode o = F.objectNode();
    if (message instanceof SyncMessage.Hello h) {
      o.put("t", "hello").put("protocol", h.protocol()).put("ns", h.namespace()).put("credential", h.credential())
          .put("schema", h.schemaVersion()).put("replica", h.replica().toString());
      o.set("vector", vector(h.vector()));
      o.put("hlc", h.hlc()).put("role", h.role().wire()).put("compress", h.compress());
    } else if (message instanceof SyncMessage.Welcome w) {
      o.put("t", "welcome").put("protocol", w.protocol()).put("replica", w.replica().toString()).put("hlc", w.hlc())
          .put("schema", w.schemaVersion());
      o.set("vector", vector(w.vector()));
      o.put("session", w.session()).put("maxMessageBytes", w.maxMessageBytes()).put("maxBatch", w.maxBatch());
    } else if (message instanceof SyncMessage.Deltas d) {
      o.put("t", "deltas").set("deltas", deltas(d.deltas()));
    } else if (message instanceof SyncMessage.Push p) {
      o.put("t", "push").put("id", p.id()).set("deltas", deltas(p.deltas()));
    } else if (message instanceof SyncMessage.Ack a) {
      o.put("t", "ack").put("id", a.id());
      ArrayNode acked = o.putArray("acked");
      a.acked().forEach(dot -> acked.add(SyncCodec.dotString(dot)));
      ArrayNode rejected = o.putArray("rejected");
      for (SyncMessage.Rejection r : a.rejected()) {
        rejected.addObject().put("dot", SyncCodec.dotString(r.dot())).put("code", r.code()).put("message", r.message());
      }
    } else if (message instanceof SyncMessage.CaughtUp c) {
      o.put("t", "caught-up").set("vector", vector(c.vector()));
    } else if (message instanceof SyncMessage.Repair r) {
      o.put("t", "repair").set("m", repair(r.message()));
    } else if (message instanceof SyncMessage.States s) {
      o.put("t", "states");
      ArrayNode states = o.putArray("states");
      for (SyncMessage.State st : s.states()) {
        ObjectNode n = states.addObject().put("c", st.collection()).put("id", st.documentId());
        n.set("doc", document(st.document()));
      }
      o.set("vector", vector(s.vector()));
      o.put("last", s.last());
    } else if (message instanceof SyncMessage.Resync r) {
      o.put("t", "resync").set("vector", vector(r.vector()));
    } else if (message instanceof SyncMessage.Error e) {
      o.put("t", "error").put("code", e.code()).put("message", e.message()).put("fatal", e.fatal());
    } else {
      throw new IllegalArgumentException("unknown message " + message);
    }
    return o;
  }

  // ---- blobs ----

  static ObjectNode vector(VersionVector v) {
    ObjectNode o = F.objectNode().put("hex", hex(CrdtCodec.encodeVector(v)));
    o.set("entries", vectorEntries(v));
    return o;
  }

  static ArrayNode vectorEntries(VersionVector v) {
    ArrayNode entries = F.arrayNode();
    for (ReplicaId r : v.replicas()) {
      ObjectNode e = entries.addObject().put("replica", r.toString()).put("contiguous", v.contiguous(r));
      ArrayNode beyond = e.putArray("beyondGap");
      for (long s : v.beyondGap(r)) {
        beyond.add(s);
      }
    }
    return entries;
  }

  static ArrayNode deltas(List<Delta> deltas) {
    ArrayNode a = F.arrayNode();
    deltas.forEach(d -> a.add(delta(d)));
    return a;
  }

  static ObjectNode delta(Delta d) {
    ObjectNode o = F.objectNode().put("hex", hex(DeltaCodec.encode(d))).put("dot", SyncCodec.dotString(d.dot()))
        .put("hlc", d.hlc()).put("collection", d.collection()).put("id", d.documentId());
    o.set("change", document(d.change()));
    return o;
  }

  static ObjectNode document(Document d) {
    ObjectNode o = F.objectNode().put("hex", hex(CrdtCodec.encode(d)));
    o.set("fields", fields(d.fields()));
    return o;
  }

  static ArrayNode fields(OrMap map) {
    ArrayNode a = F.arrayNode();
    for (Map.Entry<FieldKey, Field> e : map.entries()) {
      ObjectNode f = a.addObject().put("name", e.getKey().name())
          .put("kind", e.getKey().kind().name().toLowerCase(java.util.Locale.ROOT));
      field(f, e.getValue());
    }
    return a;
  }

  private static void field(ObjectNode f, Field field) {
    if (field instanceof OrMap m) {
      f.set("fields", fields(m));
      return;
    }
    ArrayNode store = f.putArray("store");
    VersionVector context;
    if (field instanceof LwwRegister l) {
      l.entries().forEach((dot, s) -> {
        ObjectNode e = store.addObject().put("dot", SyncCodec.dotString(dot)).put("hlc", s.hlc());
        e.set("value", value(s.value()));
      });
      context = l.context();
    } else if (field instanceof MvRegister mv) {
      mv.entries().forEach((dot, v) -> store.addObject().put("dot", SyncCodec.dotString(dot)).set("value", value(v)));
      context = mv.context();
    } else if (field instanceof GCounter g) {
      g.entries().forEach((dot, n) -> store.addObject().put("dot", SyncCodec.dotString(dot)).put("count", n));
      context = g.context();
    } else if (field instanceof PnCounter p) {
      p.entries().forEach((dot, c) -> store.addObject().put("dot", SyncCodec.dotString(dot)).put("up", c.up())
          .put("down", c.down()));
      context = p.context();
    } else if (field instanceof OrSet s) {
      for (Map.Entry<Value, NavigableSet<Dot>> e : s.elements().entrySet()) {
        ObjectNode el = store.addObject();
        el.set("value", value(e.getKey()));
        ArrayNode dots = el.putArray("dots");
        e.getValue().forEach(dot -> dots.add(SyncCodec.dotString(dot)));
      }
      context = s.context();
    } else if (field instanceof Flag fl) {
      fl.dots().forEach(dot -> store.addObject().put("dot", SyncCodec.dotString(dot)));
      context = fl.context();
    } else {
      throw new IllegalArgumentException("unknown field " + field);
    }
    f.set("context", vectorEntries(context));
  }

  static ObjectNode value(Value v) {
    ObjectNode o = F.objectNode();
    if (v instanceof Value.Null) {
      o.putNull("null");
    } else if (v instanceof Value.Bool b) {
      o.put("bool", b.value());
    } else if (v instanceof Value.Int i) {
      o.put("int", i.value());
    } else if (v instanceof Value.Float fl) {
      o.put("float", String.format("%016x", Double.doubleToLongBits(fl.value())));
    } else if (v instanceof Value.Str s) {
      o.put("string", s.value());
    } else if (v instanceof Value.Bytes b) {
      o.put("bytes", hex(b.bytes()));
    } else if (v instanceof Value.ListValue l) {
      ArrayNode a = o.putArray("list");
      l.values().forEach(x -> a.add(value(x)));
    }
    return o;
  }

  // ---- repair messages (the merkle module's codec) ----

  static ObjectNode repair(byte[] bytes) {
    ObjectNode o = F.objectNode().put("hex", hex(bytes));
    ReconcileMessage m;
    try {
      m = MessageCodec.decode(bytes);
    } catch (MerkleCodecException e) {
      o.put("decodes", false);
      return o;
    }
    if (m instanceof ReconcileMessage.Hello h) {
      o.put("type", "hello").put("leafCapacity", h.leafCapacity());
      ArrayNode scope = o.putArray("scope");
      for (Scope.Range r : h.scope().ranges()) {
        ObjectNode range = scope.addObject().put("from", hex(r.from()));
        if (r.to() == null) {
          range.putNull("to");
        } else {
          range.put("to", hex(r.to()));
        }
      }
      o.set("views", views(h.views()));
    } else {
      ReconcileMessage.Step s = (ReconcileMessage.Step) m;
      o.put("type", "step");
      o.set("views", views(s.views()));
      ArrayNode verdicts = o.putArray("verdicts");
      for (Verdict v : s.verdicts()) {
        ObjectNode n = verdicts.addObject();
        n.set("path", path(v.path()));
        ArrayNode st = n.putArray("statuses");
        for (byte b : v.statuses()) {
          st.add(b == Verdict.SAME ? "same" : b == Verdict.DIFFERS ? "differs" : "absent");
        }
        ArrayNode keys = n.putArray("keysOnlySender");
        v.keysOnlySender().forEach(k -> keys.add(hex(k)));
      }
    }
    return o;
  }

  private static ArrayNode views(List<NodeView> views) {
    ArrayNode a = F.arrayNode();
    for (NodeView v : views) {
      ObjectNode n = a.addObject();
      if (v instanceof NodeView.DigestOnly d) {
        n.put("kind", "digest").set("path", path(d.path()));
        n.put("digest", hex(d.digest()));
      } else if (v instanceof NodeView.InnerView in) {
        n.put("kind", "inner").set("path", path(in.path()));
        n.put("childMask", String.format("%04x", in.childMask()));
        ArrayNode ds = n.putArray("childDigests");
        in.childDigests().forEach(d -> ds.add(hex(d)));
      } else if (v instanceof NodeView.LeafView leaf) {
        n.put("kind", "leaf").set("path", path(leaf.path()));
        ArrayNode es = n.putArray("entries");
        for (KeyDigest kd : leaf.entries()) {
          es.addObject().put("key", hex(kd.key())).put("digest", hex(kd.digest()));
        }
      } else {
        n.put("kind", "empty").set("path", path(v.path()));
      }
    }
    return a;
  }

  static ObjectNode path(NodeKey p) {
    return F.objectNode().put("partition", hex(p.partition())).put("depth", p.depth())
        .put("prefix", String.format("%016x", p.prefix()).substring(0, p.depth()));
  }

  /**
   * True if {@code actual} matches {@code pattern}: every member of a pattern object is in the actual
   * object and matches; arrays match element by element and have the same length; other values are equal.
   */
  static boolean matches(JsonNode pattern, JsonNode actual) {
    if (pattern.isObject()) {
      if (actual == null || !actual.isObject()) {
        return false;
      }
      for (var it = pattern.fields(); it.hasNext(); ) {
        var e = it.next();
        if (!matches(e.getValue(), actual.get(e.getKey()))) {
          return false;
        }
      }
      return true;
    }
    if (pattern.isArray()) {
      if (actual == null || !actual.isArray() || actual.size() != pattern.size()) {
        return false;
      }
      for (int i = 0; i < pattern.size(); i++) {
        if (!matches(pattern.get(i), actual.get(i))) {
          return false;
        }
      }
      return true;
    }
    return pattern.equals(actual);
  }
}
