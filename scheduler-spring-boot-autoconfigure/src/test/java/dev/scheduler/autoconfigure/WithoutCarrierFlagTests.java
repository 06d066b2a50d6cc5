package dev.scheduler.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.Executor;
import dev.scheduler.TaskThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/**
 * Runs in its own Surefire execution, in a JVM started without {@value TaskThreads#FLAG} and
 * without the test agent: the application must fail to start, once, with Spring Boot's report of
 * what to add where, instead of starting and failing request by request.
 */
@ExtendWith(OutputCaptureExtension.class)
class WithoutCarrierFlagTests {

    @Test
    void theFlagIsReallyAbsentInThisJvm() {
        assertThat(TaskThreads.available()).isFalse();
    }

    @Test
    void theApplicationFailsToStartWithTheFlagAndWhereToPutIt(CapturedOutput output) {
        SpringApplicationBuilder application = new SpringApplicationBuilder(Application.class)
                .web(WebApplicationType.NONE).properties("scheduler.dispatcher=portable");

        assertThatThrownBy(application::run).hasRootCauseInstanceOf(IllegalStateException.class);

        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("Task bodies cannot run on virtual threads carried by the scheduler, because the JVM was "
                        + "started without --add-opens java.base/java.lang=ALL-UNNAMED")
                .contains("<argLine>--add-opens java.base/java.lang=ALL-UNNAMED</argLine>")
                .contains("<jvmArguments>--add-opens java.base/java.lang=ALL-UNNAMED</jvmArguments>")
                .contains("<Add-Opens>java.base/java.lang</Add-Opens>")
                .contains("set scheduler.require-carrier=false");
    }

    @Test
    void withTheOptOutItStartsAndBodiesRunAsPlainSteps() {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(Application.class)
                .web(WebApplicationType.NONE)
                .properties("scheduler.dispatcher=portable", "scheduler.require-carrier=false").run()) {
            Executor executor = context.getBean(Executor.class);

            assertThat(executor.blockOn(executor.spawn(() -> Thread.currentThread().isVirtual()))).isFalse();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(SchedulerAutoConfiguration.class)
    static class Application {
    }
}
