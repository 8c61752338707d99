package io.fleetgate.test;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The PostgreSQL server tests run against: the one named by {@code FLEETGATE_TEST_DATABASE_URL}
 * ({@code postgresql://host:port}, user {@code FLEETGATE_TEST_DATABASE_USER}, default postgres)
 * when set, else a Testcontainers one when Docker answers, else an embedded one. Each test
 * suite gets fresh databases, dropped when the JVM exits.
 */
public final class TestDatabase {

    /** Where a server listens and how to log in. */
    public record Server(String host, int port, String user, String password) {

        public String url(String database) {
            return "postgresql://" + host + ":" + port + "/" + database;
        }

        public String jdbc(String database) {
            return "jdbc:" + url(database);
        }

        public Connection connect(String database) throws SQLException {
            return DriverManager.getConnection(jdbc(database), user, password);
        }
    }

    private static Server server;
    private static final List<String> created = new ArrayList<>();

    private TestDatabase() {
    }

    public static synchronized Server server() {
        if (server == null) {
            server = start();
            Runtime.getRuntime().addShutdownHook(new Thread(TestDatabase::dropCreated));
        }
        return server;
    }

    /** A new empty database on the test server; returns its name. */
    public static synchronized String createDatabase(String prefix) {
        String name = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection connection = server().connect("postgres"); Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        created.add(name);
        return name;
    }

    private static Server start() {
        String url = System.getenv("FLEETGATE_TEST_DATABASE_URL");
        if (url != null && !url.isBlank()) {
            String hostPort = url.replaceFirst("^(jdbc:)?postgresql://", "").replaceFirst("/.*$", "");
            String host = hostPort.contains(":") ? hostPort.substring(0, hostPort.lastIndexOf(':')) : hostPort;
            int port = hostPort.contains(":") ? Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1)) : 5432;
            String user = System.getenv().getOrDefault("FLEETGATE_TEST_DATABASE_USER", "postgres");
            String password = System.getenv().getOrDefault("FLEETGATE_TEST_DATABASE_PASSWORD", "");
            return new Server(host, port, user, password);
        }
        if (DockerClientFactory.instance().isDockerAvailable()) {
            PostgreSQLContainer container = new PostgreSQLContainer("postgres:16-alpine");
            container.start();
            return new Server(container.getHost(), container.getMappedPort(5432), container.getUsername(), container.getPassword());
        }
        try {
            EmbeddedPostgres embedded = EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    embedded.close();
                } catch (IOException ignored) {
                    // the JVM is exiting anyway
                }
            }));
            return new Server("localhost", embedded.getPort(), "postgres", "");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL for tests", e);
        }
    }

    private static synchronized void dropCreated() {
        try (Connection connection = server.connect("postgres"); Statement statement = connection.createStatement()) {
            for (String name : created) {
                statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        } catch (SQLException ignored) {
            // best effort: a leftover test database harms nothing
        }
    }
}
