package dev.lattice.schema.load;

import dev.lattice.crdt.merge.MergeHandler;
import dev.lattice.crdt.merge.MergeLaws;
import dev.lattice.crdt.value.Value;
import dev.lattice.schema.CollectionSpec;
import dev.lattice.schema.FieldSpec;
import dev.lattice.schema.FieldType;
import dev.lattice.schema.SchemaException;
import dev.lattice.schema.SchemaException.Reason;
import dev.lattice.schema.SchemaLimits;
import dev.lattice.schema.SchemaVersion;
import dev.lattice.schema.ValueSchema;
import dev.lattice.schema.access.AccessRules;
import dev.lattice.schema.access.Rule;
import dev.lattice.schema.migrate.MigrationStep;
import dev.lattice.schema.migrate.ValueConverter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Turns one file's {@link Node} tree into a {@link SchemaVersion}, checking everything that one
 * file alone can tell: shapes, names, bounds, references between entries, handlers (including
 * their join laws) and converters. What needs the previous version is {@link HistoryValidator}'s.
 */
final class VersionParser {
  private static final Set<String> ROOT_KEYS =
      Set.of("namespace", "version", "minimumClientVersion", "collections", "replication", "migrate");
  private static final Set<String> COLLECTION_KEYS = Set.of("fields", "access");
  private static final Set<String> FIELD_KEYS = Set.of("type", "handler", "value", "default", "write");
  private static final Set<String> VALUE_KEYS = Set.of("type", "minLength", "maxLength", "pattern", "min", "max", "nullable");
  private static final Set<String> ACCESS_KEYS = Set.of("owner", "public", "read", "write", "privatePrefix", "serverPrefixes");

  private final Reading in;
  private final HandlerResolver resolver;
  private final SchemaLimits limits;
  /** Law checks already run in this load, by handler and value schema: files repeat fields across versions. */
  private final Map<List<Object>, Optional<MergeLaws.Counterexample>> lawCache;

  VersionParser(String file, HandlerResolver resolver, SchemaLimits limits,
      Map<List<Object>, Optional<MergeLaws.Counterexample>> lawCache) {
    this.in = new Reading(file);
    this.resolver = resolver;
    this.limits = limits;
    this.lawCache = lawCache;
  }

  SchemaVersion parse(Node rootNode) throws SchemaException {
    Node.MapNode root = in.map(rootNode);
    in.onlyKeys(root, ROOT_KEYS);
    Node nsNode = in.required(root, "namespace");
    String namespace = in.string(nsNode);
    if (!namespace.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")) {
      throw in.fail(nsNode, Reason.INVALID_VALUE, "namespace '" + namespace
          + "' must be a letter or digit followed by up to 127 letters, digits, '_', '.' or '-'");
    }
    Node versionNode = in.required(root, "version");
    long version = in.integer(versionNode);
    if (version < 1 || version > 1_000_000) {
      throw in.fail(versionNode, Reason.INVALID_VALUE, "version must be 1 or more, got " + version);
    }
    Integer minimum = null;
    Optional<Node> minNode = in.optional(root, "minimumClientVersion");
    if (minNode.isPresent()) {
      long m = in.integer(minNode.get());
      if (m < 1 || m > version) {
        throw in.fail(minNode.get(), Reason.INVALID_VALUE,
            "minimumClientVersion must be between 1 and this file's version " + version + ", got " + m);
      }
      minimum = (int) m;
    }

    Node.MapNode collectionsNode = in.map(in.required(root, "collections"));
    Map<String, Node.MapNode> collectionNodes = new LinkedHashMap<>();
    Map<String, Map<String, FieldSpec>> fieldsByCollection = new LinkedHashMap<>();
    for (var e : collectionsNode.entries().entrySet()) {
      String name = in.checkName(e.getValue(), e.getKey(), "collection");
      Node.MapNode c = in.map(e.getValue());
      in.onlyKeys(c, COLLECTION_KEYS);
      collectionNodes.put(name, c);
      fieldsByCollection.put(name, fields(in.map(in.required(c, "fields"))));
    }

    Map<String, Set<String>> excluded = replication(root, fieldsByCollection);

    Map<String, CollectionSpec> collections = new LinkedHashMap<>();
    for (var e : collectionNodes.entrySet()) {
      Map<String, FieldSpec> fields = fieldsByCollection.get(e.getKey());
      Optional<Node> accessNode = in.optional(e.getValue(), "access");
      AccessRules access = accessNode.isPresent() ? access(in.map(accessNode.get()), fields) : AccessRules.NONE;
      collections.put(e.getKey(), new CollectionSpec(e.getKey(), fields, access,
          excluded.getOrDefault(e.getKey(), Set.of())));
    }

    Map<String, List<MigrationStep>> migration = new LinkedHashMap<>();
    Optional<Node> migrateNode = in.optional(root, "migrate");
    if (migrateNode.isPresent()) {
      if (version == 1) {
        throw in.fail(migrateNode.get(), Reason.INVALID_VALUE, "version 1 has no previous version to migrate from");
      }
      for (var e : in.map(migrateNode.get()).entries().entrySet()) {
        if (!collections.containsKey(e.getKey())) {
          throw in.fail(e.getValue(), Reason.BAD_REFERENCE,
              "migration for collection '" + e.getKey() + "', which this version does not declare");
        }
        migration.put(e.getKey(), steps(in.list(e.getValue())));
      }
    }
    return new SchemaVersion(namespace, (int) version, in.file, collections, migration, minimum);
  }

