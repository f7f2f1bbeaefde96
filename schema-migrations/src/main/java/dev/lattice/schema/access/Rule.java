package dev.lattice.schema.access;

/**
 * One way to be granted access to a document. A collection's read or write rules are a list of
 * these; any one that holds grants access, and an empty list grants nothing to clients.
 */
public sealed interface Rule {

  /** The document's owner field holds the user's id. Written {@code owner} in a schema file. */
  record Owner() implements Rule {
    @Override
    public String toString() {
      return "owner";
    }
  }

  /** The document's public field is set (read rules only). Written {@code public}. */
  record Public() implements Rule {
    @Override
    public String toString() {
      return "public";
    }
  }

  /** The user has this role. Written {@code role:<name>}; several such rules form a set of roles. */
  record Role(String role) implements Rule {
    @Override
    public String toString() {
      return "role:" + role;
    }
  }

  /** Any user with a verified token. Written {@code authenticated}. */
  record Authenticated() implements Rule {
    @Override
    public String toString() {
      return "authenticated";
    }
  }

  Rule OWNER = new Owner();
  Rule PUBLIC = new Public();
  Rule AUTHENTICATED = new Authenticated();

  /** The rule a schema file names, or null if the text names none. */
  static Rule parse(String text) {
    switch (text) {
      case "owner":
        return OWNER;
      case "public":
        return PUBLIC;
      case "authenticated":
        return AUTHENTICATED;
      default:
        if (text.startsWith("role:") && text.length() > "role:".length()) {
          return new Role(text.substring("role:".length()));
        }
        return null;
    }
  }
}
