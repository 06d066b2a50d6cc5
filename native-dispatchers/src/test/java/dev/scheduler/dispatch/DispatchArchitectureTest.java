package dev.scheduler.dispatch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.AccessibleObject;
import org.junit.jupiter.api.Test;

/** The dispatchers' place in the layering: on the core and the JDK only, with no arrow backwards. */
class DispatchArchitectureTest {

    private static final JavaClasses DISPATCH = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.scheduler.dispatch");

    @Test
    void theDispatchersNeedNothingButTheCoreAndTheJdk() {
        classes().should().onlyDependOnClassesThat().resideInAnyPackage("java..", "javax.swing", "dev.scheduler",
                "dev.scheduler.dispatch..", "dev.scheduler.timer..").check(DISPATCH);
    }

    @Test
    void onlyTheEventDispatchLaneKnowsAwtAndSwing() {
        noClasses().that().doNotHaveFullyQualifiedName(EventDispatchLane.class.getName())
                .should().dependOnClassesThat().resideInAnyPackage("java.awt..", "javax.swing..")
                .check(DISPATCH);
    }

    @Test
    void theDispatchersKnowNoTestSupportAndNoModuleBuiltOnThem() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("dev.scheduler.test..",
                "dev.scheduler.micrometer..", "dev.scheduler.autoconfigure..", "dev.scheduler.sample..").check(DISPATCH);
    }

    @Test
    void theDispatchersReachIntoTheJdkOnlyThroughJavaLangForeign() {
        noClasses().should().callMethod(MethodHandles.class, "privateLookupIn", Class.class, MethodHandles.Lookup.class)
                .orShould().callMethod(AccessibleObject.class, "setAccessible", boolean.class)
                .orShould().dependOnClassesThat().resideInAPackage("jdk.internal..")
                .check(DISPATCH);
    }
}
