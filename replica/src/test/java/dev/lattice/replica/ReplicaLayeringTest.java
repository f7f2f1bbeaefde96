package dev.lattice.replica;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** replica/ sits on crdt/, merkle/ and MVStore, and reaches no module above it, nor crdt's internals. */
class ReplicaLayeringTest {
  private final JavaClasses main = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.lattice.replica");

  @Test
  void dependsOnlyOnTheLayersBelow() {
    classes().should().onlyDependOnClassesThat().resideInAnyPackage(
            "java..", "dev.lattice.replica..", "dev.lattice.crdt..", "dev.lattice.merkle..", "dev.lattice.schema..",
            "org.h2.mvstore..", "org.bouncycastle.crypto..", "com.fasterxml.jackson.core..",
            "com.fasterxml.jackson.databind..", "com.fasterxml.jackson.dataformat.cbor..")
        .check(main);
  }

  @Test
  void leavesInternalPackagesOfOtherModulesAlone() {
    classes().should().onlyDependOnClassesThat().resideOutsideOfPackages(
            "dev.lattice.crdt.internal..", "dev.lattice.merkle.internal..")
        .check(main);
  }
}
