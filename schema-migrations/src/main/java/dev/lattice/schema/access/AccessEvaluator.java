package dev.lattice.schema.access;

import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.type.FieldKey;
import dev.lattice.crdt.type.FieldKind;
import dev.lattice.crdt.value.Value;
import dev.lattice.schema.Claims;
import dev.lattice.schema.CollectionSpec;
import dev.lattice.schema.FieldSpec;
import dev.lattice.schema.Schema;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one place that decides who may read and write what, over the current schema version's
 * access rules, the token's claims and the document's own fields. Catch-up, live broadcast and
 * Merkle repair all ask this class, so a document hidden on one path is hidden on every path.
 *
 * <p>Order of the decision, first match wins:
 *
 * <ol>
 *   <li>the {@linkplain Claims#ofServer() server} may do anything;
 *   <li>an unknown collection, or a document id under a server prefix: nobody else;
 *   <li>a document id under the private prefix: only the user it names, whatever the rules say
 *       (roles do not open another user's private data);
 *   <li>otherwise: any one of the collection's read (or write) rules. No rules, no access.
 * </ol>
 *
 * Writes also pass the written fields' own write rules, which narrow the collection's.
 */
public final class AccessEvaluator {
  private final Schema schema;

  public AccessEvaluator(Schema schema) {
    this.schema = Objects.requireNonNull(schema, "schema");
  }

  /**
   * The decision that the identity, the collection and the document id settle alone (steps 1 to 3
   * of the rule in docs/SCHEMA.md), shared by reads and writes; empty when the rules must decide.
   */
  private Optional<Boolean> settledByIdentity(String collection, String documentId, Claims claims) {
    if (claims.server()) {
      return Optional.of(true);
    }
    Optional<CollectionSpec> spec = schema.current().collection(collection);
    if (spec.isEmpty() || spec.get().access().isServerOnly(documentId)) {
      return Optional.of(false);
    }
    Optional<String> privateOwner = spec.get().access().privateOwner(documentId);
    if (privateOwner.isPresent()) {
      return Optional.of(!privateOwner.get().isEmpty() && privateOwner.get().equals(claims.userId()));
    }
    return Optional.empty();
  }

  /** May {@code claims} see {@code document} (in current-version names)? */
  public boolean canRead(String collection, String documentId, Document document, Claims claims) {
    Optional<Boolean> settled = settledByIdentity(collection, documentId, claims);
    if (settled.isPresent()) {
      return settled.get();
    }
    CollectionSpec spec = schema.current().collection(collection).orElseThrow();
    AccessRules rules = spec.access();
    for (Rule r : rules.read()) {
      if (holdsForRead(r, rules, document, claims)) {
        return true;
      }
    }
    return false;
  }

  /**
   * May {@code claims} learn that a document was deleted? The deletion carries no values, only the
   * id and what it removes, and the stored document that decided access is gone. A document under
   * another user's private prefix: never; otherwise anyone who may read some documents of the
   * collection (so an owner's other devices see the delete; documented as revealing the id).
   */
  public boolean mayLearnDeletion(String collection, String documentId, Claims claims) {
    Optional<Boolean> settled = settledByIdentity(collection, documentId, claims);
    if (settled.isPresent()) {
      return settled.get();
    }
    return readableCollections(claims).contains(collection);
  }

  /**
   * May {@code claims} apply {@code change} (current-version names) to the stored {@code current}?
   * Checks the collection's write rules and each written field's own write rules.
   */
  public boolean canWrite(String collection, String documentId, Document current, Document change, Claims claims) {
    Optional<Boolean> settled = settledByIdentity(collection, documentId, claims);
    if (settled.isPresent()) {
      return settled.get();
    }
    CollectionSpec spec = schema.current().collection(collection).orElseThrow();
    AccessRules rules = spec.access();
    if (!anyHoldsForWrite(rules.write(), rules, current, change, claims)) {
      return false;
    }
    for (var e : change.fields().entries()) {
      if (!canWriteField(spec, e.getKey().name(), current, change, claims)) {
        return false;
      }
    }
    return true;
  }

  /** Does the field's own write list (if any) let {@code claims} write it? Server-only fields: never. */
  public boolean canWriteField(CollectionSpec spec, String field, Document current, Document change, Claims claims) {
    if (claims.server()) {
      return true;
    }
    if (spec.isServerOnly(field)) {
      return false;
    }
    FieldSpec f = spec.fields().get(field);
    return f == null || f.writeRules() == null || anyHoldsForWrite(f.writeRules(), spec.access(), current, change, claims);
  }

  /**
   * The collections in which {@code claims} may read at least some documents: the scope of a
   * client's Merkle repair. Per-document checks still apply within each.
   */
  public Set<String> readableCollections(Claims claims) {
    Set<String> out = new TreeSet<>();
    for (CollectionSpec c : schema.current().collections().values()) {
      if (claims.server() || c.access().privatePrefix() != null || c.access().read().stream().anyMatch(r ->
          !(r instanceof Rule.Role role) || claims.hasRole(role.role()))) {
        out.add(c.name());
      }
    }
    return out;
  }

  private boolean holdsForRead(Rule r, AccessRules rules, Document doc, Claims claims) {
    if (r instanceof Rule.Owner) {
      return ownerOf(rules, doc).map(claims.userId()::equals).orElse(false);
    }
    if (r instanceof Rule.Public) {
      return isPublic(rules, doc);
    }
    if (r instanceof Rule.Role role) {
      return claims.hasRole(role.role());
    }
    return r instanceof Rule.Authenticated;
  }

  private boolean anyHoldsForWrite(List<Rule> list, AccessRules rules, Document current, Document change, Claims claims) {
    for (Rule r : list) {
      if (r instanceof Rule.Owner ? ownsAfterWrite(rules, current, change, claims.userId())
          : r instanceof Rule.Role role ? claims.hasRole(role.role()) : r instanceof Rule.Authenticated) {
        return true;
      }
    }
    return false;
  }

  /**
   * The owner rule for writes: an existing document must be the user's, a new one must be
   * created with the user as owner, and no write may hand a document to someone else.
   */
  private static boolean ownsAfterWrite(AccessRules rules, Document current, Document change, String userId) {
    Optional<String> after = ownerOf(rules, current.merge(change));
    if (current.exists()) {
      return ownerOf(rules, current).map(userId::equals).orElse(false) && after.map(userId::equals).orElse(true);
    }
    return after.map(userId::equals).orElse(false);
  }

  private static Optional<String> ownerOf(AccessRules rules, Document doc) {
    if (rules.ownerField() == null) {
      return Optional.empty();
    }
    return doc.fields().lww(rules.ownerField()).value()
        .filter(v -> v instanceof Value.Str).map(v -> ((Value.Str) v).value());
  }

  private static boolean isPublic(AccessRules rules, Document doc) {
    String f = rules.publicField();
    if (f == null) {
      return false;
    }
    if (doc.fields().flag(f).enabled()) {
      return true;
    }
    return doc.fields().get(new FieldKey(f, FieldKind.LWW)) instanceof dev.lattice.crdt.type.LwwRegister l
        && l.value().filter(Value.TRUE::equals).isPresent();
  }
}
