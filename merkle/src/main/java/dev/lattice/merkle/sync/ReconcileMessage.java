package dev.lattice.merkle.sync;

import dev.lattice.merkle.Scope;
import java.util.List;

/** A message of the reconciliation protocol; see {@link Reconciler} and {@link MessageCodec}. */
public sealed interface ReconcileMessage permits ReconcileMessage.Hello, ReconcileMessage.Step {

  /** Views that ask the other side for an answer. */
  List<NodeView> views();

  /**
   * The initiator's opening: tree parameters, the scope, and one view per non-empty partition in
   * the scope ({@link NodeView.DigestOnly} or, for a small partition, {@link NodeView.LeafView}).
   */
  record Hello(int leafCapacity, Scope scope, List<NodeView> views) implements ReconcileMessage {
    public Hello {
      views = List.copyOf(views);
    }
  }

  /**
   * Every later message: answers to all views of the previous message. A step without views ends
   * the exchange: its receiver is done and does not reply.
   */
  record Step(List<NodeView> views, List<Verdict> verdicts) implements ReconcileMessage {
    public Step {
      views = List.copyOf(views);
      verdicts = List.copyOf(verdicts);
    }
  }
}
