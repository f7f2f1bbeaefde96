package dev.lattice.schema.load;

import dev.lattice.schema.CollectionSpec;
import dev.lattice.schema.FieldSpec;
import dev.lattice.schema.SchemaException;
import dev.lattice.schema.SchemaException.Reason;
import dev.lattice.schema.SchemaVersion;
import dev.lattice.schema.migrate.MigrationStep;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks that each version's migration turns the previous version's fields into exactly its
 * declared fields, and enforces the two rules that make {@code Migration.apply} idempotent:
 *
 * <ul>
 *   <li>a name retired by a rename or a removal is never used again in that collection, so
 *       replaying a rename on an already migrated document finds nothing to move;
 *   <li>a field is converted at most once in its history, so replaying a conversion finds only
 *       values already in the new type, which it leaves alone.
 * </ul>
 *
 * Within one version a field is the subject of at most one step, so every step's name is both
 * the old and the new version's name of what it touches.
 */
final class HistoryValidator {
  private final Map<String, Set<String>> retired = new HashMap<>();
  private final Map<String, Map<String, Integer>> convertedIn = new HashMap<>();

  /** @param locations of each version's file: node path to {line, column} */
  void check(List<SchemaVersion> versions, List<Map<String, int[]>> locations) throws SchemaException {
    for (int i = 1; i < versions.size(); i++) {
      check(versions.get(i - 1), versions.get(i), locations.get(i));
    }
  }

  private void check(SchemaVersion before, SchemaVersion after, Map<String, int[]> at) throws SchemaException {
    for (String gone : before.collections().keySet()) {
      if (!after.collections().containsKey(gone)) {
        throw fail(after, at, "collections", Reason.MIGRATION_MISMATCH, "collection '" + gone + "' of version "
            + before.version() + " is missing; collections cannot be removed (keep it and give it no access rules)");
      }
    }
    for (String c : after.migration().keySet()) {
      if (!before.collections().containsKey(c)) {
        throw fail(after, at, "migrate." + c, Reason.MIGRATION_MISMATCH,
            "collection '" + c + "' is new in this version; it has nothing to migrate");
      }
    }
    for (CollectionSpec next : after.collections().values()) {
      CollectionSpec prev = before.collections().get(next.name());
      if (prev != null) {
        checkCollection(prev, next, after, at);
      }
    }
  }

