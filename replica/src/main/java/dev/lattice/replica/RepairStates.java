package dev.lattice.replica;

import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.type.Document;
import java.util.List;

/**
 * Document states sent in a Merkle repair, with the vector they are stored beside (each stored
 * document keeps only the context dots that vector lacks, so the join needs it).
 */
public record RepairStates(List<State> states, VersionVector vector) {
  public RepairStates {
    states = List.copyOf(states);
  }

  public record State(String collection, String documentId, Document document) {}
}
