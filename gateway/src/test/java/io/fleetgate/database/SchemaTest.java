package io.fleetgate.database;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.test.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The migrations on an empty database, and the rules the schema itself enforces. */
class SchemaTest {

    private static TestDatabase.Server server;
    private static String database;

    @BeforeAll
    static void migrate() {
        server = TestDatabase.server();
        database = TestDatabase.createDatabase("fleetgate_schema");
        var result = Flyway.configure().dataSource(server.jdbc(database), server.user(), server.password()).load().migrate();
        assertThat(result.success).isTrue();
    }

    @Test
    void migrationsCreateEveryTable() throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Connection c = server.connect(database);
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        assertThat(tables).contains("tenants", "sync_services", "integration_sources", "discovered_devices", "agents",
                "credentials", "users", "device_identifiers", "device_merges");
    }

    @Test
    void migratingAgainChangesNothing() {
        var again = Flyway.configure().dataSource(server.jdbc(database), server.user(), server.password()).load().migrate();
        assertThat(again.migrationsExecuted).isZero();
    }

    @Test
    void atMostOnePlatformSyncService() throws SQLException {
        try (Rollback tx = transaction()) {
            Connection c = tx.c();
            UUID tenant = tenant(c, "one-platform", false);
            exec(c, "INSERT INTO sync_services (tenant_id, name, service_type, is_platform_sync) VALUES (?, 'saas-a', 'saas', true)", tenant);
            assertThat(failure(c, () -> exec(c,
                    "INSERT INTO sync_services (tenant_id, name, service_type, is_platform_sync) VALUES (?, 'saas-b', 'saas', true)", tenant)))
                    .contains("sync_services_single_platform");
            exec(c, "DELETE FROM sync_services WHERE tenant_id = ?", tenant);
        }
    }

    @Test
    void integrationSourceNeedsAnExistingSyncServiceOfItsTenantOrThePlatform() throws SQLException {
        try (Rollback tx = transaction()) {
            Connection c = tx.c();
            UUID platform = tenant(c, "platform", true);
            UUID tenantA = tenant(c, "tenant-a", false);
            UUID tenantB = tenant(c, "tenant-b", false);
            UUID platformSync = sync(c, platform, "saas", true);
            UUID syncOfA = sync(c, tenantA, "on_prem", false);
            UUID syncOfB = sync(c, tenantB, "on_prem", false);

            source(c, tenantA, "uses-platform", platformSync);
            source(c, tenantA, "uses-own", syncOfA);
            assertThat(failure(c, () -> source(c, tenantA, "uses-other-tenants", syncOfB)))
                    .contains("belongs to another tenant");
            assertThat(failure(c, () -> source(c, tenantA, "uses-unknown", UUID.randomUUID())))
                    .contains("integration_sources_sync_service_id_fkey");
            assertThat(failure(c, () -> source(c, tenantA, "uses-none", null)))
                    .contains("sync_service_id");
            assertThat(failure(c, () -> exec(c, "UPDATE integration_sources SET sync_service_id = ? WHERE name = 'uses-own'", syncOfB)))
                    .contains("belongs to another tenant");
            assertThat(failure(c, () -> exec(c, "DELETE FROM sync_services WHERE id = ?", syncOfA)))
                    .contains("integration_sources_sync_service_id_fkey");
        }
    }

    @Test
    void discoveredDevicesAreUniquePerTenantIntegrationSourceAndDeviceId() throws SQLException {
        try (Rollback tx = transaction()) {
            Connection c = tx.c();
            UUID tenant = tenant(c, "devices", false);
            UUID sync = sync(c, tenant, "on_prem", false);
            UUID source = source(c, tenant, "faker", sync);
            String insert = """
                    INSERT INTO discovered_devices (tenant_id, integration_source_id, device_id, source_type, ip_addresses,
                                                    canonical_device_id, first_seen_at, last_seen_at)
                    VALUES (?, ?, 'dev-1', 'faker', '{127.0.0.1}', gen_random_uuid(), now(), now())""";
            exec(c, insert, tenant, source);
            // a second source of the same type may report the same device id: its own row
            exec(c, insert, tenant, source(c, tenant, "faker-2", sync));
            assertThat(failure(c, () -> exec(c, insert, tenant, source))).contains("discovered_devices_source_identity");
        }
    }

    @Test
    void usersOfTheTenantAdminRoleHaveATenant() throws SQLException {
        try (Rollback tx = transaction()) {
            Connection c = tx.c();
            assertThat(failure(c, () -> exec(c, "INSERT INTO users (username, password_hash, role) VALUES ('lost', 'x', 'TENANT_ADMIN')")))
                    .contains("users_check");
        }
    }

    /** A transaction rolled back at the end, so tests do not see each other's rows. */
    private static Rollback transaction() throws SQLException {
        Connection c = server.connect(database);
        c.setAutoCommit(false);
        return new Rollback(c);
    }

    private record Rollback(Connection c) implements AutoCloseable {
        @Override
        public void close() throws SQLException {
            c.rollback();
            c.close();
        }
    }

    interface SqlCall {
        void run() throws SQLException;
    }

    /** The message of the failure the statement must end in; the transaction goes on after it. */
    private static String failure(Connection c, SqlCall call) throws SQLException {
        var savepoint = c.setSavepoint();
        try {
            call.run();
        } catch (SQLException expected) {
            c.rollback(savepoint);
            return expected.getMessage();
        }
        throw new AssertionError("statement succeeded but should have failed");
    }

    private static UUID tenant(Connection c, String slug, boolean platform) throws SQLException {
        UUID id = UUID.randomUUID();
        exec(c, "INSERT INTO tenants (id, slug, name, is_platform) VALUES (?, ?, ?, ?)", id,
                platform ? "platform" : slug + "-" + id.toString().substring(0, 6), slug, platform);
        return id;
    }

    private static UUID sync(Connection c, UUID tenant, String type, boolean platform) throws SQLException {
        UUID id = UUID.randomUUID();
        exec(c, "INSERT INTO sync_services (id, tenant_id, name, service_type, is_platform_sync) VALUES (?, ?, ?, ?, ?)",
                id, tenant, "sync-" + id, type, platform);
        return id;
    }

    private static UUID source(Connection c, UUID tenant, String name, UUID sync) throws SQLException {
        UUID id = UUID.randomUUID();
        exec(c, "INSERT INTO integration_sources (id, tenant_id, name, source_type, sync_service_id) VALUES (?, ?, ?, 'faker', ?)",
                id, tenant, name, sync);
        return id;
    }

    private static void exec(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                statement.setObject(i + 1, args[i]);
            }
            statement.execute();
        }
    }
}
