package io.fleetgate.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.client.sync.DiscoveryReport;
import io.fleetgate.client.sync.SyncRunner;
import io.fleetgate.net.OutboundPolicy;
import io.fleetgate.platform.GatewayStartup;
import io.fleetgate.test.AdminClient;
import io.fleetgate.test.Await;
import io.fleetgate.test.Gateways;
import io.fleetgate.test.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/** A sync runner whose gateway restarts mid-sync: it reconnects, resends what was not acknowledged, and completes. */
class SyncResilienceTest {

    private static final String PASSWORD = "resilience-admin-password";

    @Test
    void aGatewayRestartMidSyncLosesNoAcknowledgedBatchAndTheRunnerCompletes() throws Exception {
        String database = TestDatabase.createDatabase("fleetgate_restart");
        int grpcPort = Await.freePort();
        Map<String, String> settings = Map.of("fleetgate.grpc.port", String.valueOf(grpcPort), "fleetgate.platform.admin-password", PASSWORD);
        String credential;
        ConfigurableApplicationContext first = Gateways.start(database, settings);
        first.getBean(GatewayStartup.class).ready().block(Duration.ofSeconds(60));
        AdminClient admin = new AdminClient(first, PASSWORD);
        UUID tenant = admin.tenant("restart");
        Map<?, ?> sync = admin.post("/api/v1/sync-services", Map.of("tenant_id", tenant.toString(), "name", "dc1"));
        credential = (String) sync.get("credential");
        admin.post("/api/v1/integration-sources", Map.of("tenant_id", tenant.toString(), "name", "big", "source_type", "faker",
                "sync_service_id", sync.get("id"), "settings", Map.of("count", 30_000, "networks", List.of("127.63.0.0/16"))));

        try (SyncRunner runner = new SyncRunner(new SyncRunner.Options(GatewayAddress.plaintext("127.0.0.1:" + grpcPort, credential),
                "restart-sync", 50, 2, Duration.ofSeconds(60), Duration.ofMillis(200), Duration.ofSeconds(2), OutboundPolicy.anywhere()))) {
            CompletableFuture<List<DiscoveryReport>> done = runner.runOnce().toFuture();
            Await.until(Duration.ofSeconds(60), () -> stored(database) >= 500);
            first.close(); // mid-sync: some batches acknowledged, the rest not yet sent
            long acknowledgedBefore = stored(database);
            assertThat(acknowledgedBefore).isBetween(500L, 29_999L);

            try (ConfigurableApplicationContext second = Gateways.start(database, settings)) {
                second.getBean(GatewayStartup.class).ready().block(Duration.ofSeconds(60));
                DiscoveryReport report = done.get(120, TimeUnit.SECONDS).get(0);
                assertThat(report.succeeded()).isTrue();
                assertThat(report.found()).isEqualTo(30_000);
                assertThat(report.resentBatches()).isPositive();
                assertThat(stored(database)).isEqualTo(30_000);
            }
        }
    }

    private static long stored(String database) {
        try (Connection c = TestDatabase.server().connect(database);
             ResultSet rows = c.createStatement().executeQuery("SELECT count(*) FROM discovered_devices")) {
            rows.next();
            return rows.getLong(1);
        } catch (java.sql.SQLException e) {
            return 0; // the schema is not there yet
        }
    }
}