  private Map<String, FieldSpec> fields(Node.MapNode fieldsNode) throws SchemaException {
    Map<String, FieldSpec> fields = new LinkedHashMap<>();
    for (var e : fieldsNode.entries().entrySet()) {
      String name = in.checkName(e.getValue(), e.getKey(), "field");
      fields.put(name, field(name, e.getValue()));
    }
    return fields;
  }

  private FieldSpec field(String name, Node node) throws SchemaException {
    // "title: lww" is short for "title: { type: lww }"; "title: {}" takes the default type.
    if (node instanceof Node.Scalar) {
      return new FieldSpec(name, type(node), null, null, null, null);
    }
    Node.MapNode m = in.map(node);
    in.onlyKeys(m, FIELD_KEYS);
    Optional<Node> typeNode = in.optional(m, "type");
    FieldType type = typeNode.isPresent() ? type(typeNode.get()) : FieldType.LWW;

    ValueSchema value = null;
    Optional<Node> valueNode = in.optional(m, "value");
    if (valueNode.isPresent()) {
      if (!type.holdsValues()) {
        throw in.fail(valueNode.get(), Reason.INVALID_VALUE, "a " + type.fileName()
            + " field holds no values to check; a value schema applies to lww, mvreg, custom and set fields");
      }
      value = valueSchema(in.map(valueNode.get()));
    }

    MergeHandler handler = null;
    Optional<Node> handlerNode = in.optional(m, "handler");
    if (type == FieldType.CUSTOM) {
      Node h = in.required(m, "handler");
      handler = handler(h, value);
    } else if (handlerNode.isPresent()) {
      throw in.fail(handlerNode.get(), Reason.INVALID_VALUE, "only custom fields name a handler; this field is "
          + type.fileName());
    }

    Value defaultValue = null;
    Optional<Node> defaultNode = in.optional(m, "default");
    if (defaultNode.isPresent()) {
      if (!type.isRegister()) {
        throw in.fail(defaultNode.get(), Reason.INVALID_VALUE, "a " + type.fileName()
            + " field has its own empty state (0, empty, off); defaults apply to lww, mvreg and custom fields");
      }
      defaultValue = scalarValue(defaultNode.get());
      if (value != null) {
        Optional<ValueSchema.Violation> bad = value.check(defaultValue);
        if (bad.isPresent()) {
          throw in.fail(defaultNode.get(), Reason.INVALID_VALUE, "default " + defaultValue
              + " breaks the field's value schema: " + bad.get().detail());
        }
      }
    }

    List<Rule> write = null;
    Optional<Node> writeNode = in.optional(m, "write");
    if (writeNode.isPresent()) {
      write = rules(in.list(writeNode.get()), false);
    }
    return new FieldSpec(name, type, handler, value, defaultValue, write);
  }

