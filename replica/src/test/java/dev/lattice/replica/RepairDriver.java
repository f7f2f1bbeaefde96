package dev.lattice.replica;

import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.merkle.Scope;
import java.util.List;

/** Runs a whole Merkle repair between two namespaces in one process, as a transport would. */
final class RepairDriver {
  private RepairDriver() {}

  /** Repairs {@code local} against {@code remote} over {@code scope}; both end up joined. Returns messages sent. */
  static int repair(Namespace local, Namespace remote, Scope scope) {
    RepairSession initiator = local.openRepair(scope);
    RepairSession responder = remote.answerRepair(Scope.all());
    int rounds = 0;
    while (!(initiator.isDone() && responder.isDone())) {
      if (++rounds > 100) {
        throw new AssertionError("repair did not finish in 100 rounds");
      }
      initiator.nextMessage().ifPresent(responder::receive);
      responder.nextMessage().ifPresent(initiator::receive);
    }
    List<String> keys = initiator.differingKeys();
    boolean whole = initiator.coversEverything();
    RepairStates theirs = remote.repairStates(keys);
    RepairStates mine = local.repairStates(keys);
    local.applyRepair(theirs, whole ? responder.startVector() : VersionVector.EMPTY);
    remote.applyRepair(mine, whole ? initiator.startVector() : VersionVector.EMPTY);
    return initiator.messagesSent() + responder.messagesSent();
  }
}
