package dev.lattice.presence;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * presence/ is a sans-I/O core on the JDK and Jackson: no other Lattice module, no Vert.x, and none
 * of the JDK's I/O, clocks or threads in the core package (the caller passes time in and owns the
 * socket and the timer). The Java client, {@code dev.lattice.presence.client}, is the one place
 * with a socket, a thread and a clock; it builds on the core, never the reverse.
 */
class ArchitectureTest {
  private static final String CORE = "dev.lattice.presence";
  private static final String CLIENT = "dev.lattice.presence.client";

  private final JavaClasses main = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages(CORE);

  @Test
  void dependsOnlyOnTheJdkAndJackson() {
    classes().should().onlyDependOnClassesThat().resideInAnyPackage(
            "java..", "com.fasterxml.jackson..", "dev.lattice.presence..")
        .check(main);
  }

  @Test
  void theCoreDoesNoIoReadsNoClockAndStartsNoThreads() {
    noClasses().that().resideInAPackage(CORE)
        .should().dependOnClassesThat().resideInAnyPackage("java.nio..", "java.net..", "java.util.concurrent..")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.Thread")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.time.Clock")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.time.Instant")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.Timer")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.File")
        .orShould().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(System.class, "nanoTime")
        .check(main);
  }

  @Test
  void theCoreDoesNotKnowTheClient() {
    noClasses().that().resideInAPackage(CORE)
        .should().dependOnClassesThat().resideInAPackage(CLIENT + "..")
        .check(main);
  }
}
