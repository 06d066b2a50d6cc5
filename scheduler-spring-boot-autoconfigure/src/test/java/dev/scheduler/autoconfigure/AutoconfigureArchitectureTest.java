package dev.scheduler.autoconfigure;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The auto-configuration's place in the layering: the top of the library, below the samples. */
class AutoconfigureArchitectureTest {

    private static final JavaClasses AUTOCONFIGURE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.scheduler.autoconfigure");

    @Test
    void theAutoConfigurationKnowsNoSample() {
        noClasses().should().dependOnClassesThat().resideInAPackage("dev.scheduler.sample..").check(AUTOCONFIGURE);
    }
}
