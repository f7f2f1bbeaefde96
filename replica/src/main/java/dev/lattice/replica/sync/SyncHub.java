package dev.lattice.replica.sync;

import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.replica.log.Delta;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live sessions of one node, by namespace: fans each committed batch of deltas out to every
 * session but the one it came from, and refuses a second live session of the same client replica
 * (two processes sharing one copied store would otherwise mint the same dots). Thread-safe; each
 * session receives its deltas on its own thread through {@link SessionOutput#execute}.
 */
public final class SyncHub {

  /** A session as the hub sees it. */
  public interface Member {
    String namespace();

    ReplicaId peerReplica();

    /** Whether this peer's replica id must be unique among live sessions (clients: yes). */
    boolean exclusive();

    /** Delivers committed deltas; called from any thread, must hop to the session's own. */
    void deliver(List<Delta> committed);

    /**
     * Delivers document states this node joined from a peer's repair (they came with no deltas),
     * stored beside {@code vector}; called from any thread, must hop to the session's own.
     */
    void deliverStates(List<SyncMessage.State> states, dev.lattice.crdt.causal.VersionVector vector);
  }

  private final Map<String, Set<Member>> members = new ConcurrentHashMap<>();

  /** @throws SyncException {@code duplicate-replica} if an exclusive member of that replica is live */
  public synchronized void join(Member member) {
    Set<Member> set = members.computeIfAbsent(member.namespace(), n -> ConcurrentHashMap.newKeySet());
    if (member.exclusive()) {
      for (Member m : set) {
        if (m.exclusive() && m.peerReplica().equals(member.peerReplica())) {
          throw new SyncException(ErrorCode.DUPLICATE_REPLICA, "replica " + member.peerReplica()
              + " already has a live session in namespace " + member.namespace()
              + "; a copied store must draw a new replica id");
        }
      }
    }
    set.add(member);
  }

  public synchronized void leave(Member member) {
    Set<Member> set = members.get(member.namespace());
    if (set != null) {
      set.remove(member);
    }
  }

  /** Sends {@code committed} to every live session of {@code namespace} except {@code source}. */
  public void publish(String namespace, List<Delta> committed, Member source) {
    if (committed.isEmpty()) {
      return;
    }
    Set<Member> set = members.get(namespace);
    if (set == null) {
      return;
    }
    for (Member m : set) {
      if (m != source) {
        m.deliver(committed);
      }
    }
  }

  /** Sends repaired document states to every live session of {@code namespace} except {@code source}. */
  public void publishStates(String namespace, List<SyncMessage.State> states, dev.lattice.crdt.causal.VersionVector vector,
      Member source) {
    Set<Member> set = members.get(namespace);
    if (states.isEmpty() || set == null) {
      return;
    }
    for (Member m : set) {
      if (m != source) {
        m.deliverStates(states, vector);
      }
    }
  }

  public int sessions(String namespace) {
    Set<Member> set = members.get(namespace);
    return set == null ? 0 : set.size();
  }
}
