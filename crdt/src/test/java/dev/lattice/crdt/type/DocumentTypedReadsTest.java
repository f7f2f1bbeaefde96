package dev.lattice.crdt.type;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.crdt.causal.Dot;
import dev.lattice.crdt.causal.ReplicaId;
import dev.lattice.crdt.value.Value;
import org.junit.jupiter.api.Test;

class DocumentTypedReadsTest {
  private static final ReplicaId R = new ReplicaId(7);

  private static Document written() {
    Dot d1 = new Dot(R, 1);
    Document doc = Document.EMPTY
        .with(new FieldKey("title", FieldKind.LWW), LwwRegister.EMPTY.assign(Value.of("Buy milk"), 10, d1))
        .with(new FieldKey("n", FieldKind.LWW), LwwRegister.EMPTY.assign(Value.of(42L), 10, d1))
        .with(new FieldKey("done", FieldKind.LWW), LwwRegister.EMPTY.assign(Value.of(true), 10, d1))
        .with(new FieldKey("votes", FieldKind.COUNTER), PnCounter.EMPTY.increment(3, d1))
        .with(new FieldKey("tags", FieldKind.SET), OrSet.EMPTY.add(Value.of("a"), d1))
        .with(new FieldKey("pinned", FieldKind.FLAG), Flag.EMPTY.enable(d1));
    return doc;
  }

  @Test
  void eachKindReadsAsItsJavaType() {
    Document doc = written();
    assertThat(doc.string("title")).contains("Buy milk");
    assertThat(doc.integer("n")).hasValue(42);
    assertThat(doc.bool("done")).contains(true);
    assertThat(doc.counter("votes")).isEqualTo(3);
    assertThat(doc.set("tags")).containsExactly(Value.of("a"));
    assertThat(doc.flag("pinned")).isTrue();
  }

  @Test
  void absentFieldsReadAsEmptyOrZero() {
    Document doc = Document.EMPTY;
    assertThat(doc.string("title")).isEmpty();
    assertThat(doc.integer("n")).isEmpty();
    assertThat(doc.counter("votes")).isZero();
    assertThat(doc.set("tags")).isEmpty();
    assertThat(doc.flag("pinned")).isFalse();
  }

  @Test
  void aValueOfAnotherTypeIsAClearError() {
    assertThatThrownBy(() -> written().string("n")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'n'").hasMessageContaining("Str");
  }
}
