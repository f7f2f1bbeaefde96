package dev.lattice.merkle.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.merkle.MerkleCodecException;
import dev.lattice.merkle.Scope;
import java.util.Optional;

/** Drives two reconcilers to completion through the binary codec, counting bytes and messages. */
public final class Exchange {
  public final Reconciler initiator;
  public final Reconciler responder;
  public long bytesFromInitiator;
  public long bytesFromResponder;
  public int messages;

  private Exchange(Reconciler initiator, Reconciler responder) {
    this.initiator = initiator;
    this.responder = responder;
  }

  public static Exchange run(TreeView a, TreeView b, Scope scope, Scope allowed)
      throws ReconcileException, MerkleCodecException {
    Exchange x = new Exchange(Reconciler.initiator(a, scope), Reconciler.responder(b, allowed));
    Reconciler from = x.initiator;
    Reconciler to = x.responder;
    while (true) {
      Optional<ReconcileMessage> m = from.nextMessage();
      if (m.isEmpty()) {
        break;
      }
      byte[] wire = MessageCodec.encode(m.get());
      if (from == x.initiator) {
        x.bytesFromInitiator += wire.length;
      } else {
        x.bytesFromResponder += wire.length;
      }
      ReconcileMessage decoded = MessageCodec.decode(wire);
      assertThat(MessageCodec.encode(decoded)).as("codec round trip").isEqualTo(wire);
      to.receive(decoded);
      x.messages++;
      Reconciler t = from;
      from = to;
      to = t;
    }
    return x;
  }

  public int roundTrips() {
    return (messages + 1) / 2;
  }
}
