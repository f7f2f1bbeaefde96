package dev.lattice.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.type.FieldKey;
import dev.lattice.crdt.type.FieldKind;
import dev.lattice.crdt.type.LwwRegister;
import dev.lattice.crdt.value.Value;
import dev.lattice.replica.client.SyncClient;
import dev.lattice.replica.log.Delta;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Each way the public API could be misused is refused clearly, and stores nothing. */
class MisuseTest {
  @TempDir Path dir;

  private static ReplicaOptions.Builder options(Durability durability) {
    return ReplicaOptions.builder().durability(durability).random(new SplittableRandom(7)).role(Role.CLIENT);
  }

  @ParameterizedTest
  @EnumSource(Durability.class)
  void aNestedUpdateInsideAMutationIsRefusedAndNothingIsWritten(Durability durability) {
    try (Replica r = Replica.open(dir.resolve("n.mv.db"), options(durability).build())) {
      Collection tasks = r.namespace("n").collection("tasks");
      assertThatThrownBy(() -> tasks.update("outer", doc -> {
        doc.set("a", "1");
        tasks.update("inner", inner -> inner.set("b", "2"));
      })).isInstanceOf(ReplicaException.class)
          .hasMessageContaining("inside a mutation function")
          .extracting(e -> ((ReplicaException) e).reason()).isEqualTo(ReplicaException.Reason.INVALID_MUTATION);
      assertThat(tasks.get("outer")).isEmpty();
      assertThat(tasks.get("inner")).isEmpty();
      assertThat(r.namespace("n").vector().contiguous(r.id())).as("no dot taken").isZero();
      assertThat(r.namespace("n").outbox().size()).isZero();
      WriteReceipt next = tasks.update("t", doc -> doc.set("a", "ok"));
      assertThat(next.dot()).as("the next write takes the first dot").isEqualTo(new Dot(r.id(), 1));
    }
  }

  @Test
  void flushAndBatchInsideAMutationAreRefused() {
    try (Replica r = Replica.inMemory(options(Durability.SYNC).build())) {
      Collection c = r.namespace("n").collection("c");
      assertThatThrownBy(() -> c.update("x", doc -> r.flush())).isInstanceOf(ReplicaException.class)
          .hasMessageContaining("flush()");
      assertThatThrownBy(() -> c.update("x", doc -> r.batch(() -> { }))).isInstanceOf(ReplicaException.class)
          .hasMessageContaining("batch()");
      assertThatThrownBy(() -> r.batch(() -> r.flush())).isInstanceOf(ReplicaException.class)
          .hasMessageContaining("inside a batch");
      assertThatThrownBy(() -> r.batch(() -> r.batch(() -> { }))).isInstanceOf(ReplicaException.class)
          .hasMessageContaining("inside a batch");
      assertThat(c.get("x")).isEmpty();
    }
  }

  @Test
  void aChangeStoringAnotherReplicasDotIsRefusedLocally() {
    try (Replica r = Replica.inMemory(options(Durability.COMMIT).build())) {
      Collection c = r.namespace("n").collection("c");
      Dot foreign = new Dot(new ReplicaId(42), 1);
      LwwRegister forged = LwwRegister.EMPTY.assign(Value.of("forged"), 1L << 16, foreign);
      assertThatThrownBy(() -> c.update("d", doc -> doc.apply(new FieldKey("title", FieldKind.LWW), forged)))
          .isInstanceOf(ReplicaException.class).hasMessageContaining(foreign.toString())
          .extracting(e -> ((ReplicaException) e).reason()).isEqualTo(ReplicaException.Reason.INVALID_MUTATION);
      assertThat(c.get("d")).isEmpty();
      assertThat(r.namespace("n").vector().replicas()).isEmpty();
    }
  }

