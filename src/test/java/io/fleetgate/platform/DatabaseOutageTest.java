package io.fleetgate.platform;

import static io.fleetgate.test.GrpcClients.codeOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.grpc.GrpcServer;
import io.fleetgate.proto.AgentHelloRequest;
import io.fleetgate.test.Gateways;
import io.fleetgate.test.GrpcClients;
import io.fleetgate.test.TcpProxy;
import io.fleetgate.test.TestDatabase;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

/** The database goes away and comes back: readiness and gRPC say so, and the gateway recovers alone. */
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
