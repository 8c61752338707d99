package io.fleetgate.test;

import io.fleetgate.GatewayApplication;
import io.fleetgate.grpc.GrpcServer;
import io.fleetgate.platform.GatewayStartup;
import io.fleetgate.proto.DiscoveredDevice;
import io.fleetgate.proto.SyncDevicesRequest;
import io.grpc.ManagedChannel;
import io.r2dbc.spi.ConnectionFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;

/**
 * Base of the application tests: one gateway (shared by every subclass) on random HTTP and
 * gRPC ports, over a fresh database on the test PostgreSQL server, with a clock tests move.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
                "fleetgate.grpc.port=0",
                "fleetgate.grpc.address=127.0.0.1",
                "fleetgate.grpc.max-inbound-message-size=4MB",
                "fleetgate.grpc.shutdown-grace=1s",
                "fleetgate.platform.admin-password=" + GatewayTest.ADMIN_PASSWORD,
                "fleetgate.platform.sync.token=" + GatewayTest.PLATFORM_TOKEN,
                "fleetgate.platform.sync.in-process=false",
                "fleetgate.credentials.key=" + GatewayTest.CREDENTIALS_KEY,
                // tests run the status rule themselves (SyncServiceLiveness.tick); no ticker between their steps
                "fleetgate.sync.status-tick=1h",
                // tests flush agent polls themselves (PollRecorder.flush): none lands inside a database count
                "fleetgate.agent.poll-flush-interval=1h",
                // and count the fleet for the metrics themselves (AgentMetrics.refresh)
                "fleetgate.agent.metrics-interval=1h",
                // small enough that a test can reach it (every test has its own tenant)
                "fleetgate.agent.max-agents-per-tenant=20",
        })
@Import(GatewayTest.TestBeans.class)
@ExtendWith(ThreadDumpOnFailure.class)
public abstract class GatewayTest {

    public static final String ADMIN_PASSWORD = "admin-password-for-tests";
    public static final String PLATFORM_TOKEN = "fgp_platform-token-for-tests-0123456789";
    public static final String CREDENTIALS_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    private static final String DATABASE = TestDatabase.createDatabase("fleetgate_it");
    private static ManagedChannel channel;

    @LocalServerPort
    protected int httpPort;
    @Autowired
    protected GrpcServer grpcServer;
    @Autowired
    protected GatewayStartup startup;
    @Autowired
    protected MutableClock clock;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.Server server = TestDatabase.server();
        registry.add("fleetgate.database.url", () -> server.url(DATABASE));
        registry.add("fleetgate.database.user", server::user);
        registry.add("fleetgate.database.password", server::password);
        registry.add("fleetgate.change-feed", Gateways::changeFeed);
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class TestBeans {
        @Bean
        @Primary
        MutableClock mutableClock() {
            return new MutableClock();
        }

        /** Counts connections taken from the pool, so tests can tell when the database was not touched. */
        @Bean
        static BeanPostProcessor countingConnections() {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String name) {
                    return bean instanceof ConnectionFactory factory && name.equals("connectionFactory")
                            ? new CountingConnectionFactory(factory) : bean;
                }
            };
        }
    }

    /** The database this gateway (and any replica a test starts) uses. */
    protected static String databaseName() {
        return DATABASE;
    }

    @BeforeEach
    void awaitReady() {
        startup.ready().block(Duration.ofSeconds(60));
        clock.reset();
    }

    /** A JDBC connection to the gateway's database, to look behind the API. */
    protected static Connection jdbc() throws SQLException {
        return TestDatabase.server().connect(DATABASE);
    }

    /** The first column of the first row of a query on the gateway's database. */
    protected static Object queryValue(String sql, Object... args) {
        try (Connection connection = jdbc(); PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                statement.setObject(i + 1, args[i]);
            }
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? rows.getObject(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A channel to the gateway's gRPC port. */
    protected ManagedChannel channel() {
        synchronized (GatewayTest.class) {
            if (channel == null || channel.isShutdown()) {
                channel = GrpcClients.channel(grpcServer.port());
            }
            return channel;
        }
    }

    /** A REST client signed in as the platform admin. */
    protected WebTestClient admin() {
        return as("admin", ADMIN_PASSWORD);
    }

    protected WebTestClient as(String username, String password) {
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + httpPort)
                .responseTimeout(Duration.ofSeconds(30))
                .defaultHeaders(headers -> headers.setBasicAuth(username, password))
                .defaultHeader(HttpHeaders.ACCEPT, MediaType.APPLICATION_JSON_VALUE, MediaType.APPLICATION_PROBLEM_JSON_VALUE)
                .build();
    }

    protected WebTestClient anonymous() {
        // the same patience as as(): the default 5 s failed a UI page once on a loaded CI machine
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + httpPort).responseTimeout(Duration.ofSeconds(30)).build();
    }

    /** A new tenant with a unique slug; returns its id. */
    protected UUID createTenant(String prefix) {
        String slug = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        Map<?, ?> body = admin().post().uri("/api/v1/tenants")
                .bodyValue(Map.of("slug", slug, "name", "Tenant " + slug))
                .exchange().expectStatus().isCreated()
                .expectBody(Map.class).returnResult().getResponseBody();
        return UUID.fromString((String) body.get("id"));
    }

    /** A new agent enrollment token of the tenant. */
    protected String agentToken(UUID tenant) {
        return (String) issueAgentToken(tenant).get("token");
    }

    protected Map<?, ?> issueAgentToken(UUID tenant) {
        return admin().post().uri("/api/v1/tenants/{id}/agent-tokens", tenant)
                .exchange().expectStatus().isCreated()
                .expectBody(Map.class).returnResult().getResponseBody();
    }

    /** An on-prem sync service of the tenant: its id and its credential. */
    protected record Onboarded(UUID id, String credential) {
    }

    protected Onboarded onboardSyncService(UUID tenant) {
        Map<?, ?> body = admin().post().uri("/api/v1/sync-services")
                .bodyValue(Map.of("tenant_id", tenant.toString(), "name", "sync-" + UUID.randomUUID().toString().substring(0, 8)))
                .exchange().expectStatus().isCreated()
                .expectBody(Map.class).returnResult().getResponseBody();
        return new Onboarded(UUID.fromString((String) body.get("id")), (String) body.get("credential"));
    }

    /** One SyncDevices batch of these devices (source type faker) for the source, acknowledged before this returns. */
    protected void syncBatch(Onboarded sync, UUID source, long seq, DiscoveredDevice.Builder... devices) {
        SyncDevicesRequest.Builder batch = SyncDevicesRequest.newBuilder().setBatchSeq(seq).setIntegrationSourceId(source.toString());
        for (DiscoveredDevice.Builder device : devices) {
            batch.addDevices(device.setSourceType("faker"));
        }
        GrpcClients.reactor(channel(), sync.credential()).syncDevices(Flux.just(batch.build())).blockLast(Duration.ofSeconds(30));
    }

    protected UUID platformSyncServiceId() {
        return startup.ready().block(Duration.ofSeconds(60)).platformSyncServiceId().orElseThrow();
    }

    /** A faker integration source of the tenant on that sync service, with extra fields; returns its id. */
    protected UUID createSource(UUID tenant, UUID syncService, Map<String, Object> extra) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of(
                "tenant_id", tenant.toString(),
                "name", "source-" + UUID.randomUUID().toString().substring(0, 8),
                "source_type", "faker",
                "sync_service_id", syncService.toString()));
        body.putAll(extra);
        Map<?, ?> created = admin().post().uri("/api/v1/integration-sources").bodyValue(body)
                .exchange().expectStatus().isCreated()
                .expectBody(Map.class).returnResult().getResponseBody();
        return UUID.fromString((String) created.get("id"));
    }

    /** A new tenant admin of that tenant, whose password is ADMIN_PASSWORD; returns its login ({@code slug/name}). */
    protected String tenantAdmin(UUID tenant) {
        String username = "user-" + UUID.randomUUID().toString().substring(0, 8);
        Map<?, ?> created = admin().post().uri("/api/v1/tenants/{id}/users", tenant)
                .bodyValue(Map.of("username", username, "password", ADMIN_PASSWORD, "role", "TENANT_ADMIN"))
                .exchange().expectStatus().isCreated()
                .expectBody(Map.class).returnResult().getResponseBody();
        return (String) created.get("login");
    }
}
