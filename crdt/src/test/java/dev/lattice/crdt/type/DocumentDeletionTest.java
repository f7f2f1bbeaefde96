package dev.lattice.crdt.type;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.value.Value;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The documented deletion rule, one case per field kind. */
class DocumentDeletionTest {
  static final FieldKey TITLE = new FieldKey("title", FieldKind.LWW);
  static final FieldKey BODY = new FieldKey("body", FieldKind.LWW);
  static final FieldKey TAGS = new FieldKey("tags", FieldKind.SET);
  static final FieldKey VOTES = new FieldKey("votes", FieldKind.COUNTER);

  static final long A = 1;
  static final long B = 2;

  /** Document written by A, then seen by both replicas. */
  private final Document base = Document.EMPTY
      .with(TITLE, LwwRegister.EMPTY.assign(Value.of("draft"), 10, Dot.of(A, 1)))
      .with(BODY, LwwRegister.EMPTY.assign(Value.of("text"), 10, Dot.of(A, 1)))
      .with(TAGS, OrSet.EMPTY.add(Value.of("red"), Dot.of(A, 1)))
      .with(VOTES, PnCounter.EMPTY.increment(5, Dot.of(A, 1)));

  @Test
  void deleteRemovesTheDocument() {
    Document deleted = base.merge(base.deletion(Dot.of(B, 1)));
    assertThat(deleted.exists()).isFalse();
    assertThat(deleted.fields().keys()).isEmpty();
  }

  @Test
  void aConcurrentAssignmentSurvivesTheDeleteAndOnlyIt() {
    Document delete = base.deletion(Dot.of(B, 1));
    Document update = Document.of(TITLE, base.fields().lww("title").assign(Value.of("final"), 20, Dot.of(A, 2)));
    Document one = base.merge(delete).merge(update);
    Document other = base.merge(update).merge(delete);
    assertThat(one).isEqualTo(other);
    assertThat(one.exists()).isTrue();
    assertThat(one.fields().keys()).containsExactly(TITLE);
    assertThat(one.fields().lww("title").value()).contains(Value.of("final"));
  }

  @Test
  void aConcurrentAddBringsBackOnlyTheAddedElement() {
    Document delete = base.deletion(Dot.of(B, 1));
    Document add = Document.of(TAGS, base.fields().set("tags").add(Value.of("blue"), Dot.of(A, 2)));
    Document merged = base.merge(add).merge(delete);
    assertThat(merged.fields().set("tags").values()).containsExactly(Value.of("blue"));
  }

  @Test
  void aConcurrentIncrementBringsBackThatReplicasWholeContribution() {
    Document delete = base.deletion(Dot.of(B, 1));
    Document inc = Document.of(VOTES, base.fields().counter("votes").increment(1, Dot.of(A, 2)));
    Document merged = base.merge(delete).merge(inc);
    assertThat(merged.fields().counter("votes").value()).isEqualTo(6);
  }

  @Test
  void anIncrementAfterTheDeleteStartsFromZero() {
    Document deleted = base.merge(base.deletion(Dot.of(B, 1)));
    Document inc = Document.of(VOTES, deleted.fields().counter("votes").increment(1, Dot.of(A, 2)));
    assertThat(deleted.merge(inc).fields().counter("votes").value()).isEqualTo(1);
  }

  @Test
  void aStaleCopyCannotResurrectADeletedField() {
    Document deleted = base.merge(base.remove(BODY, Dot.of(B, 1)));
    assertThat(deleted.fields().keys()).doesNotContain(BODY);
    assertThat(deleted.merge(base)).isEqualTo(deleted);
    assertThat(base.merge(deleted).fields().keys()).containsExactly(TAGS, TITLE, VOTES);
  }

  @Test
  void oneMutationMayWriteSeveralFieldsUnderOneDot() {
    Document overwriteTitle = Document.of(TITLE, base.fields().lww("title").assign(Value.of("v2"), 30, Dot.of(B, 1)));
    Document merged = base.merge(overwriteTitle);
    assertThat(merged.fields().lww("body").value()).contains(Value.of("text"));
    assertThat(merged.fields().lww("title").value()).contains(Value.of("v2"));
    assertThat(merged.fields().keys()).hasSize(List.of(TITLE, BODY, TAGS, VOTES).size());
  }
}
