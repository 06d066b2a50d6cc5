package dev.scheduler.autoconfigure;

import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.env.Environment;

/**
 * Reports a {@code scheduler.dispatcher} that cannot run here as Spring Boot reports a bad
 * property: its value, where it was set, why that dispatcher cannot run, and what to set instead.
 */
final class DispatcherUnavailableFailureAnalyzer extends AbstractFailureAnalyzer<DispatcherUnavailableException> {

    private static final ConfigurationPropertyName PROPERTY = ConfigurationPropertyName.of("scheduler.dispatcher");

    private final Environment environment;

    /** Spring Boot creates it with the application's environment, to say where the property was set. */
    DispatcherUnavailableFailureAnalyzer(Environment environment) {
        this.environment = environment;
    }

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, DispatcherUnavailableException cause) {
        String description = "scheduler.dispatcher is '" + cause.dispatcher() + "'" + origin() + ", and that dispatcher "
                + "cannot run here: " + cause.getCause().getMessage();
        String action = "Set scheduler.dispatcher=auto (the default) to run on the dispatcher for this operating "
                + "system, which falls back to the portable one and says why if it cannot start; or set "
                + "scheduler.dispatcher=portable, which runs everywhere; or run this configuration on the operating "
                + "system it names.";
        return new FailureAnalysis(description, action, cause);
    }

    private String origin() {
        if (environment == null) {
            return "";
        }
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            ConfigurationProperty property = source.getConfigurationProperty(PROPERTY);
            if (property != null) {
                return property.getOrigin() != null ? " (from " + property.getOrigin() + ")" : "";
            }
        }
        return "";
    }
}
