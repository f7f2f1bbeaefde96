package dev.lattice.edge.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.edge.auth.AuthException.Reason;
import dev.lattice.schema.Claims;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthenticatorTest {
  static final String NOTES_KEY = "notes-key-0123456789";
  static final String SHARED_KEY = "shared-key-0123456789";
  private final TokenSigner signer = new TokenSigner(TokenSignerTest.SECRET, Clock.fixed(TokenSignerTest.NOW, ZoneOffset.UTC));
  private final Authenticator auth = new Authenticator(
      Map.of("notes", List.of(NOTES_KEY, SHARED_KEY), "chat", List.of(SHARED_KEY), "open", List.of()), signer);

  @Test
  void anApiKeyGrantsServerClaimsOnItsNamespaces() throws Exception {
    assertThat(auth.authenticate("notes", NOTES_KEY)).isEqualTo(Claims.ofServer());
    assertThat(auth.authenticate("chat", SHARED_KEY)).isEqualTo(Claims.ofServer());
    assertThat(auth.namespacesFor(SHARED_KEY)).containsOnlyKeys("chat", "notes");
    assertReason(() -> auth.authenticate("chat", NOTES_KEY), Reason.MALFORMED_TOKEN, "bad-token");
  }

  @Test
  void aUserTokenGrantsItsUserAndRolesOnItsNamespaceOnly() throws Exception {
    String token = signer.issue("notes", "alice", List.of("moderator"), Duration.ofHours(1));
    assertThat(auth.authenticate("notes", token)).isEqualTo(Claims.user("alice", "moderator"));
    assertThat(auth.namespacesFor(token)).containsExactly(Map.entry("notes", Claims.user("alice", "moderator")));
    assertReason(() -> auth.authenticate("chat", token), Reason.WRONG_NAMESPACE, "bad-token");
  }

  @Test
  void aNamespaceWithoutKeysStillTakesTokens() throws Exception {
    assertThat(auth.authenticate("open", signer.issue("open", "u", List.of(), Duration.ofHours(1))))
        .isEqualTo(Claims.user("u"));
  }

  @Test
  void refusalsCarryTheirWireCodes() {
    assertReason(() -> auth.authenticate("nope", NOTES_KEY), Reason.UNKNOWN_NAMESPACE, "unknown-namespace");
    assertReason(() -> auth.authenticate("notes", null), Reason.MISSING, "unauthenticated");
    assertReason(() -> auth.authenticate("notes", " "), Reason.MISSING, "unauthenticated");
    assertReason(() -> auth.authenticate("notes", "x.y"), Reason.MALFORMED_TOKEN, "bad-token");
    String expired = signer.sign(new UserToken("notes", "a", List.of(), TokenSignerTest.NOW.getEpochSecond()));
    assertReason(() -> auth.authenticate("notes", expired), Reason.EXPIRED, "token-expired");
    String elsewhere = signer.issue("gone", "a", List.of(), Duration.ofHours(1));
    assertReason(() -> auth.namespacesFor(elsewhere), Reason.WRONG_NAMESPACE, "bad-token");
    assertReason(() -> auth.namespacesFor("wrong-key-0123456789"), Reason.MALFORMED_TOKEN, "bad-token");
    assertReason(() -> auth.namespacesFor(null), Reason.MISSING, "unauthenticated");
  }

  private static void assertReason(ThrowingCall call, Reason reason, String code) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(AuthException.class, e -> {
      assertThat(e.reason()).isEqualTo(reason);
      assertThat(e.code()).isEqualTo(code);
    });
  }

  private interface ThrowingCall {
    void run() throws Exception;
  }
}
