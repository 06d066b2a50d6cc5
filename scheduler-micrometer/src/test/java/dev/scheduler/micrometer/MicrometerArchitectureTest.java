package dev.scheduler.micrometer;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The binders' place in the layering: on the core's API and Micrometer only; no Spring, no dispatcher. */
class MicrometerArchitectureTest {

    private static final JavaClasses BINDERS = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.scheduler.micrometer");

    @Test
    void theBindersNeedNothingButTheCoreAndMicrometer() {
        classes().should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.scheduler",
                "dev.scheduler.cloud", "dev.scheduler.micrometer..", "io.micrometer..").check(BINDERS);
    }
}
