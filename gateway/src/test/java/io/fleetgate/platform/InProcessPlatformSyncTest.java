package io.fleetgate.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.fleetgate.test.AdminClient;
import io.fleetgate.test.Await;
import io.fleetgate.test.Gateways;
import io.fleetgate.test.TestDatabase;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The SaaS sync running inside a fresh gateway fills discovered_devices with no other process,
 * and again after a restart, when its first-boot credential exists only as a hash.
 */
class InProcessPlatformSyncTest {

    private static final String PASSWORD = "in-process-admin-password";

    @Test
    void aFakerIntegrationOnTheSaasSyncIsDiscoveredByTheGatewayItselfAlsoAfterARestart() throws Exception {
        String database = TestDatabase.createDatabase("fleetgate_saas");
        Map<String, String> settings = Map.of("fleetgate.platform.sync.in-process", "true", "fleetgate.platform.admin-password", PASSWORD);
        Timestamp firstSync;
        try (ConfigurableApplicationContext gateway = Gateways.start(database, settings)) {
            gateway.getBean(GatewayStartup.class).ready().block(Duration.ofSeconds(60));
            AdminClient admin = new AdminClient(gateway, PASSWORD);
            UUID tenant = admin.tenant("saas-customer");
            admin.post("/api/v1/integration-sources", Map.of("tenant_id", tenant.toString(), "name", "lab", "source_type", "faker",
                    "sync_service_id", admin.platformSync(), "agent_uid", "saas-agent",
                    "settings", Map.of("count", 25, "networks", List.of("127.62.0.0/24"))));
            Await.until(Duration.ofSeconds(30), () -> count(database, "SELECT count(*) FROM discovered_devices") == 25);
            firstSync = timestamp(database);
            assertThat(count(database, "SELECT count(*) FROM credentials WHERE label = 'in-process' AND revoked_at IS NULL")).isEqualTo(1);
        }
        // the generated platform token was shown once, then only hashed; the restarted gateway still syncs
        try (ConfigurableApplicationContext gateway = Gateways.start(database, settings)) {
            gateway.getBean(GatewayStartup.class).ready().block(Duration.ofSeconds(60));
            Await.until(Duration.ofSeconds(30), () -> timestamp(database).after(firstSync));
            assertThat(count(database, "SELECT count(*) FROM discovered_devices")).isEqualTo(25);
        }
    }

    @Test
    void theSaasSyncReachesNoNonPublicAddressButTheRangesThePlatformAdminAllows() throws Exception {
        List<String> allowedHits = new CopyOnWriteArrayList<>();
        List<String> refusedHits = new CopyOnWriteArrayList<>();
        HttpServer allowed = netbox("127.0.0.1", allowedHits);
        HttpServer refused = netbox("127.0.0.2", refusedHits);
        String database = TestDatabase.createDatabase("fleetgate_saas");
        try (ConfigurableApplicationContext gateway = Gateways.start(database, Map.of("fleetgate.platform.sync.in-process", "true",
                "fleetgate.platform.admin-password", PASSWORD, "fleetgate.platform.sync.allowed-networks", "127.0.0.1/32"))) {
            gateway.getBean(GatewayStartup.class).ready().block(Duration.ofSeconds(60));
            AdminClient admin = new AdminClient(gateway, PASSWORD);
            UUID tenant = admin.tenant("saas-netbox");
            for (HttpServer server : List.of(refused, allowed)) {
                String host = server.getAddress().getAddress().getHostAddress();
                admin.post("/api/v1/integration-sources", Map.of("tenant_id", tenant.toString(), "name", "netbox " + host,
                        "source_type", "netbox", "endpoint", "http://" + host + ":" + server.getAddress().getPort(),
                        "sync_service_id", admin.platformSync(), "agent_uid", "saas-agent", "credentials", Map.of("api_token", "nb-secret")));
            }
            Await.until(Duration.ofSeconds(30), () -> count(database, "SELECT count(*) FROM discovered_devices") == 1);
            // 127.0.0.2 is loopback and outside the allowed 127.0.0.1/32: created first, never contacted
            assertThat(allowedHits).isNotEmpty().allMatch(hit -> hit.endsWith("Token nb-secret"));
            assertThat(refusedHits).isEmpty();
        } finally {
            allowed.stop(0);
            refused.stop(0);
        }
    }

    /** A NetBox that lists one device and no interfaces. */
    private static HttpServer netbox(String address, List<String> hits) throws java.io.IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(address, 0), 0);
        server.createContext("/", exchange -> {
            hits.add(exchange.getRequestURI() + " " + exchange.getRequestHeaders().getFirst("Authorization"));
            String body = exchange.getRequestURI().getPath().contains("devices")
                    ? "{\"count\":1,\"next\":null,\"results\":[{\"id\":1,\"name\":\"sw\",\"primary_ip4\":{\"address\":\"127.63.0.1/24\"}}]}"
                    : "{\"count\":0,\"next\":null,\"results\":[]}";
            byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static long count(String database, String sql) {
        try (Connection c = TestDatabase.server().connect(database); ResultSet rows = c.createStatement().executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Timestamp timestamp(String database) {
        try (Connection c = TestDatabase.server().connect(database);
             ResultSet rows = c.createStatement().executeQuery("SELECT max(last_sync_at) FROM integration_sources")) {
            rows.next();
            Timestamp value = rows.getTimestamp(1);
            return value == null ? new Timestamp(0) : value;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
