package dev.lattice.schema;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** schema-migrations/ sits on crdt/ and Jackson, reaches nothing above, and leaves crdt's internals alone. */
class LayeringTest {
  private final JavaClasses main = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.lattice.schema");

  @Test
  void dependsOnlyOnTheJdkJacksonAndCrdt() {
    classes().should().onlyDependOnClassesThat().resideInAnyPackage(
            "java..", "com.fasterxml.jackson..", "dev.lattice.crdt..", "dev.lattice.schema..")
        .check(main);
  }

  @Test
  void leavesCrdtInternalsAlone() {
    classes().should().onlyDependOnClassesThat().resideOutsideOfPackages("dev.lattice.crdt.internal..")
        .check(main);
  }
}
