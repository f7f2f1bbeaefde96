package dev.lattice.schema;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.type.Field;
import dev.lattice.crdt.type.FieldKey;
import dev.lattice.crdt.type.FieldKind;
import dev.lattice.crdt.value.Value;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random documents of a collection at one schema version: a few writes by a few replicas, with
 * values mostly valid for the field and sometimes not, deletions, and now and then a field the
 * schema does not declare or a declared name written under the wrong kind.
 */
public final class Docs {
  private final SplittableRandom r;
  private long seq;

  public Docs(SplittableRandom r) {
    this.r = r;
  }

  public Document random(CollectionSpec spec, String ownerOrNull) {
    Document doc = Document.EMPTY;
    List<FieldSpec> fields = List.copyOf(spec.fields().values());
    int writes = 1 + r.nextInt(8);
    for (int i = 0; i < writes; i++) {
      doc = doc.merge(write(doc, fields.get(r.nextInt(fields.size()))));
    }
    if (r.nextInt(6) == 0) {
      doc = doc.merge(Document.of(new FieldKey("junk" + r.nextInt(3), FieldKind.LWW),
          doc.fields().lww("junk").assign(Value.of("x"), hlc(), dot())));
    }
    if (ownerOrNull != null && spec.access().ownerField() != null) {
      String of = spec.access().ownerField();
      doc = doc.merge(Document.of(new FieldKey(of, FieldKind.LWW), doc.fields().lww(of).assign(Value.of(ownerOrNull), hlc(), dot())));
    }
    return doc;
  }

  /** One write of one field: an assignment, an add, an increment, a flag flip, or a removal. */
  public Document write(Document doc, FieldSpec f) {
    FieldKey key = f.key();
    Dot d = dot();
    if (r.nextInt(10) == 0) {
      return doc.remove(key, d);
    }
    Field delta;
    switch (f.type()) {
      case LWW:
        delta = doc.fields().lww(f.name()).assign(value(f.value()), hlc(), d);
        break;
      case MVREG:
      case CUSTOM:
        delta = doc.fields().mvreg(f.name()).assign(value(f.value()), d);
        break;
      case COUNTER:
        delta = doc.fields().counter(f.name()).increment(r.nextInt(-3, 4), d);
        break;
      case SET:
        delta = doc.fields().set(f.name()).add(value(f.value()), d);
        break;
      case FLAG:
        delta = r.nextBoolean() ? doc.fields().flag(f.name()).enable(d) : doc.fields().flag(f.name()).disable(d);
        break;
      default:
        delta = doc.fields().map(f.name()).with(new FieldKey("inner", FieldKind.LWW),
            dev.lattice.crdt.type.LwwRegister.EMPTY.assign(Value.of(r.nextInt(5)), hlc(), d));
    }
    return Document.of(key, delta);
  }

  /** A value for the schema: usually valid, sometimes of another type (conversion must cope). */
  public Value value(ValueSchema s) {
    if (s == null || r.nextInt(8) == 0) {
      return switch (r.nextInt(4)) {
        case 0 -> Value.of("s" + r.nextInt(4));
        case 1 -> Value.of((long) r.nextInt(-2, 12));
        case 2 -> Value.of(r.nextInt(0, 12) / 2.0);
        default -> Value.of(r.nextBoolean());
      };
    }
    return switch (s.type()) {
      case STRING -> Value.of(r.nextInt(3) == 0 ? Integer.toString(r.nextInt(0, 8)) : "v" + r.nextInt(5));
      case INTEGER -> Value.of((long) r.nextInt(0, 10));
      case NUMBER -> Value.of((long) r.nextInt(0, 6));
      case BOOLEAN -> Value.of(r.nextBoolean());
      case JSON -> Value.of("[" + r.nextInt(3) + "]");
    };
  }

  public Dot dot() {
    return Dot.of(1 + r.nextInt(4), ++seq);
  }

  private long hlc() {
    return 1_000 + seq * 7 + r.nextInt(5);
  }
}
