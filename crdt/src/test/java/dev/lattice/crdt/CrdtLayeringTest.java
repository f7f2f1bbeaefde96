package dev.lattice.crdt;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** crdt/ is the bottom layer: the JDK only, and its internals stay its own. */
class CrdtLayeringTest {
  private final JavaClasses main = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.lattice.crdt");

  @Test
  void dependsOnTheJdkOnly() {
    classes().should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.lattice.crdt..")
        .check(main);
  }

  @Test
  void valuesAndTimeDoNotDependOnTypes() {
    noClasses().that().resideInAnyPackage("dev.lattice.crdt.value..", "dev.lattice.crdt.clock..", "dev.lattice.crdt.causal..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.lattice.crdt.type..", "dev.lattice.crdt.codec..")
        .check(main);
  }
}
