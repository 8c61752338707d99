package io.fleetgate.database;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Starts an embedded PostgreSQL before the application context when no database is configured
 * ({@code FLEETGATE_DATABASE_URL} unset), so the gateway runs on a machine with nothing installed.
 * The data folder survives restarts. Registered only by {@code main}: tests choose their own database.
 */
public final class EmbeddedDatabaseStarter implements ApplicationListener<ApplicationEnvironmentPreparedEvent> {

    static final String DEFAULT_URL = "postgresql://localhost:5432/fleetgate";
    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabaseStarter.class);

    @Override
    public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
        ConfigurableEnvironment environment = event.getEnvironment();
        String url = environment.getProperty("fleetgate.database.url", "");
        String embedded = environment.getProperty("fleetgate.database.embedded", "auto");
        boolean start = "true".equalsIgnoreCase(embedded) || ("auto".equalsIgnoreCase(embedded) && url.isBlank());
        if (!start) {
            if (url.isBlank()) {
                override(environment, Map.of("fleetgate.database.url", DEFAULT_URL));
            }
            return;
        }
        Path dataDir = Path.of(environment.getProperty("fleetgate.database.data-dir", "./data"), "postgres")
                .toAbsolutePath().normalize();
        int port = Integer.parseInt(environment.getProperty("fleetgate.database.embedded-port", "0").trim());
        EmbeddedPostgres postgres = start(dataDir, port);
        String embeddedUrl = "postgresql://localhost:" + postgres.getPort() + "/postgres";
        log.info("No database configured: started embedded PostgreSQL on port {} with data in {}", postgres.getPort(), dataDir);
        override(environment, Map.of(
                "fleetgate.database.url", embeddedUrl,
                "fleetgate.database.user", "postgres",
                "fleetgate.database.password", ""));
        // A bean, so the database stops after everything that uses it (the library's own shutdown
        // hook would race Spring's and stop it under a gateway still draining); closed at once if
        // the application fails to start.
        event.getSpringApplication().addInitializers(context -> ((GenericApplicationContext) context)
                .registerBean("embeddedPostgres", EmbeddedPostgres.class, () -> postgres));
        event.getSpringApplication().addListeners((ApplicationListener<ApplicationFailedEvent>) failed -> closeQuietly(postgres));
    }

    /** On {@code port} (FLEETGATE_EMBEDDED_DATABASE_PORT, so pg_dump can find it), or a free port when 0. */
    private static EmbeddedPostgres start(Path dataDir, int port) {
        try {
            Files.createDirectories(dataDir);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
            if (port > 0) {
                builder.setPort(port);
            }
            return builder
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL in " + dataDir, e);
        }
    }

    private static void closeQuietly(EmbeddedPostgres postgres) {
        try {
            postgres.close();
        } catch (IOException e) {
            log.warn("Embedded PostgreSQL did not stop cleanly: {}", e.toString());
        }
    }

    private static void override(ConfigurableEnvironment environment, Map<String, Object> values) {
        environment.getPropertySources().addFirst(new MapPropertySource("fleetgateDatabase", values));
    }
}
