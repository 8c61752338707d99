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

    /**
     * Tables small and looked up across tenants (docs/scale-out.md): replicated whole to every
     * node when the schema is distributed by tenant, so their keys need no tenant_id. A credential
     * is found by its hash before its tenant is known, a source by the id a sync service names, a
     * platform sync service and a platform admin belong to no tenant of their own, a change may
     * concern every tenant.
     */
    static final List<String> REFERENCE_TABLES = List.of("tenants", "sync_services", "credentials", "users", "integration_sources",
            "change_outbox");

    /**
     * What distributing by tenant (Citus) requires of every other table: tenant_id in its primary
     * key and in every unique constraint or index, and in both sides of every foreign key that does
     * not point at a reference table.
     */
    @Test
    void everyTenantScopedKeyIncludesTheTenant() throws SQLException {
        List<String> violations = new ArrayList<>();
        List<String> scoped = new ArrayList<>();
        try (Connection c = server.connect(database)) {
            try (ResultSet rs = c.createStatement().executeQuery("""
                    SELECT t.table_name, EXISTS (SELECT 1 FROM information_schema.columns col WHERE col.table_schema = 'public'
                                                   AND col.table_name = t.table_name AND col.column_name = 'tenant_id') AS has_tenant
                      FROM information_schema.tables t
                     WHERE t.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND t.table_name NOT LIKE 'flyway%'""")) {
                while (rs.next()) {
                    String table = rs.getString(1);
                    if (REFERENCE_TABLES.contains(table)) {
                        continue;
                    }
                    if (!rs.getBoolean(2)) {
                        violations.add(table + ": no tenant_id (distribute it by tenant, or name it a reference table)");
                    }
                    scoped.add(table);
                }
            }
            // primary keys and unique constraints (information_schema), then unique indexes that back no constraint (pg_index)
            try (ResultSet rs = c.createStatement().executeQuery("""
                    SELECT tc.table_name, tc.constraint_name, tc.constraint_type,
                           bool_or(kcu.column_name = 'tenant_id') AS has_tenant
                      FROM information_schema.table_constraints tc
                      JOIN information_schema.key_column_usage kcu
                        ON kcu.constraint_schema = tc.constraint_schema AND kcu.constraint_name = tc.constraint_name
                     WHERE tc.table_schema = 'public' AND tc.constraint_type IN ('PRIMARY KEY', 'UNIQUE')
                     GROUP BY 1, 2, 3
                    UNION ALL
                    SELECT c.relname, i.relname, 'UNIQUE INDEX', bool_or(a.attname = 'tenant_id')
                      FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
                      LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY (x.indkey)
                     WHERE x.indisunique AND c.relnamespace = 'public'::regnamespace
                       AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)
                     GROUP BY 1, 2""")) {
                while (rs.next()) {
                    if (scoped.contains(rs.getString(1)) && !rs.getBoolean(4)) {
                        violations.add(rs.getString(1) + ": " + rs.getString(3) + " " + rs.getString(2) + " without tenant_id");
                    }
                }
            }
            try (ResultSet rs = c.createStatement().executeQuery("""
                    SELECT con.conrelid::regclass::text, con.conname, con.confrelid::regclass::text,
                           EXISTS (SELECT 1 FROM unnest(con.conkey) k JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k
                                    WHERE a.attname = 'tenant_id') AS has_tenant,
                           EXISTS (SELECT 1 FROM unnest(con.confkey) k JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k
                                    WHERE a.attname = 'tenant_id') AS references_tenant
                      FROM pg_constraint con
                     WHERE con.contype = 'f' AND con.connamespace = 'public'::regnamespace""")) {
                while (rs.next()) {
                    String table = rs.getString(1);
                    String referenced = rs.getString(3);
                    if (scoped.contains(table) && !REFERENCE_TABLES.contains(referenced) && !(rs.getBoolean(4) && rs.getBoolean(5))) {
                        violations.add(table + ": FOREIGN KEY " + rs.getString(2) + " to " + referenced + " without tenant_id on both sides");
                    }
                }
            }
        }
        assertThat(scoped).as("tables distributed by tenant").contains("discovered_devices", "agents", "host_observations");
        assertThat(violations).isEmpty();
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
