package io.fleetgate.syncservice;

import static io.fleetgate.test.GrpcClients.codeOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.changes.Change;
import io.fleetgate.proto.SyncServiceHeartbeatRequest;
import io.fleetgate.proto.SyncServiceHelloRequest;
import io.fleetgate.test.GatewayTest;
import io.fleetgate.test.GrpcClients;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import reactor.core.Disposable;

/** Onboarding → hello → heartbeat → online → (clock past the threshold) offline → heartbeat → online. */
@Tag("change-feed")
class SyncServiceLifecycleTest extends GatewayTest {

    @Autowired
    SyncServiceService service;
    @Autowired
    SyncServiceLiveness liveness;
    @Autowired
    SyncStatusEvents events;

    @Test
    void anOnPremSyncServiceGoesOnlineOfflineAndOnlineAgain() {
        UUID tenant = createTenant("lifecycle");
        String admin = tenantAdmin(tenant);
        var onboarded = as(admin, ADMIN_PASSWORD).post().uri("/api/v1/sync-services")
                .bodyValue(java.util.Map.of("tenant_id", tenant.toString(), "name", "Datacenter 1"))
                .exchange().expectStatus().isCreated()
                .expectBody(java.util.Map.class).returnResult().getResponseBody();
        UUID id = UUID.fromString((String) onboarded.get("id"));
        String credential = (String) onboarded.get("credential");
        assertThat(credential).startsWith("fgs_");
        assertThat(status(id)).isEqualTo("offline");

        List<Change.SyncServiceStatusChanged> seen = new CopyOnWriteArrayList<>();
        Disposable subscription = events.events().filter(e -> e.syncServiceId().equals(id)).subscribe(seen::add);
        try {
            var client = GrpcClients.blocking(channel(), credential);
            var hello = client.syncServiceHello(SyncServiceHelloRequest.newBuilder().setName("Datacenter 1").setVersion("1.4.2")
                    .addCapabilities("netbox").addCapabilities("faker").setEndpoint("https://sync.dc1.example:8443")
                    .setHostname("sync-dc1").build());
            assertThat(hello.getAccepted()).isTrue();
            assertThat(hello.getSyncServiceId()).isEqualTo(id.toString());
            assertThat(hello.getTenantId()).isEqualTo(tenant.toString());
            assertThat(hello.getHeartbeatIntervalSec()).isPositive();

            var details = admin().get().uri("/api/v1/sync-services/{id}", id).exchange().expectStatus().isOk()
                    .expectBody();
            details.jsonPath("$.sync_service.status").isEqualTo("online")
                    .jsonPath("$.sync_service.version").isEqualTo("1.4.2")
                    .jsonPath("$.sync_service.hostname").isEqualTo("sync-dc1")
                    .jsonPath("$.sync_service.endpoint").isEqualTo("https://sync.dc1.example:8443")
                    .jsonPath("$.sync_service.capabilities[0]").isEqualTo("netbox")
                    .jsonPath("$.sync_service.registered_at").isNotEmpty();

            var beat = client.syncServiceHeartbeat(SyncServiceHeartbeatRequest.newBuilder().setHealthy(true).build());
            assertThat(beat.getStatus()).isEqualTo("online");

            // past the threshold: reads say offline even before the ticker runs...
            clock.advance(Duration.ofMinutes(3));
            assertThat(status(id)).isEqualTo("offline");
            // ...and the tick writes it, once
            assertThat(liveness.tick().collectList().block()).anySatisfy(t -> {
                assertThat(t.syncServiceId()).isEqualTo(id);
                assertThat(t.to()).isEqualTo(SyncStatus.OFFLINE);
            });
            assertThat(liveness.tick().collectList().block()).noneMatch(t -> t.syncServiceId().equals(id));

            beat = client.syncServiceHeartbeat(SyncServiceHeartbeatRequest.newBuilder().setHealthy(true).build());
            assertThat(beat.getStatus()).isEqualTo("online");
            assertThat(status(id)).isEqualTo("online");

            beat = client.syncServiceHeartbeat(SyncServiceHeartbeatRequest.newBuilder().setHealthy(false).setMessage("netbox down").build());
            assertThat(beat.getStatus()).isEqualTo("degraded");

            awaitEvents(seen, 4);
            assertThat(seen).extracting(Change.SyncServiceStatusChanged::status)
                    .containsExactly("online", "offline", "online", "degraded");
        } finally {
            subscription.dispose();
        }
        String metrics = anonymous().get().uri("/actuator/prometheus").exchange().expectBody(String.class).returnResult().getResponseBody();
        assertThat(metrics).contains("fleetgate_sync_service_transitions_total{application=\"fleetgate\",to=\"offline\"}")
                .contains("fleetgate_sync_services{application=\"fleetgate\",status=\"online\"}")
                .contains("fleetgate_sync_service_hellos_total").contains("fleetgate_sync_service_heartbeats_total");
    }

