package dev.lattice.replica;

import java.nio.charset.StandardCharsets;

/** The rules for namespace, collection and document names, checked at the API boundary. */
final class Names {
  static final int MAX_NAMESPACE = 64;
  static final int MAX_COLLECTION = 64;
  static final int MAX_DOCUMENT_ID = 512;

  private Names() {}

  /** Namespaces and collections: ASCII letters, digits, '_', '-', '.', at most 64 characters. */
  static String checkIdentifier(String what, String name, int max) {
    if (name == null || name.isEmpty() || name.length() > max) {
      throw invalid(what + " must be 1 to " + max + " characters: '" + name + "'");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '_' || c == '-' || c == '.';
      if (!ok) {
        throw invalid(what + " '" + name + "' has a character outside [A-Za-z0-9_.-] at " + i);
      }
    }
    return name;
  }

  /** Document ids: any text without NUL, at most 512 bytes of UTF-8. */
  static String checkDocumentId(String id) {
    if (id == null || id.isEmpty()) {
      throw invalid("document id must not be empty");
    }
    if (id.indexOf('\0') >= 0) {
      throw invalid("document id must not contain NUL: '" + id.replace('\0', '?') + "'");
    }
    if (id.getBytes(StandardCharsets.UTF_8).length > MAX_DOCUMENT_ID) {
      throw invalid("document id longer than " + MAX_DOCUMENT_ID + " bytes: '" + id.substring(0, 32) + "...'");
    }
    return id;
  }

  private static ReplicaException invalid(String message) {
    return new ReplicaException(ReplicaException.Reason.INVALID_NAME, message);
  }
}
