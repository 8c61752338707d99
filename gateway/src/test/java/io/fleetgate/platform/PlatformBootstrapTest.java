package io.fleetgate.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.test.GatewayProcess;
import io.fleetgate.test.Gateways;
import io.fleetgate.test.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/** Bootstrap on an empty database: exactly one of each thing, however many gateways start at once. */
class PlatformBootstrapTest {

    @Test
    void twoGatewaysStartingTogetherCreateExactlyOneOfEach() throws Exception {
        String database = TestDatabase.createDatabase("fleetgate_boot");
        try (GatewayProcess a = GatewayProcess.start(database, Map.of());
             GatewayProcess b = GatewayProcess.start(database, Map.of())) {
            a.awaitReady(Duration.ofSeconds(90));
            b.awaitReady(Duration.ofSeconds(90));
            assertOneOfEach(database);
            // each secret was generated once, and printed by the one gateway that generated it
            List<String> logs = new java.util.ArrayList<>(a.log());
            logs.addAll(b.log());
            assertThat(logs).filteredOn(line -> line.contains("password: ")).hasSize(1);
            assertThat(logs).filteredOn(line -> line.contains("FLEETGATE_PLATFORM_SYNC_TOKEN=fgp_")).hasSize(1);
        }

        // a restart finds everything in place and generates nothing
        try (ConfigurableApplicationContext again = Gateways.start(database, Map.of())) {
            PlatformBootstrap.Result result = ready(again);
            assertThat(result.generatedAdminPassword()).isEmpty();
            assertThat(result.generatedPlatformToken()).isEmpty();
            assertOneOfEach(database);
        }
    }

    @Test
    void platformTenantIdIsRandomAndKept() throws Exception {
        String database = TestDatabase.createDatabase("fleetgate_boot");
        try (ConfigurableApplicationContext gateway = Gateways.start(database, Map.of())) {
            var tenant = ready(gateway).platformTenantId();
            assertThat(tenant.getMostSignificantBits() | tenant.getLeastSignificantBits()).isNotZero();
            assertThat(tenant.version()).isEqualTo(4);
        }
    }

    @Test
    void configuredSecretsAreUsedAndNothingIsGenerated() throws Exception {
        String database = TestDatabase.createDatabase("fleetgate_boot");
        try (ConfigurableApplicationContext gateway = Gateways.start(database, Map.of(
                "fleetgate.platform.admin-password", "configured-admin-password",
                "fleetgate.platform.sync.token", "fgp_configured-platform-token-123456"))) {
            PlatformBootstrap.Result result = ready(gateway);
            assertThat(result.generatedAdminPassword()).isEmpty();
            assertThat(result.generatedPlatformToken()).isEmpty();
            assertThat(count(database, "SELECT count(*) FROM credentials WHERE kind = 'platform_sync' AND revoked_at IS NULL")).isEqualTo(1);
        }
        // a different configured token replaces the old one
        try (ConfigurableApplicationContext gateway = Gateways.start(database, Map.of(
                "fleetgate.platform.sync.token", "fgp_another-platform-token-654321"))) {
            ready(gateway);
            assertThat(count(database, "SELECT count(*) FROM credentials WHERE kind = 'platform_sync' AND revoked_at IS NULL")).isEqualTo(1);
            assertThat(count(database, "SELECT count(*) FROM credentials WHERE kind = 'platform_sync'")).isEqualTo(2);
        }
    }

    @Test
    void platformSyncCanBeSwitchedOff() throws Exception {
        String database = TestDatabase.createDatabase("fleetgate_boot");
        try (ConfigurableApplicationContext gateway = Gateways.start(database, Map.of("fleetgate.platform.sync.enabled", "false"))) {
            PlatformBootstrap.Result result = ready(gateway);
            assertThat(result.platformSyncServiceId()).isEmpty();
            assertThat(count(database, "SELECT count(*) FROM sync_services")).isZero();
            assertThat(count(database, "SELECT count(*) FROM tenants WHERE is_platform")).isEqualTo(1);
        }
        // switched on later: created then
        try (ConfigurableApplicationContext gateway = Gateways.start(database, Map.of())) {
            assertThat(ready(gateway).platformSyncServiceId()).isPresent();
        }
        // and off again: removed, since no integration uses it
        try (ConfigurableApplicationContext gateway = Gateways.start(database, Map.of("fleetgate.platform.sync.enabled", "false"))) {
            ready(gateway);
            assertThat(count(database, "SELECT count(*) FROM sync_services WHERE is_platform_sync")).isZero();
        }
    }

    private static PlatformBootstrap.Result ready(ConfigurableApplicationContext context) {
        return context.getBean(GatewayStartup.class).ready().block(Duration.ofSeconds(60));
    }

    private static void assertOneOfEach(String database) throws SQLException {
        assertThat(count(database, "SELECT count(*) FROM tenants WHERE is_platform AND slug = 'platform'")).isEqualTo(1);
        assertThat(count(database, "SELECT count(*) FROM sync_services WHERE is_platform_sync AND service_type = 'saas'"
                + " AND capabilities @> ARRAY['armis', 'netbox', 'faker']")).isEqualTo(1);
        assertThat(count(database, "SELECT count(*) FROM users WHERE role = 'PLATFORM_ADMIN' AND username = 'admin'")).isEqualTo(1);
        assertThat(count(database, "SELECT count(*) FROM credentials WHERE kind = 'platform_sync' AND revoked_at IS NULL")).isEqualTo(1);
    }

    private static long count(String database, String sql) throws SQLException {
        try (Connection c = TestDatabase.server().connect(database); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
