package dev.lattice.merkle;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The merkle module depends on the JDK, Bouncy Castle and itself, nothing else. */
class ArchitectureTest {
  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.lattice.merkle");

  @Test
  void dependsOnlyOnJdkBouncyCastleAndItself() {
    classes().that().resideInAPackage("dev.lattice.merkle..")
        .should().onlyDependOnClassesThat()
        .resideInAnyPackage("java..", "org.bouncycastle..", "dev.lattice.merkle..")
        .check(MAIN);
  }

  /**
   * The top package ({@code Digests}, {@code NodeKey}, {@code Scope}, the configuration and the
   * exceptions) and {@code internal} are what both {@code sync} and {@code tree} build on; they
   * never reach up into either.
   */
  @Test
  void baseDoesNotReachUpIntoSyncOrTree() {
    noClasses().that().resideInAnyPackage("dev.lattice.merkle", "dev.lattice.merkle.internal..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.lattice.merkle.sync..",
            "dev.lattice.merkle.tree..")
        .check(MAIN);
  }

  /** The reconciler reads trees through {@code TreeView} only; the trees implement it. */
  @Test
  void syncDoesNotKnowTheTreeImplementations() {
    noClasses().that().resideInAPackage("dev.lattice.merkle.sync..")
        .should().dependOnClassesThat().resideInAPackage("dev.lattice.merkle.tree..")
        .check(MAIN);
  }
}
