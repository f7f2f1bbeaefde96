package dev.lattice.crdt.laws;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.type.Flag;
import dev.lattice.crdt.type.GCounter;
import dev.lattice.crdt.type.LwwRegister;
import dev.lattice.crdt.type.MvRegister;
import dev.lattice.crdt.type.OrSet;
import dev.lattice.crdt.type.PnCounter;
import dev.lattice.crdt.value.Value;
import java.util.List;
import java.util.SplittableRandom;

/** The models of the standalone (non-map) types. */
final class RegisterModels {
  private RegisterModels() {}

  static Value smallValue(SplittableRandom r) {
    return switch (r.nextInt(4)) {
      case 0 -> Value.of((long) r.nextInt(5));
      case 1 -> Value.of("v" + r.nextInt(5));
      case 2 -> Value.of(r.nextBoolean());
      default -> Value.ofList(List.of(Value.of((long) r.nextInt(3))));
    };
  }

  static final TypeModel<LwwRegister> LWW = new TypeModel<>() {
    public String name() {
      return "LwwRegister";
    }

    public LwwRegister empty() {
      return LwwRegister.EMPTY;
    }

    public Op randomOp(SplittableRandom r, LwwRegister s) {
      return r.nextInt(5) == 0 ? Op.of(Op.Kind.REMOVE) : Op.of(Op.Kind.ASSIGN, smallValue(r));
    }

    public LwwRegister delta(LwwRegister s, Op op, Dot dot, long hlc) {
      return op.kind() == Op.Kind.ASSIGN ? s.assign(op.value(), hlc, dot) : s.removal(dot);
    }

    public Object read(LwwRegister s) {
      return s.value();
    }

    public Object spec(List<Event> h) {
      return Specs.lastWriter(Specs.survivors(h, e -> e.op().kind() == Op.Kind.ASSIGN, e -> true));
    }
  };

  static final TypeModel<MvRegister> MV = new TypeModel<>() {
    public String name() {
      return "MvRegister";
    }

    public MvRegister empty() {
      return MvRegister.EMPTY;
    }

    public Op randomOp(SplittableRandom r, MvRegister s) {
      return r.nextInt(5) == 0 ? Op.of(Op.Kind.REMOVE) : Op.of(Op.Kind.ASSIGN, smallValue(r));
    }

    public MvRegister delta(MvRegister s, Op op, Dot dot, long hlc) {
      return op.kind() == Op.Kind.ASSIGN ? s.assign(op.value(), dot) : s.removal(dot);
    }

    public Object read(MvRegister s) {
      return s.values();
    }

    public Object spec(List<Event> h) {
      return Specs.distinctValues(Specs.survivors(h, e -> e.op().kind() == Op.Kind.ASSIGN, e -> true));
    }
  };

  static final TypeModel<GCounter> GCOUNTER = new TypeModel<>() {
    public String name() {
      return "GCounter";
    }

    public GCounter empty() {
      return GCounter.EMPTY;
    }

    public Op randomOp(SplittableRandom r, GCounter s) {
      return Op.inc(r.nextInt(6));
    }

    public GCounter delta(GCounter s, Op op, Dot dot, long hlc) {
      return s.increment(op.amount(), dot);
    }

    public Object read(GCounter s) {
      return s.value();
    }

    public Object spec(List<Event> h) {
      return h.stream().mapToLong(e -> e.op().amount()).sum();
    }
  };

  static final TypeModel<PnCounter> PNCOUNTER = new TypeModel<>() {
    public String name() {
      return "PnCounter";
    }

    public PnCounter empty() {
      return PnCounter.EMPTY;
    }

    public Op randomOp(SplittableRandom r, PnCounter s) {
      return Op.inc(r.nextInt(-5, 6));
    }

    public PnCounter delta(PnCounter s, Op op, Dot dot, long hlc) {
      return s.increment(op.amount(), dot);
    }

    public Object read(PnCounter s) {
      return s.value();
    }

    public Object spec(List<Event> h) {
      return h.stream().mapToLong(e -> e.op().amount()).sum();
    }
  };

  static final TypeModel<OrSet> ORSET = new TypeModel<>() {
    public String name() {
      return "OrSet";
    }

    public OrSet empty() {
      return OrSet.EMPTY;
    }

    public Op randomOp(SplittableRandom r, OrSet s) {
      int k = r.nextInt(10);
      Value e = Value.of("e" + r.nextInt(6));
      if (k == 0) {
        return Op.of(Op.Kind.CLEAR);
      }
      if (k < 4 && s.size() > 0) {
        return Op.of(Op.Kind.REMOVE_ELEMENT, s.values().get(r.nextInt(s.size())));
      }
      return Op.of(k < 4 ? Op.Kind.REMOVE_ELEMENT : Op.Kind.ADD, e);
    }

    public OrSet delta(OrSet s, Op op, Dot dot, long hlc) {
      return switch (op.kind()) {
        case ADD -> s.add(op.value(), dot);
        case REMOVE_ELEMENT -> s.remove(op.value(), dot);
        default -> s.removal(dot);
      };
    }

    public Object read(OrSet s) {
      return s.values();
    }

    public Object spec(List<Event> h) {
      return Specs.setElements(h, e -> e.op().kind() == Op.Kind.ADD, e -> e.op().kind() == Op.Kind.CLEAR);
    }
  };

  static final TypeModel<Flag> FLAG = new TypeModel<>() {
    public String name() {
      return "Flag";
    }

    public Flag empty() {
      return Flag.EMPTY;
    }

    public Op randomOp(SplittableRandom r, Flag s) {
      return Op.of(r.nextBoolean() ? Op.Kind.ENABLE : Op.Kind.DISABLE);
    }

    public Flag delta(Flag s, Op op, Dot dot, long hlc) {
      return op.kind() == Op.Kind.ENABLE ? s.enable(dot) : s.disable(dot);
    }

    public Object read(Flag s) {
      return s.enabled();
    }

    public Object spec(List<Event> h) {
      return !Specs.survivors(h, e -> e.op().kind() == Op.Kind.ENABLE, e -> true).isEmpty();
    }
  };
}
