package io.fleetgate.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.platform.GatewayStartup;
import io.fleetgate.proto.DiscoveredDevice;
import io.fleetgate.proto.SyncDevicesRequest;
import io.fleetgate.proto.SyncDevicesResponse;
import io.fleetgate.test.AdminClient;
import io.fleetgate.test.Await;
import io.fleetgate.test.Gateways;
import io.fleetgate.test.GrpcClients;
import io.fleetgate.test.TestDatabase;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.publisher.Flux;

/** Shutdown with a SyncDevices stream open: the batch it stored is acknowledged, then the stream ends UNAVAILABLE, never CANCELLED. */
class ShutdownDrainTest {

    @Test
    void aStreamOpenAtShutdownHasItsStoredBatchAcknowledgedThenEndsUnavailable() throws Exception {
        String database = TestDatabase.createDatabase("fleetgate_drain");
        ConfigurableApplicationContext gateway = Gateways.start(database, Map.of("fleetgate.grpc.shutdown-grace", "20s",
                "fleetgate.platform.admin-password", "drain-admin-password"));
        gateway.getBean(GatewayStartup.class).ready().block(Duration.ofSeconds(60));
        AdminClient admin = new AdminClient(gateway, "drain-admin-password");
        UUID tenant = admin.tenant("drain");
        Map<?, ?> sync = admin.post("/api/v1/sync-services", Map.of("tenant_id", tenant.toString(), "name", "drain sync"));
        Map<?, ?> source = admin.post("/api/v1/integration-sources", Map.of("tenant_id", tenant.toString(), "name", "drain source",
                "source_type", "faker", "sync_service_id", sync.get("id")));
        SyncDevicesRequest.Builder batch = SyncDevicesRequest.newBuilder().setBatchSeq(1).setIntegrationSourceId((String) source.get("id"));
        for (int i = 0; i < 10_000; i++) {
            batch.addDevices(DiscoveredDevice.newBuilder().setDeviceId("d-" + i).setSourceType("faker")
                    .addIpAddresses("127.9." + (i / 250) + "." + (i % 250 + 1)));
        }
        ManagedChannel channel = GrpcClients.channel(gateway.getBean(GrpcServer.class).port());
        List<SyncDevicesResponse> acks = new CopyOnWriteArrayList<>();
        AtomicReference<Throwable> ended = new AtomicReference<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            // the client keeps its stream open, as a sync service between runs does
            GrpcClients.reactor(channel, (String) sync.get("credential"))
                    .syncDevices(Flux.just(batch.build()).concatWith(Flux.never()))
                    .subscribe(acks::add, error -> {
                        ended.set(error);
                        done.complete(null);
                    }, () -> done.complete(null));
            // shut down while the batch is being stored (its statement runs) or once it is acknowledged
            Await.until(Duration.ofSeconds(30), () -> !acks.isEmpty() || storing(database));
            CompletableFuture<Void> closing = CompletableFuture.runAsync(gateway::close);
            done.get(30, TimeUnit.SECONDS);
            closing.get(30, TimeUnit.SECONDS);
        } finally {
            channel.shutdownNow();
            if (gateway.isActive()) {
                gateway.close();
            }
        }
        assertThat(Status.fromThrowable(ended.get()).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        // acknowledged exactly when stored, never committed behind the client's back: it was being stored
        // or stored when the shutdown began, so it is both
        long stored = rows(database);
        assertThat(acks).hasSizeLessThanOrEqualTo(1);
        assertThat(stored).isEqualTo(acks.isEmpty() ? 0 : 10_000);
        assertThat(acks).as("the batch in flight at shutdown is acknowledged").hasSize(1);
        acks.forEach(ack -> assertThat(ack.getDevicesCreated()).isEqualTo(10_000));
    }

    private static boolean storing(String database) {
        try (Connection c = TestDatabase.server().connect(database);
             ResultSet rows = c.createStatement().executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                     + "AND state = 'active' AND query ILIKE '%discovered_devices%' AND pid <> pg_backend_pid()")) {
            rows.next();
            return rows.getLong(1) > 0;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long rows(String database) throws Exception {
        try (Connection c = TestDatabase.server().connect(database);
             ResultSet rows = c.createStatement().executeQuery("SELECT count(*) FROM discovered_devices")) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
