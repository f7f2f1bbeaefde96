package dev.lattice.replica;

/** What a replica is in the topology; a client also keeps an outbound queue of its own writes. */
public enum Role {
  /** An edge node: a server others sync with. */
  EDGE,
  /** An application's replica: syncs with an edge and queues its writes until that edge acks them. */
  CLIENT
}
