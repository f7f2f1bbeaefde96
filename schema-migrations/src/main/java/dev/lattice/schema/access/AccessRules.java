package dev.lattice.schema.access;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The access rules of one collection.
 *
 * @param ownerField the {@code lww} string field naming a document's owner, or null
 * @param publicField the {@code flag} (or {@code lww} boolean) field marking a document public, or null
 * @param read rules of which one must hold to read a document
 * @param write rules of which one must hold to write a document
 * @param privatePrefix a document-id template such as {@code "private/{userId}/"}: an id that starts
 *     with the literal part before {@code {userId}} belongs to the user named at that place, and only
 *     that user (and the server) may read or write it, whatever the rules say. Null for none.
 * @param serverPrefixes document-id prefixes of server-only documents: never sent to clients nor
 *     written by them
 */
public record AccessRules(
    String ownerField, String publicField, List<Rule> read, List<Rule> write,
    String privatePrefix, List<String> serverPrefixes) {

  public static final String USER_PLACEHOLDER = "{userId}";

  /** No client access at all: what a collection without an {@code access} entry gets. */
  public static final AccessRules NONE = new AccessRules(null, null, List.of(), List.of(), null, List.of());

  /** @throws IllegalArgumentException if the private prefix does not hold the placeholder exactly once */
  public AccessRules {
    read = List.copyOf(read);
    write = List.copyOf(write);
    serverPrefixes = List.copyOf(serverPrefixes);
    if (privatePrefix != null && (privatePrefix.indexOf(USER_PLACEHOLDER) < 0
        || privatePrefix.indexOf(USER_PLACEHOLDER) != privatePrefix.lastIndexOf(USER_PLACEHOLDER))) {
      throw new IllegalArgumentException("private prefix must hold " + USER_PLACEHOLDER + " once: '" + privatePrefix + "'");
    }
  }

  public Optional<String> owner() {
    return Optional.ofNullable(ownerField);
  }

  public Optional<String> publicFlag() {
    return Optional.ofNullable(publicField);
  }

  /** True if the id falls under a server prefix. */
  public boolean isServerOnly(String documentId) {
    for (String p : serverPrefixes) {
      if (documentId.startsWith(p)) {
        return true;
      }
    }
    return false;
  }

  /**
   * For an id under the private prefix, the user it belongs to; "" if the id starts like a
   * private id but does not fit the template (nobody's, so only the server may touch it); empty
   * if the id is not private.
   */
  public Optional<String> privateOwner(String documentId) {
    if (privatePrefix == null) {
      return Optional.empty();
    }
    Objects.requireNonNull(documentId, "documentId");
    int at = privatePrefix.indexOf(USER_PLACEHOLDER);
    String before = privatePrefix.substring(0, at);
    String after = privatePrefix.substring(at + USER_PLACEHOLDER.length());
    if (!documentId.startsWith(before)) {
      return Optional.empty();
    }
    String rest = documentId.substring(before.length());
    if (after.isEmpty()) {
      return Optional.of(rest);
    }
    int end = rest.indexOf(after);
    return Optional.of(end <= 0 ? "" : rest.substring(0, end));
  }
}