  private void checkCollection(CollectionSpec prev, CollectionSpec next, SchemaVersion after, Map<String, int[]> at)
      throws SchemaException {
    String c = next.name();
    Set<String> retiredHere = retired.computeIfAbsent(c, k -> new HashSet<>());
    Map<String, Integer> converted = convertedIn.computeIfAbsent(c, k -> new HashMap<>());
    Map<String, FieldSpec> names = new LinkedHashMap<>(prev.fields());
    Set<String> touched = new HashSet<>();
    Set<String> changesType = new HashSet<>();
    List<MigrationStep> steps = after.steps(c);
    for (int i = 0; i < steps.size(); i++) {
      MigrationStep step = steps.get(i);
      String path = "migrate." + c + "[" + i + "]";
      for (String name : subjects(step)) {
        if (!touched.add(name)) {
          throw fail(after, at, path, Reason.MIGRATION_MISMATCH, "field '" + name
              + "' is the subject of two steps in one migration; split them over two versions");
        }
      }
      if (step instanceof MigrationStep.Add add) {
        String f = add.field();
        if (names.containsKey(f)) {
          throw fail(after, at, path, Reason.MIGRATION_MISMATCH, "cannot add '" + f + "': version "
              + (after.version() - 1) + " already has it");
        }
        if (retiredHere.contains(f)) {
          throw fail(after, at, path, Reason.NAME_REUSED, "'" + f + "' was renamed or removed in an earlier version "
              + "and cannot be used again; pick a new name");
        }
        FieldSpec declared = next.fields().get(f);
        if (declared == null) {
          throw fail(after, at, path, Reason.BAD_REFERENCE, "added field '" + f + "' is not declared under "
              + "collections." + c + ".fields");
        }
        names.put(f, declared);
        changesType.add(f);
      } else if (step instanceof MigrationStep.Rename rename) {
        FieldSpec old = names.remove(rename.from());
        if (old == null) {
          throw fail(after, at, path, Reason.MIGRATION_MISMATCH, "cannot rename '" + rename.from() + "': version "
              + (after.version() - 1) + " has no such field");
        }
        if (names.containsKey(rename.to())) {
          throw fail(after, at, path, Reason.MIGRATION_MISMATCH, "cannot rename '" + rename.from() + "' to '"
              + rename.to() + "': that name is taken");
        }
        if (retiredHere.contains(rename.to())) {
          throw fail(after, at, path, Reason.NAME_REUSED, "'" + rename.to() + "' was renamed or removed in an "
              + "earlier version and cannot be used again; pick a new name");
        }
        retiredHere.add(rename.from());
        names.put(rename.to(), old);
        if (converted.containsKey(rename.from())) {
          converted.put(rename.to(), converted.get(rename.from()));
        }
      } else if (step instanceof MigrationStep.Remove remove) {
        if (names.remove(remove.field()) == null) {
          throw fail(after, at, path, Reason.MIGRATION_MISMATCH, "cannot remove '" + remove.field() + "': version "
              + (after.version() - 1) + " has no such field");
        }
        retiredHere.add(remove.field());
      } else if (step instanceof MigrationStep.Convert convert) {
        String f = convert.field();
        FieldSpec old = names.get(f);
        FieldSpec declared = next.fields().get(f);
        if (old == null || declared == null) {
          throw fail(after, at, path, Reason.MIGRATION_MISMATCH, "cannot convert '" + f
              + "': it must exist in both versions " + (after.version() - 1) + " and " + after.version());
        }
        if (!old.type().isRegister() || !declared.type().isRegister()) {
          throw fail(after, at, path, Reason.MIGRATION_MISMATCH, "cannot convert '" + f + "' from "
              + old.type().fileName() + " to " + declared.type().fileName()
              + ": only lww, mvreg and custom fields can be converted");
        }
        if (declared.value() == null) {
          throw fail(after, at, path, Reason.MIGRATION_MISMATCH, "converted field '" + f + "' needs a value schema "
              + "in version " + after.version() + ", to tell converted values from those still to convert");
        }
        if (convert.inverse() != null && old.value() == null) {
          throw fail(after, at, path, Reason.MIGRATION_MISMATCH, "the inverse of '" + f + "' needs a value schema "
              + "in version " + (after.version() - 1));
        }
        Integer earlier = converted.get(f);
        if (earlier != null) {
          throw fail(after, at, path, Reason.MIGRATION_MISMATCH, "'" + f + "' was already converted in version "
              + earlier + "; a field is converted once (add a new field instead)");
        }
        converted.put(f, after.version());
        names.put(f, declared);
        changesType.add(f);
      }
    }
    for (String f : next.fields().keySet()) {
      if (!names.containsKey(f)) {
        throw fail(after, at, "collections." + c + ".fields." + f, Reason.MIGRATION_MISMATCH, "field '" + f
            + "' is new in version " + after.version() + " but no 'add' (or 'rename') step under migrate." + c
            + " brings it in");
      }
    }
    Set<String> lost = new TreeSet<>(names.keySet());
    lost.removeAll(next.fields().keySet());
    if (!lost.isEmpty()) {
      throw fail(after, at, "collections." + c + ".fields", Reason.MIGRATION_MISMATCH, "fields " + lost
          + " of version " + (after.version() - 1) + " are missing in version " + after.version()
          + "; add 'remove' or 'rename' steps under migrate." + c);
    }
    for (var e : names.entrySet()) {
      FieldSpec declared = next.fields().get(e.getKey());
      if (!changesType.contains(e.getKey()) && e.getValue().type() != declared.type()) {
        throw fail(after, at, "collections." + c + ".fields." + e.getKey(), Reason.MIGRATION_MISMATCH,
            "field '" + e.getKey() + "' changes type from " + e.getValue().type().fileName() + " to "
                + declared.type().fileName() + " without a 'convert' step");
      }
    }
  }

  private static List<String> subjects(MigrationStep step) {
    if (step instanceof MigrationStep.Rename r) {
      return List.of(r.from(), r.to());
    }
    if (step instanceof MigrationStep.Add a) {
      return List.of(a.field());
    }
    if (step instanceof MigrationStep.Remove r) {
      return List.of(r.field());
    }
    return List.of(((MigrationStep.Convert) step).field());
  }

  private static SchemaException fail(SchemaVersion v, Map<String, int[]> at, String path, Reason reason, String detail) {
    int[] loc = at.getOrDefault(path, new int[] {0, 0});
    return new SchemaException(reason, v.file(), loc[0], loc[1], path, detail);
  }
}