  private FieldType type(Node n) throws SchemaException {
    String s = in.string(n);
    FieldType t = FieldType.ofFileName(s);
    if (t == null) {
      throw in.fail(n, Reason.INVALID_VALUE,
          "unknown field type '" + s + "'; expected one of lww, mvreg, counter, set, map, flag, custom");
    }
    return t;
  }

  private ValueSchema valueSchema(Node.MapNode m) throws SchemaException {
    in.onlyKeys(m, VALUE_KEYS);
    Node typeNode = in.required(m, "type");
    String typeName = in.string(typeNode);
    ValueSchema.Type type = ValueSchema.Type.ofFileName(typeName);
    if (type == null) {
      throw in.fail(typeNode, Reason.INVALID_VALUE,
          "unknown value type '" + typeName + "'; expected one of string, number, integer, boolean, json");
    }
    boolean text = type == ValueSchema.Type.STRING || type == ValueSchema.Type.JSON;
    boolean numeric = type == ValueSchema.Type.NUMBER || type == ValueSchema.Type.INTEGER;
    Integer minLength = bound(m, "minLength", text, typeName) ? in.nonNegativeInt(m.entries().get("minLength")) : null;
    Integer maxLength = bound(m, "maxLength", text, typeName) ? in.nonNegativeInt(m.entries().get("maxLength")) : null;
    if (minLength != null && maxLength != null && minLength > maxLength) {
      throw in.fail(m.entries().get("maxLength"), Reason.INVALID_VALUE,
          "maxLength " + maxLength + " is below minLength " + minLength);
    }
    Pattern pattern = null;
    if (bound(m, "pattern", type == ValueSchema.Type.STRING, typeName)) {
      Node p = m.entries().get("pattern");
      try {
        pattern = Pattern.compile(in.string(p));
      } catch (PatternSyntaxException e) {
        throw in.fail(p, Reason.INVALID_VALUE, "pattern does not compile: " + e.getDescription());
      }
    }
    Double min = bound(m, "min", numeric, typeName) ? in.number(m.entries().get("min")) : null;
    Double max = bound(m, "max", numeric, typeName) ? in.number(m.entries().get("max")) : null;
    if (min != null && max != null && min > max) {
      throw in.fail(m.entries().get("max"), Reason.INVALID_VALUE, "max " + max + " is below min " + min);
    }
    boolean nullable = in.optional(m, "nullable").isPresent() && in.bool(m.entries().get("nullable"));
    return new ValueSchema(type, minLength, maxLength, pattern, min, max, nullable);
  }

  /** True if {@code key} is present; refuses a bound that the value type does not have. */
  private boolean bound(Node.MapNode m, String key, boolean applies, String typeName) throws SchemaException {
    Node n = m.entries().get(key);
    if (n == null) {
      return false;
    }
    if (!applies) {
      throw in.fail(n, Reason.INVALID_VALUE, "'" + key + "' does not apply to " + typeName + " values");
    }
    return true;
  }

  private Value scalarValue(Node n) throws SchemaException {
    if (!(n instanceof Node.Scalar s)) {
      throw in.fail(n, Reason.WRONG_TYPE, "a default is a single value, got " + n.shape());
    }
    switch (s.kind()) {
      case STRING:
        return Value.of(s.text());
      case INTEGER:
        return Value.of(in.integer(n));
      case FLOAT:
        return Value.of(in.number(n));
      case BOOLEAN:
        return Value.of(in.bool(n));
      default:
        return Value.NULL;
    }
  }

