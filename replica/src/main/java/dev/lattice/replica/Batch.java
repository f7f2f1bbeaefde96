package dev.lattice.replica;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.VersionVector;
import dev.lattice.crdt.type.Document;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The writes of one {@link Replica#batch} call while its body runs. The body runs under the
 * replica's write lock; each update is computed at once against the documents as the batch has
 * left them (each with its own dot), but nothing reaches a map until the body returns. Then every
 * write is stored and one commit makes them durable together; if the body throws, they are
 * dropped and nothing was written.
 */
final class Batch {
  private final Replica replica;
  private final Map<Namespace, Stage> stages = new LinkedHashMap<>();
  private final List<Dot> dots = new ArrayList<>();

  /** One namespace's part of the batch. */
  private static final class Stage {
    final Map<String, Document> documents = new HashMap<>();
    final List<Namespace.Staged> writes = new ArrayList<>();
    final Map<String, Set<String>> changed = new LinkedHashMap<>();
    VersionVector applied;

    Stage(VersionVector applied) {
      this.applied = applied;
    }
  }

  Batch(Replica replica) {
    this.replica = replica;
  }

  /** Computes one mutation into the batch. */
  WriteReceipt stage(Namespace namespace, String collection, String id, Consumer<DocumentWriter> mutation) {
    Stage stage = stages.computeIfAbsent(namespace, n -> new Stage(n.appliedVector()));
    String key = Keys.document(collection, id);
    Document current = stage.documents.containsKey(key) ? stage.documents.get(key) : namespace.load(key);
    Namespace.Staged write = namespace.stage(key, collection, id, mutation, current, stage.applied,
        stage.applied.max(replica.id()) + 1);
    if (write == null) {
      return WriteReceipt.unchanged();
    }
    Dot dot = write.delta().dot();
    stage.applied = stage.applied.add(dot);
    stage.documents.put(key, write.after());
    stage.writes.add(write);
    stage.changed.computeIfAbsent(collection, c -> new HashSet<>()).add(id);
    dots.add(dot);
    return new WriteReceipt(dot, write.delta().hlc(), replica.committer(), replica.committer().ticket());
  }

  /** The document as the batch has left it, or null if the batch has not written it. */
  Document staged(Namespace namespace, String key) {
    Stage stage = stages.get(namespace);
    return stage == null ? null : stage.documents.get(key);
  }

  /** The documents the batch has written in {@code namespace}, by key. */
  Map<String, Document> stagedDocuments(Namespace namespace) {
    Stage stage = stages.get(namespace);
    return stage == null ? Map.of() : stage.documents;
  }

  /** Stores every write; under the write lock, after the body returned. */
  void write() {
    for (Map.Entry<Namespace, Stage> e : stages.entrySet()) {
      Namespace namespace = e.getKey();
      for (Namespace.Staged write : e.getValue().writes) {
        namespace.writeLog(write);
      }
      e.getValue().documents.forEach(namespace::storeDocument);
    }
  }

  /** Tells the listeners; outside the write lock. */
  void notifyListeners() {
    for (Map.Entry<Namespace, Stage> e : stages.entrySet()) {
      e.getValue().changed.forEach((collection, ids) -> e.getKey().listeners().changed(collection, ids, false));
    }
  }

  List<Dot> dots() {
    return dots;
  }
}
