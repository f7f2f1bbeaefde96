package dev.lattice.edge.auth;

import dev.lattice.edge.auth.AuthException.Reason;
import dev.lattice.edge.config.EdgeConfig;
import dev.lattice.edge.config.NamespaceConfig;
import dev.lattice.schema.Claims;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Turns a credential presented for a namespace into the {@link Claims} that access rules are
 * evaluated against. Two kinds of credential:
 *
 * <ul>
 *   <li>an <b>API key</b> of that namespace: {@link Claims#ofServer()}, for peers, back ends and
 *       operators; it sees and writes everything, server-only data included;
 *   <li>a <b>user token</b> signed by {@link TokenSigner} for that namespace:
 *       {@link Claims#user(String, java.util.Set)} with its user id and roles.
 * </ul>
 *
 * API keys are compared as SHA-256 digests with {@link MessageDigest#isEqual}, against every key
 * of the namespace without stopping at a match, so neither a key's length nor which key matched
 * shows in the time taken. Immutable and thread-safe.
 */
public final class Authenticator {
  private final Map<String, List<byte[]>> keyDigests;
  private final TokenSigner signer;

  /**
   * @param apiKeys the API keys of each served namespace (a namespace with no keys is served to
   *     token holders only)
   */
  public Authenticator(Map<String, List<String>> apiKeys, TokenSigner signer) {
    this.signer = Objects.requireNonNull(signer, "signer");
    Map<String, List<byte[]>> digests = new TreeMap<>();
    apiKeys.forEach((ns, keys) -> digests.put(ns, keys.stream().map(Authenticator::digest).toList()));
    this.keyDigests = Collections.unmodifiableMap(digests);
  }

  /** The namespaces and keys of a configuration. */
  public static Authenticator of(EdgeConfig config, TokenSigner signer) {
    Map<String, List<String>> keys = new TreeMap<>();
    for (NamespaceConfig ns : config.namespaces()) {
      keys.put(ns.name(), ns.apiKeys());
    }
    return new Authenticator(keys, signer);
  }

  public TokenSigner signer() {
    return signer;
  }

  /**
   * The claims {@code credential} grants on {@code namespace}.
   *
   * @param credential an API key or a user token, as sent after {@code Bearer }; null if none
   * @throws AuthException UNKNOWN_NAMESPACE, MISSING, MALFORMED_TOKEN, BAD_SIGNATURE, EXPIRED or
   *     WRONG_NAMESPACE
   */
  public Claims authenticate(String namespace, String credential) throws AuthException {
    List<byte[]> keys = keyDigests.get(namespace);
    if (keys == null) {
      throw new AuthException(Reason.UNKNOWN_NAMESPACE, "namespace '" + namespace + "' is not served here");
    }
    if (credential == null || credential.isBlank()) {
      throw new AuthException(Reason.MISSING, "no credential for namespace '" + namespace + "'");
    }
    if (matches(keys, digest(credential))) {
      return Claims.ofServer();
    }
    if (credential.indexOf('.') < 0) {
      throw new AuthException(Reason.MALFORMED_TOKEN, "not an API key of namespace '" + namespace + "' nor a user token");
    }
    UserToken token = signer.verify(credential);
    if (!token.namespace().equals(namespace)) {
      throw new AuthException(Reason.WRONG_NAMESPACE, "token of user '" + token.userId() + "' is for namespace '"
          + token.namespace() + "', not '" + namespace + "'");
    }
    return Claims.user(token.userId(), token.roleSet());
  }

  /**
   * Every served namespace {@code credential} is good for, with its claims, in name order: all
   * namespaces that list the API key, or the one namespace of a user token.
   *
   * @throws AuthException MISSING, or the reason the credential fits no namespace
   */
  public SortedMap<String, Claims> namespacesFor(String credential) throws AuthException {
    if (credential == null || credential.isBlank()) {
      throw new AuthException(Reason.MISSING, "no credential");
    }
    SortedMap<String, Claims> out = new TreeMap<>();
    byte[] d = digest(credential);
    keyDigests.forEach((ns, keys) -> {
      if (matches(keys, d)) {
        out.put(ns, Claims.ofServer());
      }
    });
    if (!out.isEmpty()) {
      return out;
    }
    if (credential.indexOf('.') < 0) {
      throw new AuthException(Reason.MALFORMED_TOKEN, "not an API key of any namespace nor a user token");
    }
    UserToken token = signer.verify(credential);
    if (!keyDigests.containsKey(token.namespace())) {
      throw new AuthException(Reason.WRONG_NAMESPACE, "token of user '" + token.userId() + "' is for namespace '"
          + token.namespace() + "', which this node does not serve");
    }
    out.put(token.namespace(), Claims.user(token.userId(), token.roleSet()));
    return out;
  }

  /** The served namespace names. */
  public List<String> namespaces() {
    return new ArrayList<>(keyDigests.keySet());
  }

  private static boolean matches(List<byte[]> keys, byte[] candidate) {
    boolean found = false;
    for (byte[] k : keys) {
      found |= MessageDigest.isEqual(k, candidate);
    }
    return found;
  }

  private static byte[] digest(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
    }
  }
}