  private MergeHandler handler(Node n, ValueSchema value) throws SchemaException {
    String name = in.string(n);
    HandlerResolver.Result<MergeHandler> found = resolver.handler(name);
    if (found.error() != null) {
      throw in.fail(n, Reason.UNKNOWN_HANDLER, found.error());
    }
    MergeHandler h = found.value();
    Optional<MergeLaws.Counterexample> broken = lawCache.computeIfAbsent(List.of(h, value == null ? "any" : value),
        k -> MergeLaws.check(h, ValueGenerators.of(value), limits.lawSamples(), limits.lawSeed()));
    if (broken.isPresent()) {
      throw in.fail(n, Reason.NOT_A_JOIN, "merge handler '" + name + "' is not a join over "
          + (value == null ? "arbitrary values" : "the field's " + value.type().fileName() + " values")
          + " (" + limits.lawSamples() + " samples, seed " + limits.lawSeed() + "): " + broken.get());
    }
    return h;
  }

  private List<Rule> rules(Node.ListNode list, boolean read) throws SchemaException {
    List<Rule> rules = new ArrayList<>();
    for (Node item : list.items()) {
      String text = in.string(item);
      Rule r = Rule.parse(text);
      if (r == null) {
        throw in.fail(item, Reason.INVALID_VALUE,
            "unknown access rule '" + text + "'; expected owner, public, authenticated or role:<name>");
      }
      if (r instanceof Rule.Public && !read) {
        throw in.fail(item, Reason.INVALID_VALUE, "'public' grants reading only; it cannot be a write rule");
      }
      rules.add(r);
    }
    return rules;
  }

  private AccessRules access(Node.MapNode m, Map<String, FieldSpec> fields) throws SchemaException {
    in.onlyKeys(m, ACCESS_KEYS);
    String owner = null;
    Optional<Node> ownerNode = in.optional(m, "owner");
    if (ownerNode.isPresent()) {
      owner = in.string(ownerNode.get());
      FieldSpec f = fields.get(owner);
      if (f == null || f.type() != FieldType.LWW) {
        throw in.fail(ownerNode.get(), Reason.BAD_REFERENCE,
            "owner field '" + owner + "' must be a declared lww field of this collection");
      }
    }
    String publicField = null;
    Optional<Node> publicNode = in.optional(m, "public");
    if (publicNode.isPresent()) {
      publicField = in.string(publicNode.get());
      FieldSpec f = fields.get(publicField);
      if (f == null || (f.type() != FieldType.FLAG && f.type() != FieldType.LWW)) {
        throw in.fail(publicNode.get(), Reason.BAD_REFERENCE,
            "public field '" + publicField + "' must be a declared flag or lww field of this collection");
      }
    }
    List<Rule> read = in.optional(m, "read").isPresent() ? rules(in.list(m.entries().get("read")), true) : List.of();
    List<Rule> write = in.optional(m, "write").isPresent() ? rules(in.list(m.entries().get("write")), false) : List.of();
    for (var e : Map.of("read", read, "write", write).entrySet()) {
      for (Rule r : e.getValue()) {
        if (r instanceof Rule.Owner && owner == null) {
          throw in.fail(m.entries().get(e.getKey()), Reason.BAD_REFERENCE, "rule 'owner' needs an 'owner' field");
        }
        if (r instanceof Rule.Public && publicField == null) {
          throw in.fail(m.entries().get(e.getKey()), Reason.BAD_REFERENCE, "rule 'public' needs a 'public' field");
        }
      }
    }
    for (FieldSpec f : fields.values()) {
      if (f.writeRules() != null) {
        for (Rule r : f.writeRules()) {
          if (r instanceof Rule.Owner && owner == null) {
            throw in.fail(m, Reason.BAD_REFERENCE, "field '" + f.name() + "' has write rule 'owner' but no 'owner' field is set");
          }
        }
      }
    }
    String privatePrefix = null;
    Optional<Node> privateNode = in.optional(m, "privatePrefix");
    if (privateNode.isPresent()) {
      privatePrefix = in.string(privateNode.get());
      int at = privatePrefix.indexOf(AccessRules.USER_PLACEHOLDER);
      if (at < 0 || at != privatePrefix.lastIndexOf(AccessRules.USER_PLACEHOLDER)) {
        throw in.fail(privateNode.get(), Reason.INVALID_VALUE,
            "privatePrefix '" + privatePrefix + "' must hold " + AccessRules.USER_PLACEHOLDER + " exactly once");
      }
    }
    List<String> serverPrefixes = new ArrayList<>();
    Optional<Node> serverNode = in.optional(m, "serverPrefixes");
    if (serverNode.isPresent()) {
      for (Node item : in.list(serverNode.get()).items()) {
        String p = in.string(item);
        if (p.isEmpty()) {
          throw in.fail(item, Reason.INVALID_VALUE, "an empty server prefix would hide every document; "
              + "give the collection no read rules instead");
        }
        serverPrefixes.add(p);
      }
    }
    return new AccessRules(owner, publicField, read, write, privatePrefix, serverPrefixes);
  }

