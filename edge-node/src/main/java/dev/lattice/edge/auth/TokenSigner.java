package dev.lattice.edge.auth;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lattice.edge.auth.AuthException.Reason;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and verifies user tokens with HMAC-SHA256 (RFC 2104), in the shape of a JWT without its
 * header (the algorithm is fixed, so there is no {@code alg} to downgrade):
 *
 * <pre>base64url(payload) "." base64url(HMAC-SHA256(secret, base64url(payload)))</pre>
 *
 * where payload is the JSON object {@code {"ns":..,"sub":..,"roles":[..],"exp":..}}, {@code exp}
 * in epoch seconds, base64url without padding. The MAC covers the encoded payload text, so the
 * verifier checks exactly the bytes it received and never has to re-serialise JSON the same way.
 *
 * <p>Verification checks the MAC before reading the JSON, in constant time
 * ({@link MessageDigest#isEqual}); a token is accepted while {@code now < exp} by the injected
 * clock. Thread-safe.
 */
public final class TokenSigner {
  /** A token longer than this is refused unread. */
  public static final int MAX_TOKEN_CHARS = 4096;
  private static final String ALGORITHM = "HmacSHA256";
  private static final Set<String> FIELDS = Set.of("ns", "sub", "roles", "exp");

  private final SecretKeySpec key;
  private final Clock clock;
  private final ObjectMapper json;

  /**
   * @param secret the HMAC key, at least 32 bytes
   * @param clock what "now" is for expiry
   * @throws IllegalArgumentException if the secret is shorter than 32 bytes
   */
  public TokenSigner(byte[] secret, Clock clock) {
    if (secret.length < 32) {
      throw new IllegalArgumentException("a token secret needs at least 32 bytes, got " + secret.length);
    }
    this.key = new SecretKeySpec(secret.clone(), ALGORITHM);
    this.clock = Objects.requireNonNull(clock, "clock");
    JsonFactory factory = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(4).maxStringLength(MAX_TOKEN_CHARS).build())
        .build();
    this.json = new ObjectMapper(factory);
  }

  /** A token for {@code userId} in {@code namespace}, valid for {@code ttl} from now. */
  public String issue(String namespace, String userId, List<String> roles, Duration ttl) {
    return sign(new UserToken(namespace, userId, roles, clock.instant().plus(ttl).getEpochSecond()));
  }

  public String sign(UserToken token) {
    ObjectNode payload = json.createObjectNode();
    payload.put("ns", token.namespace());
    payload.put("sub", token.userId());
    ArrayNode roles = payload.putArray("roles");
    token.roles().forEach(roles::add);
    payload.put("exp", token.expiresAtEpochSeconds());
    String body;
    try {
      body = b64(json.writeValueAsBytes(payload));
    } catch (JacksonException e) {
      throw new IllegalStateException("cannot encode a token payload", e);
    }
    return body + "." + b64(mac(body));
  }

  /**
   * The token's claims, if its signature verifies and it has not expired. Says nothing about
   * which namespace it is used for; {@link Authenticator} checks that.
   *
   * @throws AuthException MALFORMED_TOKEN, BAD_SIGNATURE or EXPIRED
   */
  public UserToken verify(String token) throws AuthException {
    if (token == null || token.isEmpty()) {
      throw new AuthException(Reason.MISSING, "no token");
    }
    if (token.length() > MAX_TOKEN_CHARS) {
      throw new AuthException(Reason.MALFORMED_TOKEN, "token longer than " + MAX_TOKEN_CHARS + " characters");
    }
    int dot = token.indexOf('.');
    if (dot <= 0 || dot != token.lastIndexOf('.') || dot == token.length() - 1) {
      throw new AuthException(Reason.MALFORMED_TOKEN, "a token is two base64url parts joined by one '.'");
    }
    String body = token.substring(0, dot);
    byte[] presented = unb64(token.substring(dot + 1), "signature");
    if (!MessageDigest.isEqual(presented, mac(body))) {
      throw new AuthException(Reason.BAD_SIGNATURE, "token signature does not verify");
    }
    UserToken t = parse(unb64(body, "payload"));
    long now = clock.instant().getEpochSecond();
    if (now >= t.expiresAtEpochSeconds()) {
      throw new AuthException(Reason.EXPIRED, "token of user '" + t.userId() + "' expired at epoch second "
          + t.expiresAtEpochSeconds() + " (now " + now + ")");
    }
    return t;
  }

  private UserToken parse(byte[] payload) throws AuthException {
    JsonNode node;
    try {
      node = json.readTree(payload);
    } catch (java.io.IOException e) {
      throw new AuthException(Reason.MALFORMED_TOKEN, "token payload is not JSON");
    }
    if (node == null || !node.isObject()) {
      throw new AuthException(Reason.MALFORMED_TOKEN, "token payload is not a JSON object");
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f)) {
        throw new AuthException(Reason.MALFORMED_TOKEN, "token payload has an unknown field '" + f + "'");
      }
    }
    JsonNode ns = node.get("ns");
    JsonNode sub = node.get("sub");
    JsonNode roles = node.get("roles");
    JsonNode exp = node.get("exp");
    if (ns == null || !ns.isTextual() || sub == null || !sub.isTextual() || exp == null || !exp.isIntegralNumber()
        || !exp.canConvertToLong() || (roles != null && !roles.isArray())) {
      throw new AuthException(Reason.MALFORMED_TOKEN, "token payload needs ns and sub (strings), exp (an integer)"
          + " and optionally roles (a list of strings)");
    }
    List<String> roleList = new ArrayList<>();
    if (roles != null) {
      for (JsonNode r : roles) {
        if (!r.isTextual()) {
          throw new AuthException(Reason.MALFORMED_TOKEN, "token roles must be strings");
        }
        roleList.add(r.textValue());
      }
    }
    try {
      return new UserToken(ns.textValue(), sub.textValue(), roleList, exp.longValue());
    } catch (IllegalArgumentException e) {
      throw new AuthException(Reason.MALFORMED_TOKEN, "token payload: " + e.getMessage());
    }
  }

  private byte[] mac(String body) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac.doFinal(body.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is required of every Java runtime", e);
    }
  }

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static byte[] unb64(String text, String part) throws AuthException {
    try {
      return Base64.getUrlDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new AuthException(Reason.MALFORMED_TOKEN, "token " + part + " is not base64url");
    }
  }
}
