package dev.lattice.crdt.laws;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.type.Field;
import dev.lattice.crdt.type.FieldKey;
import dev.lattice.crdt.type.FieldKind;
import dev.lattice.crdt.type.Flag;
import dev.lattice.crdt.type.LwwRegister;
import dev.lattice.crdt.type.OrMap;
import dev.lattice.crdt.type.OrSet;
import dev.lattice.crdt.type.PnCounter;
import dev.lattice.crdt.value.Value;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The models of {@link OrMap} and {@link Document}: a few fields of every kind, one nested map,
 * key removal and (for documents) whole-document deletion, read as a plain sorted map.
 */
final class MapModels {
  private MapModels() {}

  static final FieldKey TITLE = new FieldKey("title", FieldKind.LWW);
  static final FieldKey VOTES = new FieldKey("votes", FieldKind.COUNTER);
  static final FieldKey TAGS = new FieldKey("tags", FieldKind.SET);
  static final FieldKey DONE = new FieldKey("done", FieldKind.FLAG);
  static final FieldKey META = new FieldKey("meta", FieldKind.MAP);
  static final FieldKey NESTED = new FieldKey("x", FieldKind.LWW);
  static final List<FieldKey> KEYS = List.of(TITLE, VOTES, TAGS, DONE, META);

  static Op randomOp(SplittableRandom r, OrMap s, boolean allowDelete) {
    if (allowDelete && r.nextInt(12) == 0) {
      return Op.of(Op.Kind.DELETE);
    }
    FieldKey key = KEYS.get(r.nextInt(KEYS.size()));
    if (r.nextInt(8) == 0) {
      return Op.of(Op.Kind.REMOVE_KEY).on(key);
    }
    return switch (key.kind()) {
      case LWW -> Op.of(Op.Kind.ASSIGN, RegisterModels.smallValue(r)).on(key);
      case COUNTER -> Op.inc(r.nextInt(-3, 6)).on(key);
      case SET -> Op.of(r.nextInt(3) == 0 ? Op.Kind.REMOVE_ELEMENT : Op.Kind.ADD, Value.of("t" + r.nextInt(4))).on(key);
      case FLAG -> Op.of(r.nextBoolean() ? Op.Kind.ENABLE : Op.Kind.DISABLE).on(key);
      case MAP -> Op.of(Op.Kind.ASSIGN_NESTED, RegisterModels.smallValue(r)).on(key);
      default -> throw new AssertionError(key);
    };
  }

  static OrMap delta(OrMap s, Op op, Dot dot, long hlc) {
    if (op.kind() == Op.Kind.DELETE) {
      return s.removal(dot);
    }
    if (op.kind() == Op.Kind.REMOVE_KEY) {
      return s.remove(op.key(), dot);
    }
    Field field = s.get(op.key());
    Field d = switch (op.kind()) {
      case ASSIGN -> ((LwwRegister) field).assign(op.value(), hlc, dot);
      case INC -> ((PnCounter) field).increment(op.amount(), dot);
      case ADD -> ((OrSet) field).add(op.value(), dot);
      case REMOVE_ELEMENT -> ((OrSet) field).remove(op.value(), dot);
      case ENABLE -> ((Flag) field).enable(dot);
      case DISABLE -> ((Flag) field).disable(dot);
      case ASSIGN_NESTED -> OrMap.of(NESTED, ((OrMap) field).lww(NESTED.name()).assign(op.value(), hlc, dot));
      default -> throw new AssertionError(op);
    };
    return OrMap.of(op.key(), d);
  }

  static Map<String, Object> read(OrMap s) {
    Map<String, Object> out = new TreeMap<>();
    for (FieldKey k : s.keys()) {
      Field f = s.get(k);
      out.put(k.toString(), switch (k.kind()) {
        case LWW -> ((LwwRegister) f).value().orElseThrow();
        case COUNTER -> ((PnCounter) f).value();
        case SET -> ((OrSet) f).values();
        case FLAG -> true;
        case MAP -> read((OrMap) f);
        default -> throw new AssertionError(k);
      });
    }
    return out;
  }

  static Map<String, Object> spec(List<Event> h) {
    Map<String, Object> out = new TreeMap<>();
    for (FieldKey key : KEYS) {
      Predicate<Event> removesKey = e -> e.op().kind() == Op.Kind.DELETE
          || (e.op().kind() == Op.Kind.REMOVE_KEY && key.equals(e.op().key()));
      Predicate<Event> onKey = e -> key.equals(e.op().key()) || removesKey.test(e);
      Optional<Object> value = switch (key.kind()) {
        case LWW -> Specs.lastWriter(Specs.survivors(h, e -> is(e, key, Op.Kind.ASSIGN), onKey)).map(v -> v);
        case COUNTER -> Specs.counter(h, e -> is(e, key, Op.Kind.INC), removesKey).map(v -> v);
        case SET -> {
          List<Value> elements = Specs.setElements(h, e -> is(e, key, Op.Kind.ADD), removesKey);
          yield elements.isEmpty() ? Optional.empty() : Optional.of(elements);
        }
        case FLAG -> Specs.survivors(h, e -> is(e, key, Op.Kind.ENABLE), onKey).isEmpty()
            ? Optional.empty() : Optional.of(true);
        case MAP -> Specs.lastWriter(Specs.survivors(h, e -> is(e, key, Op.Kind.ASSIGN_NESTED), onKey))
            .map(v -> Map.of(NESTED.toString(), v));
        default -> throw new AssertionError(key);
      };
      value.ifPresent(v -> out.put(key.toString(), v));
    }
    return out;
  }

  private static boolean is(Event e, FieldKey key, Op.Kind kind) {
    return e.op().kind() == kind && key.equals(e.op().key());
  }

  static final TypeModel<OrMap> ORMAP = new TypeModel<>() {
    public String name() {
      return "OrMap";
    }

    public OrMap empty() {
      return OrMap.EMPTY;
    }

    public Op randomOp(SplittableRandom r, OrMap s) {
      return MapModels.randomOp(r, s, false);
    }

    public OrMap delta(OrMap s, Op op, Dot dot, long hlc) {
      return MapModels.delta(s, op, dot, hlc);
    }

    public Object read(OrMap s) {
      return MapModels.read(s);
    }

    public Object spec(List<Event> h) {
      return MapModels.spec(h);
    }
  };

  static final TypeModel<Document> DOCUMENT = new TypeModel<>() {
    public String name() {
      return "Document";
    }

    public Document empty() {
      return Document.EMPTY;
    }

    public Op randomOp(SplittableRandom r, Document s) {
      return MapModels.randomOp(r, s.fields(), true);
    }

    public Document delta(Document s, Op op, Dot dot, long hlc) {
      return new Document(MapModels.delta(s.fields(), op, dot, hlc));
    }

    public Object read(Document s) {
      Map<String, Object> fields = MapModels.read(s.fields());
      return s.exists() ? fields : Map.of("<absent>", fields);
    }

    public Object spec(List<Event> h) {
      Map<String, Object> fields = MapModels.spec(h);
      return fields.isEmpty() ? Map.of("<absent>", fields) : fields;
    }
  };
}
