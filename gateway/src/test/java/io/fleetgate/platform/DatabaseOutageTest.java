package io.fleetgate.platform;

import static io.fleetgate.test.GrpcClients.codeOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.grpc.GrpcServer;
import io.fleetgate.proto.AgentConfigRequest;
import io.fleetgate.proto.AgentHelloRequest;
import io.fleetgate.proto.DiscoveredDevice;
import io.fleetgate.proto.SyncDevicesRequest;
import io.fleetgate.test.Await;
import io.fleetgate.test.Gateways;
import io.fleetgate.test.GrpcClients;
import io.fleetgate.test.TcpProxy;
import io.fleetgate.test.TestDatabase;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;

/** The database goes away and comes back: readiness and gRPC say so, and the gateway recovers alone. */
@Tag("change-feed")
class DatabaseOutageTest {

    @Test
    void readinessDownAndGrpcUnavailableWhileTheDatabaseIsGoneThenRecovery() throws Exception {
        TestDatabase.Server server = TestDatabase.server();
        String database = TestDatabase.createDatabase("fleetgate_outage");
        try (TcpProxy proxy = new TcpProxy(server.host(), server.port());
             ConfigurableApplicationContext gateway = Gateways.start(database, Map.of(
                     "fleetgate.database.url", "postgresql://127.0.0.1:" + proxy.port() + "/" + database,
                     "fleetgate.platform.sync.token", "fgp_outage-platform-token-0123456789",
                     "spring.r2dbc.pool.max-acquire-time", "2s",
                     "spring.r2dbc.pool.max-create-connection-time", "2s"))) {
            gateway.getBean(GatewayStartup.class).ready().block(Duration.ofSeconds(60));
            WebTestClient http = WebTestClient.bindToServer()
                    .baseUrl("http://127.0.0.1:" + gateway.getEnvironment().getProperty("local.server.port")).build();
            ManagedChannel channel = GrpcClients.channel(gateway.getBean(GrpcServer.class).port());
            Supplier<Status.Code> hello = () -> codeOf(() -> GrpcClients.blocking(channel, "fga_unknown-token-so-the-database-is-asked")
                    .withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS)
                    .hello(AgentHelloRequest.newBuilder().setAgentId("a").build()));
            try {
                assertThat(readiness(http)).isEqualTo(200);
                assertThat(hello.get()).isEqualTo(Status.Code.UNAUTHENTICATED);

                proxy.cut();
                assertThat(eventually(() -> readiness(http) == 503)).isTrue();
                assertThat(hello.get()).isEqualTo(Status.Code.UNAVAILABLE);
                http.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();

                proxy.restore();
                assertThat(eventually(() -> readiness(http) == 200)).isTrue();
                assertThat(eventually(() -> hello.get() == Status.Code.UNAUTHENTICATED)).isTrue();
            } finally {
                channel.shutdownNow();
            }
        }
    }

    @Test
    void aDatabaseFailureMidBatchFailsTheStreamWithUnavailableAndWritesNothingOfIt() throws Exception {
        TestDatabase.Server server = TestDatabase.server();
        String database = TestDatabase.createDatabase("fleetgate_outage");
        try (TcpProxy proxy = new TcpProxy(server.host(), server.port());
             ConfigurableApplicationContext gateway = Gateways.start(database, Map.of(
                     "fleetgate.database.url", "postgresql://127.0.0.1:" + proxy.port() + "/" + database,
                     "fleetgate.platform.admin-password", "frozen-admin-password",
                     "fleetgate.platform.sync.token", "fgp_outage-platform-token-0123456789"))) {
            gateway.getBean(GatewayStartup.class).ready().block(Duration.ofSeconds(60));
            WebTestClient admin = admin(gateway);
            String tenant = (String) admin.post().uri("/api/v1/tenants").bodyValue(Map.of("slug", "outage", "name", "Outage"))
                    .exchange().expectBody(Map.class).returnResult().getResponseBody().get("id");
            String source = fakerSource(admin, tenant);
            SyncDevicesRequest.Builder batch = SyncDevicesRequest.newBuilder().setBatchSeq(1).setTenantId(tenant)
                    .setIntegrationSourceId(source);
            for (int i = 0; i < 20_000; i++) {
                batch.addDevices(DiscoveredDevice.newBuilder().setDeviceId("d-" + i)
                        .addIpAddresses("127.8." + (i / 250) + "." + (i % 250 + 1)));
            }
            ManagedChannel channel = GrpcClients.channel(gateway.getBean(GrpcServer.class).port());
            try {
                long before = proxy.bytesForwarded();
                var responses = GrpcClients.reactor(channel, "fgp_outage-platform-token-0123456789")
                        .syncDevices(Flux.just(batch.build()).concatWith(Flux.never()))
                        .materialize().take(1).next().toFuture();
                // cut once the batch is on its way to PostgreSQL (its 20,000 devices are far more than 64 KiB)
                Await.until(Duration.ofSeconds(30), () -> proxy.bytesForwarded() - before > 64 * 1024 || responses.isDone());
                proxy.cut();
                var signal = responses.get(60, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(signal.isOnError()).as("the batch was not acknowledged").isTrue();
                assertThat(GrpcClients.code(signal.getThrowable())).isEqualTo(Status.Code.UNAVAILABLE);
            } finally {
                channel.shutdownNow();
            }
            proxy.restore();
            try (var connection = server.connect(database);
                 var rows = connection.createStatement().executeQuery("SELECT count(*) FROM discovered_devices")) {
                rows.next();
                assertThat(rows.getLong(1)).isZero();
            }
        }
    }

    @Test
    void aFrozenDatabaseTurnsTheAgentServiceNotServingAndReadinessAnswersAtOnceFromState() throws Exception {
        TestDatabase.Server server = TestDatabase.server();
        String database = TestDatabase.createDatabase("fleetgate_frozen");
        try (TcpProxy proxy = new TcpProxy(server.host(), server.port());
             ConfigurableApplicationContext gateway = Gateways.start(database, Map.of(
                     "fleetgate.database.url", "postgresql://127.0.0.1:" + proxy.port() + "/" + database,
                     "fleetgate.platform.admin-password", "frozen-admin-password",
                     "fleetgate.grpc.call-timeout", "2s",
                     "fleetgate.platform.sync.token", "fgp_frozen-platform-token-0123456789"))) {
            gateway.getBean(GatewayStartup.class).ready().block(Duration.ofSeconds(60));
            // Kubernetes' default probe timeout: readiness must answer within it, whatever the database does
            WebTestClient http = WebTestClient.bindToServer().responseTimeout(Duration.ofSeconds(1))
                    .baseUrl("http://127.0.0.1:" + gateway.getEnvironment().getProperty("local.server.port")).build();
            ManagedChannel channel = GrpcClients.channel(gateway.getBean(GrpcServer.class).port());
            Supplier<ServingStatus> agents = () -> health(channel, "monitoring.AgentGatewayService");
            String token = agentToken(gateway);
            Supplier<Status.Code> getConfig = () -> codeOf(() -> GrpcClients.blocking(channel, token)
                    .withDeadlineAfter(20, java.util.concurrent.TimeUnit.SECONDS)
                    .getConfig(AgentConfigRequest.newBuilder().setAgentId("frozen-agent").build()));
            try {
                assertThat(agents.get()).isEqualTo(ServingStatus.SERVING);
                assertThat(readiness(http)).isEqualTo(200);
                assertThat(getConfig.get()).isEqualTo(Status.Code.OK);

                proxy.freeze();
                assertThat(eventually(() -> agents.get() == ServingStatus.NOT_SERVING)).isTrue();
                assertThat(health(channel, "")).as("the process is alive").isEqualTo(ServingStatus.SERVING);
                assertThat(readiness(http)).isEqualTo(503);
                long asked = System.nanoTime();
                assertThat(getConfig.get()).as("bounded by FLEETGATE_GRPC_CALL_TIMEOUT, not the caller's deadline")
                        .isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofSeconds(15));

                proxy.thaw();
                assertThat(eventually(() -> agents.get() == ServingStatus.SERVING)).isTrue();
                assertThat(eventually(() -> readiness(http) == 200)).isTrue();
            } finally {
                proxy.thaw();
                channel.shutdownNow();
            }
        }
    }

    /**
     * A statement that never returns (a lock held for ever here; a database that stops answering
     * mid-query alike): the connection was acquired, so only the gateway's own bounds end the call.
     */
    @Test
    void aStatementThatNeverReturnsEndsTheCallUnavailableWithinTheGatewaysBoundNotTheCallersDeadline() throws Exception {
        TestDatabase.Server server = TestDatabase.server();
        String database = TestDatabase.createDatabase("fleetgate_stuck");
        try (ConfigurableApplicationContext gateway = Gateways.start(database, Map.of(
                "fleetgate.platform.admin-password", "frozen-admin-password",
                "fleetgate.database.statement-timeout", "5m",
                "fleetgate.grpc.call-timeout", "2s",
                "fleetgate.ingest.batch-timeout", "2s",
                "fleetgate.platform.sync.token", "fgp_stuck-platform-token-0123456789"));
             var locker = server.connect(database)) {
            gateway.getBean(GatewayStartup.class).ready().block(Duration.ofSeconds(60));
            WebTestClient admin = admin(gateway);
            String tenant = (String) admin.post().uri("/api/v1/tenants").bodyValue(Map.of("slug", "stuck", "name", "Stuck"))
                    .exchange().expectBody(Map.class).returnResult().getResponseBody().get("id");
            String token = (String) admin.post().uri("/api/v1/tenants/{id}/agent-tokens", tenant)
                    .exchange().expectBody(Map.class).returnResult().getResponseBody().get("token");
            String source = fakerSource(admin, tenant);
            ManagedChannel channel = GrpcClients.channel(gateway.getBean(GrpcServer.class).port());
            try {
                locker.setAutoCommit(false);
                locker.createStatement().execute("LOCK TABLE discovered_devices IN ACCESS EXCLUSIVE MODE");
                long asked = System.nanoTime();
                Status.Code code = codeOf(() -> GrpcClients.blocking(channel, token)
                        .withDeadlineAfter(20, java.util.concurrent.TimeUnit.SECONDS)
                        .getConfig(AgentConfigRequest.newBuilder().setAgentId("never-cached").build()));
                assertThat(code).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofSeconds(15));

                var signal = GrpcClients.reactor(channel, "fgp_stuck-platform-token-0123456789")
                        .syncDevices(Flux.just(SyncDevicesRequest.newBuilder().setBatchSeq(1).setTenantId(tenant)
                                .setIntegrationSourceId(source).addDevices(DiscoveredDevice.newBuilder().setDeviceId("stuck")
                                        .addIpAddresses("127.9.0.1")).build()).concatWith(Flux.never()))
                        .materialize().blockFirst(Duration.ofSeconds(20));
                assertThat(signal.isOnError()).as("the batch was not acknowledged").isTrue();
                assertThat(GrpcClients.code(signal.getThrowable())).isEqualTo(Status.Code.UNAVAILABLE);
            } finally {
                locker.rollback();
                channel.shutdownNow();
            }
            try (var rows = locker.createStatement().executeQuery("SELECT count(*) FROM discovered_devices")) {
                rows.next();
                assertThat(rows.getLong(1)).as("the timed-out batch was rolled back").isZero();
            }
        }
    }

    private static WebTestClient admin(ConfigurableApplicationContext gateway) {
        return WebTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:" + gateway.getEnvironment().getProperty("local.server.port"))
                .defaultHeaders(headers -> headers.setBasicAuth("admin", "frozen-admin-password")).build();
    }

    private static String agentToken(ConfigurableApplicationContext gateway) {
        WebTestClient admin = admin(gateway);
        String tenant = (String) admin.post().uri("/api/v1/tenants").bodyValue(Map.of("slug", "frozen", "name", "Frozen"))
                .exchange().expectBody(Map.class).returnResult().getResponseBody().get("id");
        return (String) admin.post().uri("/api/v1/tenants/{id}/agent-tokens", tenant)
                .exchange().expectBody(Map.class).returnResult().getResponseBody().get("token");
    }

    /** A faker source of the tenant on the platform's sync service. */
    private static String fakerSource(WebTestClient admin, String tenant) {
        return (String) admin.get().uri("/api/v1/sync-services").exchange().expectBody(List.class).returnResult()
                .getResponseBody().stream().map(s -> ((Map<?, ?>) s).get("id")).findFirst()
                .map(sync -> admin.post().uri("/api/v1/integration-sources").bodyValue(Map.of("tenant_id", tenant,
                                "name", "faker", "source_type", "faker", "sync_service_id", sync))
                        .exchange().expectBody(Map.class).returnResult().getResponseBody().get("id"))
                .orElseThrow();
    }

    private static ServingStatus health(ManagedChannel channel, String service) {
        return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(2, java.util.concurrent.TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
    }

    private static int readiness(WebTestClient http) {
        return http.get().uri("/actuator/health/readiness").exchange().returnResult(String.class).getStatus().value();
    }

    private static boolean eventually(Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.get()) {
                return true;
            }
            Thread.onSpinWait();
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
        }
        return false;
    }
}
