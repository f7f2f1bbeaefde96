package dev.lattice.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BoundedSenderTest {

  @Test
  void utf8LengthMatchesTheEncoder() {
    for (String s : new String[] {"", "ascii", "é", "€uro", "𝄞 clef", "a\uD800b", "\uDC00", "日本語テキスト"}) {
      assertThat(BoundedSender.utf8Length(s)).as(s).isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
    }
  }
}
