package io.fleetgate;

import io.fleetgate.database.EmbeddedDatabaseStarter;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;

/** The gateway: gRPC for agents and sync services, HTTP for the UI, REST and operations. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class GatewayApplication {

    public static ConfigurableApplicationContext launch(String... args) {
        SpringApplication application = new SpringApplication(GatewayApplication.class);
        try {
            application.setDefaultProperties(logFormat(System.getenv("FLEETGATE_LOG_FORMAT")));
        } catch (IllegalArgumentException wrong) {
            System.err.println(wrong.getMessage());
            System.exit(2);
        }
        application.addListeners(new EmbeddedDatabaseStarter());
        return application.run(args);
    }

    /**
     * FLEETGATE_LOG_FORMAT: {@code text} (the default, Spring Boot's console lines), {@code json}
     * or {@code ecs} (one Elastic Common Schema object per line), {@code logstash}.
     */
    static Map<String, Object> logFormat(@Nullable String format) {
        String name = format == null ? "" : format.trim().toLowerCase(Locale.ROOT);
        return switch (name) {
            case "", "text" -> Map.of();
            case "json", "ecs" -> Map.of("logging.structured.format.console", "ecs");
            case "logstash" -> Map.of("logging.structured.format.console", "logstash");
            default -> throw new IllegalArgumentException("FLEETGATE_LOG_FORMAT must be text, json (ECS), ecs or logstash, not '" + format + "'");
        };
    }
}