    @Test
    void rotationRevokesTheOldCredentialAtOnce() {
        UUID tenant = createTenant("rotate");
        Onboarded sync = onboardSyncService(tenant);
        var hello = SyncServiceHelloRequest.newBuilder().setName("x").build();
        assertThat(codeOf(() -> GrpcClients.blocking(channel(), sync.credential()).syncServiceHello(hello))).isEqualTo(Status.Code.OK);

        String rotated = (String) admin().post().uri("/api/v1/sync-services/{id}/credentials", sync.id())
                .exchange().expectStatus().isCreated()
                .expectBody(java.util.Map.class).returnResult().getResponseBody().get("credential");

        // at once: the rotating replica clears its cache before it answers
        assertThat(codeOf(() -> GrpcClients.blocking(channel(), sync.credential()).syncServiceHello(hello)))
                .isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(codeOf(() -> GrpcClients.blocking(channel(), rotated).syncServiceHello(hello))).isEqualTo(Status.Code.OK);

        admin().delete().uri("/api/v1/sync-services/{id}/credentials", sync.id()).exchange().expectStatus().isNoContent();
        assertThat(codeOf(() -> GrpcClients.blocking(channel(), rotated).syncServiceHello(hello))).isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void aSyncServiceActsOnlyAsItself() {
        UUID tenantA = createTenant("iso-a");
        UUID tenantB = createTenant("iso-b");
        Onboarded syncA = onboardSyncService(tenantA);
        Onboarded syncB = onboardSyncService(tenantB);
        var client = GrpcClients.blocking(channel(), syncA.credential());
        assertThat(codeOf(() -> client.syncServiceHeartbeat(SyncServiceHeartbeatRequest.newBuilder()
                .setSyncServiceId(syncB.id().toString()).setHealthy(true).build()))).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(codeOf(() -> client.syncServiceHeartbeat(SyncServiceHeartbeatRequest.newBuilder()
                .setSyncServiceId("not-a-uuid").build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
        // an agent credential is no sync service
        String agent = agentToken(tenantA);
        assertThat(codeOf(() -> GrpcClients.blocking(channel(), agent).syncServiceHello(SyncServiceHelloRequest.getDefaultInstance())))
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        // and tenant A's admin cannot see B's
        String adminA = tenantAdmin(tenantA);
        as(adminA, ADMIN_PASSWORD).get().uri("/api/v1/sync-services/{id}", syncB.id()).exchange().expectStatus().isNotFound();
        as(adminA, ADMIN_PASSWORD).post().uri("/api/v1/sync-services/{id}/credentials", syncB.id()).exchange().expectStatus().isNotFound();
        as(adminA, ADMIN_PASSWORD).post().uri("/api/v1/sync-services")
                .bodyValue(java.util.Map.of("tenant_id", tenantB.toString(), "name", "sneaky"))
                .exchange().expectStatus().isNotFound();
    }

    @Test
    void badHelloIsRefusedAndNothingIsWritten() {
        UUID tenant = createTenant("bad-hello");
        Onboarded sync = onboardSyncService(tenant);
        var client = GrpcClients.blocking(channel(), sync.credential());
        assertThat(codeOf(() -> client.syncServiceHello(SyncServiceHelloRequest.newBuilder().setEndpoint("not a url").build())))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(codeOf(() -> client.syncServiceHello(SyncServiceHelloRequest.newBuilder().addCapabilities("gopher").build())))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(codeOf(() -> client.syncServiceHello(SyncServiceHelloRequest.newBuilder().setVersion("v".repeat(65)).build())))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(queryValue("SELECT registered_at FROM sync_services WHERE id = ?", sync.id())).isNull();
        assertThat(status(sync.id())).isEqualTo("offline");
    }

    @Test
    void onboardingValidatesItsInput() {
        UUID tenant = createTenant("bad-onboard");
        admin().post().uri("/api/v1/sync-services").bodyValue(java.util.Map.of("tenant_id", tenant.toString(), "name", ""))
                .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("name");
        admin().post().uri("/api/v1/sync-services").bodyValue(java.util.Map.of("tenant_id", tenant.toString(), "name", "n".repeat(101)))
                .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("name");
        admin().post().uri("/api/v1/sync-services").bodyValue(java.util.Map.of("tenant_id", UUID.randomUUID().toString(), "name", "x"))
                .exchange().expectStatus().isNotFound();
        assertThat(((Number) queryValue("SELECT count(*) FROM sync_services WHERE tenant_id = ?", tenant)).intValue()).isZero();
    }

    @Test
    void everyTenantSeesThePlatformSyncService() {
        UUID tenant = createTenant("sees-saas");
        String admin = tenantAdmin(tenant);
        as(admin, ADMIN_PASSWORD).get().uri("/api/v1/sync-services").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.length()").isEqualTo(1)
                .jsonPath("$[0].is_platform_sync").isEqualTo(true)
                .jsonPath("$[0].service_type").isEqualTo("saas");
        assertThat(service.available(tenant).block()).isTrue();
    }

    private String status(UUID id) {
        return (String) admin().get().uri("/api/v1/sync-services").exchange().expectStatus().isOk()
                .expectBodyList(java.util.Map.class).returnResult().getResponseBody().stream()
                .filter(s -> id.toString().equals(s.get("id"))).findFirst().orElseThrow().get("status");
    }

    private static void awaitEvents(List<?> seen, int count) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (seen.size() < count && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }
}