  @Test
  void aRemoteDeltaStoringADotOtherThanItsOwnIsRefusedAndNothingIsApplied() {
    try (Replica writer = Replica.inMemory(options(Durability.COMMIT).build());
        Replica edge = Replica.inMemory(ReplicaOptions.builder().durability(Durability.COMMIT).build())) {
      writer.namespace("n").collection("c").update("ok", doc -> doc.set("v", 1L));
      Delta honest = ((dev.lattice.replica.log.DeltaPage.Deltas) writer.namespace("n")
          .deltasSince(dev.lattice.crdt.causal.VersionVector.EMPTY, 1 << 20)).deltas().get(0);
      Dot claimed = new Dot(new ReplicaId(99), 5);
      Delta forged = new Delta(claimed, honest.hlc(), "c", "forged", honest.change());
      assertThatThrownBy(() -> edge.namespace("n").applyRemote(List.of(honest, forged)))
          .isInstanceOf(ReplicaException.class).hasMessageContaining(claimed.toString())
          .extracting(e -> ((ReplicaException) e).reason()).isEqualTo(ReplicaException.Reason.INVALID_MUTATION);
      assertThat(edge.namespace("n").collection("c").get("ok")).as("all or nothing").isEmpty();
      assertThat(edge.namespace("n").vector().replicas()).isEmpty();
    }
  }

  @Test
  void callbacksRunOnTheChosenExecutorAndMayFlushWithoutDeadlock() throws Exception {
    AtomicReference<String> callbackThread = new AtomicReference<>();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor(
        run -> new Thread(run, "user-callbacks"));
    try (Replica r = Replica.open(dir.resolve("cb.mv.db"), options(Durability.ASYNC).callbackExecutor(pool).build())) {
      Collection c = r.namespace("n").collection("c");
      WriteReceipt w = c.update("d", doc -> doc.set("v", 1L));
      CompletableFuture<Void> flushedInCallback = w.durable().thenRun(() -> {
        callbackThread.set(Thread.currentThread().getName());
        c.update("e", doc -> doc.set("v", 2L));
        r.flush();
      });
      flushedInCallback.get(10, TimeUnit.SECONDS);
      assertThat(callbackThread.get()).isEqualTo("user-callbacks");
      assertThat(c.get("e")).isPresent();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void listenersRunOnTheChosenExecutor() throws Exception {
    AtomicReference<String> listenerThread = new AtomicReference<>();
    CompletableFuture<Void> called = new CompletableFuture<>();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor(
        run -> new Thread(run, "user-listeners"));
    try (Replica r = Replica.inMemory(options(Durability.COMMIT).callbackExecutor(pool).build())) {
      Collection c = r.namespace("n").collection("c");
      c.listen(changes -> {
        listenerThread.set(Thread.currentThread().getName());
        called.complete(null);
      });
      c.update("d", doc -> doc.set("v", 1L));
      called.get(10, TimeUnit.SECONDS);
      assertThat(listenerThread.get()).isEqualTo("user-listeners");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aSyncClientOnAnEdgeReplicaIsRefusedAtBuild() {
    try (Replica edge = Replica.inMemory(ReplicaOptions.defaults())) {
      assertThatThrownBy(() -> SyncClient.builder(edge, URI.create("ws://localhost:1/v1/sync")).namespace("n").build())
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("role CLIENT");
    }
  }

  @Test
  void aWriteAfterCloseIsRefusedAndItsReceiptNeverHangs() throws Exception {
    Replica r = Replica.open(dir.resolve("closed.mv.db"), options(Durability.ASYNC).build());
    Collection c = r.namespace("n").collection("c");
    WriteReceipt before = c.update("d", doc -> doc.set("v", 1L));
    r.close();
    assertThat(before.durable()).succeedsWithin(Duration.ofSeconds(5));
    assertThatThrownBy(() -> c.update("e", doc -> doc.set("v", 1L))).isInstanceOf(ReplicaException.class)
        .extracting(e -> ((ReplicaException) e).reason()).isEqualTo(ReplicaException.Reason.CLOSED);
  }
}
