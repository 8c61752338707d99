package io.fleetgate.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetgate.grpc.GrpcServer;
import io.fleetgate.platform.GatewayStartup;
import io.fleetgate.proto.DiscoveredDevice;
import io.fleetgate.proto.SyncDevicesRequest;
import io.fleetgate.proto.SyncDevicesResponse;
import io.fleetgate.test.AdminClient;
import io.fleetgate.test.Gateways;
import io.fleetgate.test.GrpcClients;
import io.fleetgate.test.TestDatabase;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Flux;

/** The pool's bounds: its size, and how long one statement may run. */
class PoolSizeTest {

    @Test
    void aPoolOfOneConnectionRunsTheGateway() {
        String database = TestDatabase.createDatabase("fleetgate_pool");
        try (ConfigurableApplicationContext gateway = Gateways.start(database, Map.of("spring.r2dbc.pool.max-size", "1",
                "fleetgate.platform.admin-password", "pool-admin-password"))) {
            gateway.getBean(GatewayStartup.class).ready().block(Duration.ofSeconds(60));
            AdminClient admin = new AdminClient(gateway, "pool-admin-password");
            UUID tenant = admin.tenant("pool-tenant");
            Map<?, ?> sync = admin.post("/api/v1/sync-services", Map.of("tenant_id", tenant.toString(), "name", "pool sync"));
            String credential = (String) sync.get("credential");
            Map<?, ?> source = admin.post("/api/v1/integration-sources", Map.of("tenant_id", tenant.toString(), "name", "pool source",
                    "source_type", "faker", "sync_service_id", sync.get("id")));
            ManagedChannel channel = GrpcClients.channel(gateway.getBean(GrpcServer.class).port());
            try {
                List<SyncDevicesResponse> answers = GrpcClients.reactor(channel, credential).syncDevices(Flux.just(SyncDevicesRequest.newBuilder()
                        .setBatchSeq(1).setIntegrationSourceId((String) source.get("id"))
                        .addDevices(DiscoveredDevice.newBuilder().setDeviceId("d1").setSourceType("faker").addIpAddresses("127.80.0.1"))
                        .build())).collectList().block(Duration.ofSeconds(30));
                assertThat(answers).singleElement().satisfies(answer -> assertThat(answer.getDevicesCreated()).isEqualTo(1));
            } finally {
                channel.shutdownNow();
            }
        }
    }

    @Test
    void noStatementOutlivesTheStatementTimeout() {
        String database = TestDatabase.createDatabase("fleetgate_timeout");
        try (ConfigurableApplicationContext gateway = Gateways.start(database, Map.of("fleetgate.database.statement-timeout", "1s"))) {
            DatabaseClient client = gateway.getBean(DatabaseClient.class);
            assertThatThrownBy(() -> client.sql("SELECT pg_sleep(5)").fetch().rowsUpdated().block(Duration.ofSeconds(4)))
                    .hasMessageContaining("statement timeout");
            assertThat(client.sql("SHOW statement_timeout").map((row, meta) -> row.get(0, String.class)).one().block()).isEqualTo("1s");
        }
    }
}
