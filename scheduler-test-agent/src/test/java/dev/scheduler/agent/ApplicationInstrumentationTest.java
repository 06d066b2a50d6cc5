package dev.scheduler.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scheduler.agent.ApplicationInstrumentation.Rules;
import java.net.URI;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Which classes the agent puts preemption points into. */
class ApplicationInstrumentationTest {

    private static final ClassLoader APPLICATION = ClassLoader.getSystemClassLoader();

    @Nested
    class ByDefault {

        private final Rules rules = Rules.of(null, null);

        @Test
        void classesCompiledIntoADirectoryGetPoints() throws Exception {
            assertThat(rules.eligible("com/acme/Cart", APPLICATION, loadedFrom("file:app/target/classes/"))).isTrue();
        }

        @Test
        void classesFromAJarDoNot() throws Exception {
            assertThat(rules.eligible("org/partner/Client", APPLICATION, loadedFrom("file:lib/partner-1.0.jar"))).isFalse();
            assertThat(rules.eligible("org/partner/Client", APPLICATION, null)).isFalse();
        }

        @Test
        void theSchedulersOwnClassesAndTheJdksNever() throws Exception {
            ProtectionDomain directory = loadedFrom("file:scheduler-core/target/classes/");
            assertThat(rules.eligible("dev/scheduler/test/TestScheduler", APPLICATION, directory)).isFalse();
            assertThat(rules.eligible("dev/scheduler/Task", APPLICATION, directory)).isFalse();
            assertThat(rules.eligible("java/util/HashMap", null, directory)).isFalse();
            assertThat(rules.eligible("java/sql/Date", ClassLoader.getPlatformClassLoader(), directory)).isFalse();
        }

        @Test
        void anApplicationUnderTheSchedulersNameIsNoPartOfIt() throws Exception {
            assertThat(rules.eligible("dev/scheduler/sample/worker/OrderIntake", APPLICATION,
                    loadedFrom("file:sample-cloud-worker/target/classes/"))).isTrue();
        }
    }

    @Nested
    class Patterns {

        @Test
        void includeNamesPackagesBelowAPackageOrClassesAndReachesIntoJars() throws Exception {
            Rules rules = Rules.of("com.acme.**, org.partner.*, net.other.Single", null);
            ProtectionDomain jar = loadedFrom("file:lib/lib.jar");
            assertThat(rules.eligible("com/acme/cart/Cart", APPLICATION, jar)).isTrue();
            assertThat(rules.eligible("org/partner/Client", APPLICATION, jar)).isTrue();
            assertThat(rules.eligible("org/partner/deep/Client", APPLICATION, jar)).isFalse();
            assertThat(rules.eligible("net/other/Single", APPLICATION, jar)).isTrue();
            assertThat(rules.eligible("net/other/Single$Inner", APPLICATION, jar)).isFalse();
        }

        @Test
        void withIncludeSetOnlyWhatItNamesGetsPoints() throws Exception {
            Rules rules = Rules.of("com.acme.**", null);
            assertThat(rules.eligible("org/elsewhere/Thing", APPLICATION, loadedFrom("file:target/classes/"))).isFalse();
        }

        @Test
        void excludeWinsOverIncludeAndOverTheDefault() throws Exception {
            ProtectionDomain directory = loadedFrom("file:target/classes/");
            assertThat(Rules.of("com.acme.**", "com.acme.generated.**").eligible("com/acme/generated/Dto", APPLICATION,
                    directory)).isFalse();
            assertThat(Rules.of(null, "com.acme.Slow*").eligible("com/acme/SlowPath", APPLICATION, directory)).isFalse();
            assertThat(Rules.of(null, "com.acme.Slow*").eligible("com/acme/Fast", APPLICATION, directory)).isTrue();
        }

        @Test
        void blankPatternsMeanNone() throws Exception {
            assertThat(Rules.of("  ", "").include()).isNull();
            assertThat(Rules.of(" ", " ").sameAs(null, null)).isTrue();
        }
    }

    private static ProtectionDomain loadedFrom(String location) throws Exception {
        return new ProtectionDomain(new CodeSource(URI.create(location).toURL(), (Certificate[]) null), null);
    }
}