  private Map<String, Set<String>> replication(Node.MapNode root, Map<String, Map<String, FieldSpec>> fields)
      throws SchemaException {
    Map<String, Set<String>> excluded = new HashMap<>();
    Optional<Node> replicationNode = in.optional(root, "replication");
    if (replicationNode.isEmpty()) {
      return excluded;
    }
    Node.MapNode r = in.map(replicationNode.get());
    in.onlyKeys(r, Set.of("exclude"));
    Optional<Node> excludeNode = in.optional(r, "exclude");
    if (excludeNode.isEmpty()) {
      return excluded;
    }
    for (var e : in.map(excludeNode.get()).entries().entrySet()) {
      Map<String, FieldSpec> declared = fields.get(e.getKey());
      if (declared == null) {
        throw in.fail(e.getValue(), Reason.BAD_REFERENCE, "collection '" + e.getKey() + "' is not declared");
      }
      Set<String> names = new TreeSet<>();
      for (Node item : in.list(e.getValue()).items()) {
        String field = in.string(item);
        if (!declared.containsKey(field)) {
          throw in.fail(item, Reason.BAD_REFERENCE,
              "field '" + field + "' is not declared in collection '" + e.getKey() + "'");
        }
        names.add(field);
      }
      excluded.put(e.getKey(), names);
    }
    return excluded;
  }

  private List<MigrationStep> steps(Node.ListNode list) throws SchemaException {
    List<MigrationStep> steps = new ArrayList<>();
    for (Node item : list.items()) {
      Node.MapNode m = in.map(item);
      if (m.entries().size() != 1) {
        throw in.fail(m, Reason.INVALID_VALUE, "a step is one of add, rename, remove, convert; got " + m.entries().keySet());
      }
      var e = m.entries().entrySet().iterator().next();
      Node body = e.getValue();
      switch (e.getKey()) {
        case "add":
          steps.add(new MigrationStep.Add(in.name(body, "field"), body.line()));
          break;
        case "remove":
          steps.add(new MigrationStep.Remove(in.name(body, "field"), body.line()));
          break;
        case "rename": {
          Node.MapNode r = in.map(body);
          in.onlyKeys(r, Set.of("from", "to"));
          steps.add(new MigrationStep.Rename(in.name(in.required(r, "from"), "field"),
              in.name(in.required(r, "to"), "field"), body.line()));
          break;
        }
        case "convert": {
          Node.MapNode c = in.map(body);
          in.onlyKeys(c, Set.of("field", "converter", "inverse"));
          String field = in.name(in.required(c, "field"), "field");
          ValueConverter converter = converter(in.required(c, "converter"));
          ValueConverter inverse = in.optional(c, "inverse").isPresent() ? converter(c.entries().get("inverse")) : null;
          steps.add(new MigrationStep.Convert(field, converter, inverse, body.line()));
          break;
        }
        default:
          throw in.fail(body, Reason.UNKNOWN_KEY, "unknown step '" + e.getKey() + "'; expected add, rename, remove or convert");
      }
    }
    return steps;
  }

  private ValueConverter converter(Node n) throws SchemaException {
    String name = in.string(n);
    HandlerResolver.Result<ValueConverter> found = resolver.converter(name);
    if (found.error() != null) {
      throw in.fail(n, Reason.UNKNOWN_CONVERTER, found.error());
    }
    return found.value();
  }
}
