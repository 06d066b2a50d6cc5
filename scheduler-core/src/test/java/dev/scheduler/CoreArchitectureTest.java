package dev.scheduler;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.assertj.core.api.Assertions.assertThat;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.AccessibleObject;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The core's place in the layering, stated as rules over its classes: core &larr; natives &larr;
 * autoconfigure &larr; samples, with no arrow backwards; the API knows nothing of its test support;
 * only {@code TaskThreads} and {@code ThreadWaits} reach into the JDK; the hooks the test agent puts
 * into the bootstrap class loader see nothing but the JDK.
 */
class CoreArchitectureTest {

    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .importPackages("dev.scheduler");

    @Test
    void theCoreNeedsNothingButTheJdkAndTheJUnitApiForItsExtension() {
        classes().should().onlyDependOnClassesThat().resideInAnyPackage("java..", "jdk.jfr..", "dev.scheduler..")
                .orShould().dependOnClassesThat().resideInAnyPackage("org.junit..")
                .check(CORE);
        classes().that().resideOutsideOfPackage("dev.scheduler.test.junit..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "jdk.jfr..", "dev.scheduler..")
                .check(CORE);
    }

    @Test
    void spawnSitesKnowsEveryPackageOfTheCore() {
        assertThat(CORE.stream().map(JavaClass::getPackageName).collect(Collectors.toSet()))
                .isEqualTo(SpawnSites.CORE_PACKAGES);
    }

    @Test
    void onlyTaskEventsTalksToTheFlightRecorder() {
        noClasses().that().doNotBelongToAnyOf(TaskEvents.class)
                .should().dependOnClassesThat().resideInAPackage("jdk.jfr..")
                .check(CORE);
    }

    @Test
    void theCoreKnowsNoneOfTheModulesBuiltOnIt() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("dev.scheduler.dispatch..",
                "dev.scheduler.micrometer..", "dev.scheduler.autoconfigure..", "dev.scheduler.sample..")
                .check(CORE);
    }

    @Test
    void theApiKnowsNothingOfItsTestSupport() {
        noClasses().that().resideInAnyPackage("dev.scheduler", "dev.scheduler.cloud", "dev.scheduler.timer")
                .should().dependOnClassesThat().resideInAPackage("dev.scheduler.test..")
                .check(CORE);
    }

    @Test
    void onlyTaskThreadsAndThreadWaitsReachIntoTheJdk() {
        noClasses().that().doNotHaveFullyQualifiedName(TaskThreads.class.getName())
                .and().doNotHaveFullyQualifiedName(ThreadWaits.class.getName())
                .should().callMethod(MethodHandles.class, "privateLookupIn", Class.class, MethodHandles.Lookup.class)
                .orShould().callMethod(AccessibleObject.class, "setAccessible", boolean.class)
                .orShould().dependOnClassesThat().resideInAPackage("jdk.internal..")
                .check(CORE);
    }

    @Test
    void theJdkHooksSeeNothingButTheJdkForTheyLiveInTheBootstrapClassLoader() {
        classes().that().resideInAPackage("dev.scheduler.jdk..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.scheduler.jdk..")
                .check(CORE);
    }
}
