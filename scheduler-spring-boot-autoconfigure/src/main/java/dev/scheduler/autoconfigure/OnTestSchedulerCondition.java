package dev.scheduler.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when the application runs its tests: {@code scheduler.test.enabled=true}, or the profile
 * named by {@code scheduler.test.profile} (default {@code test}) is active.
 */
final class OnTestSchedulerCondition extends SpringBootCondition {

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        Environment environment = context.getEnvironment();
        ConditionMessage.Builder message = ConditionMessage.forCondition("TestScheduler");
        if (environment.getProperty("scheduler.test.enabled", Boolean.class, false)) {
            return ConditionOutcome.match(message.because("scheduler.test.enabled is true"));
        }
        String profile = environment.getProperty("scheduler.test.profile", "test");
        if (environment.acceptsProfiles(Profiles.of(profile))) {
            return ConditionOutcome.match(message.because("profile '" + profile + "' is active"));
        }
        return ConditionOutcome.noMatch(message.because("profile '" + profile + "' is not active and "
                + "scheduler.test.enabled is not true"));
    }
}
