package dev.lattice.edge.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.edge.auth.AuthException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenSignerTest {
  static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
  private final TokenSigner signer = new TokenSigner(SECRET, Clock.fixed(NOW, ZoneOffset.UTC));

  @Test
  void roundTrip() throws Exception {
    UserToken t = new UserToken("notes", "alice", List.of("moderator", "admin", "admin"), NOW.getEpochSecond() + 60);
    String token = signer.sign(t);
    assertThat(token).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    UserToken back = signer.verify(token);
    assertThat(back).isEqualTo(t);
    assertThat(back.roles()).containsExactly("admin", "moderator");
  }

  @Test
  void thePayloadIsTheDocumentedJson() {
    String token = signer.sign(new UserToken("ns", "u", List.of("r"), 42));
    String payload = new String(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))), StandardCharsets.UTF_8);
    assertThat(payload).isEqualTo("{\"ns\":\"ns\",\"sub\":\"u\",\"roles\":[\"r\"],\"exp\":42}");
  }

  @Test
  void issueCountsTheTtlFromTheClock() throws Exception {
    UserToken t = signer.verify(signer.issue("n", "bob", List.of(), Duration.ofDays(30)));
    assertThat(t.expiresAtEpochSeconds()).isEqualTo(NOW.plus(Duration.ofDays(30)).getEpochSecond());
  }

  @Test
  void aTamperedPayloadFailsTheSignature() {
    String token = signer.sign(new UserToken("notes", "alice", List.of(), NOW.getEpochSecond() + 60));
    String forgedBody = Base64.getUrlEncoder().withoutPadding().encodeToString(
        ("{\"ns\":\"notes\",\"sub\":\"mallory\",\"roles\":[\"admin\"],\"exp\":" + (NOW.getEpochSecond() + 60) + "}")
            .getBytes(StandardCharsets.UTF_8));
    String forged = forgedBody + token.substring(token.indexOf('.'));
    assertReason(forged, Reason.BAD_SIGNATURE);
  }

  @Test
  void aTamperedSignatureFails() {
    String token = signer.sign(new UserToken("notes", "alice", List.of(), NOW.getEpochSecond() + 60));
    char last = token.charAt(token.length() - 2);
    String tampered = token.substring(0, token.length() - 2) + (last == 'A' ? 'B' : 'A') + token.charAt(token.length() - 1);
    assertReason(tampered, Reason.BAD_SIGNATURE);
  }

  @Test
  void anotherSecretsTokenFails() {
    TokenSigner other = new TokenSigner("another-secret-another-secret-xx".getBytes(StandardCharsets.UTF_8),
        Clock.fixed(NOW, ZoneOffset.UTC));
    assertReason(other.issue("notes", "alice", List.of(), Duration.ofHours(1)), Reason.BAD_SIGNATURE);
  }

  @Test
  void expiryIsExclusiveAndFollowsTheInjectedClock() throws Exception {
    String token = signer.sign(new UserToken("notes", "alice", List.of(), NOW.getEpochSecond() + 10));
    TokenSigner justBefore = new TokenSigner(SECRET, Clock.fixed(NOW.plusSeconds(9), ZoneOffset.UTC));
    TokenSigner atExpiry = new TokenSigner(SECRET, Clock.fixed(NOW.plusSeconds(10), ZoneOffset.UTC));
    assertThat(justBefore.verify(token).userId()).isEqualTo("alice");
    assertThatThrownBy(() -> atExpiry.verify(token))
        .isInstanceOfSatisfying(AuthException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.EXPIRED);
          assertThat(e.code()).isEqualTo("token-expired");
        })
        .hasMessageContaining("alice");
  }

  @ParameterizedTest
  @ValueSource(strings = {"garbage", ".", "a.", ".b", "a.b.c", "!!!.???", "e30.e30", "bm90IGpzb24.AAAA"})
  void garbageIsMalformedOrUnsigned(String token) {
    assertThatThrownBy(() -> signer.verify(token))
        .isInstanceOfSatisfying(AuthException.class, e -> assertThat(e.reason()).isIn(Reason.MALFORMED_TOKEN,
            Reason.BAD_SIGNATURE))
        .isInstanceOfSatisfying(AuthException.class, e -> assertThat(e.code()).isEqualTo("bad-token"));
  }

  @Test
  void signedButMalformedPayloadsAreMalformed() {
    for (String json : List.of("[]", "{\"ns\":\"n\",\"sub\":\"u\"}", "{\"ns\":\"n\",\"sub\":\"\",\"exp\":9999999999}",
        "{\"ns\":\"n\",\"sub\":\"u\",\"exp\":9999999999,\"admin\":true}", "{\"ns\":\"n\",\"sub\":\"u\",\"exp\":\"soon\"}",
        "{\"ns\":\"n\",\"sub\":\"u\",\"exp\":9999999999,\"roles\":[1]}", "not json")) {
      assertReason(signRaw(json), Reason.MALFORMED_TOKEN);
    }
  }

  @Test
  void overlongTokensAreRefusedUnread() {
    assertReason("a".repeat(TokenSigner.MAX_TOKEN_CHARS) + ".b", Reason.MALFORMED_TOKEN);
  }

  @Test
  void shortSecretsAreRefused() {
    assertThatThrownBy(() -> new TokenSigner(new byte[31], Clock.systemUTC())).hasMessageContaining("32 bytes");
  }

  /** A token with an arbitrary payload and a valid signature, as a holder of the secret could make. */
  private static String signRaw(String json) {
    try {
      String body = Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(SECRET, "HmacSHA256"));
      return body + "." + Base64.getUrlEncoder().withoutPadding()
          .encodeToString(mac.doFinal(body.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private void assertReason(String token, Reason reason) {
    assertThatThrownBy(() -> signer.verify(token))
        .isInstanceOfSatisfying(AuthException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }
}
