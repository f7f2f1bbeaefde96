package dev.lattice.edge;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * edge-node is the top of the stack: it may use every module below it, Vert.x, Micrometer,
 * picocli and Jackson, but never another module's internals. Netty is allowed only for the
 * WebSocket frame exception that Vert.x passes through untranslated (see {@code SocketGuard}).
 */
class ArchitectureTest {
  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.lattice.edge");

  @Test
  void dependsOnlyOnTheLayersBelowAndItsFrameworks() {
    classes().that().resideInAPackage("dev.lattice.edge..")
        .should().onlyDependOnClassesThat().resideInAnyPackage(
            "java..", "javax.crypto..",
            "io.vertx..", "io.netty.handler.codec.http.websocketx..", "io.micrometer..", "picocli..",
            "com.fasterxml.jackson..",
            "dev.lattice.edge..", "dev.lattice.crdt..", "dev.lattice.replica..", "dev.lattice.schema..",
            "dev.lattice.merkle..", "dev.lattice.presence..")
        .check(MAIN);
  }

  @Test
  void leavesOtherModulesInternalsAlone() {
    noClasses().that().resideInAPackage("dev.lattice.edge..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "dev.lattice.crdt.internal..", "dev.lattice.merkle.internal..", "dev.lattice.replica.internal..",
            "dev.lattice.schema.internal..", "dev.lattice.presence.internal..")
        .check(MAIN);
  }

  @Test
  void onlyTheHttpPackageTouchesNetty() {
    noClasses().that().resideOutsideOfPackage("dev.lattice.edge.http..")
        .should().dependOnClassesThat().resideInAPackage("io.netty..")
        .check(MAIN);
  }

  @Test
  void configurationAndAuthenticationKnowNothingOfTheServer() {
    noClasses().that().resideInAnyPackage("dev.lattice.edge.config..", "dev.lattice.edge.auth..")
        .should().dependOnClassesThat().resideInAnyPackage("io.vertx..", "dev.lattice.edge.http..",
            "dev.lattice.edge.cli..")
        .check(MAIN);
  }
}
