package io.fleetgate.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.proto.SyncConfigRequest;
import io.fleetgate.test.GatewayTest;
import io.fleetgate.test.GrpcClients;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The SaaS sync runs tenants' sources on the operator's budget: sources per tenant, devices per run
 * and time between runs are bounded by a per-tenant quota a platform admin may change.
 */
class SaasQuotaTest extends GatewayTest {

    @Test
    void aTenantSeesItsQuotaButOnlyAPlatformAdminChangesIt() {
        UUID tenant = createTenant("quota-view");
        String tenantAdmin = tenantAdmin(tenant);
        as(tenantAdmin, ADMIN_PASSWORD).get().uri("/api/v1/tenants/{id}/saas-quota", tenant).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.max_sources").isEqualTo(20).jsonPath("$.max_devices_per_run").isEqualTo(100000)
                .jsonPath("$.min_poll_interval_sec").isEqualTo(300);
        as(tenantAdmin, ADMIN_PASSWORD).put().uri("/api/v1/tenants/{id}/saas-quota", tenant).bodyValue(Map.of("max_sources", 1000))
                .exchange().expectStatus().isForbidden();
        as(tenantAdmin, ADMIN_PASSWORD).get().uri("/api/v1/tenants/{id}/saas-quota", createTenant("quota-other")).exchange()
                .expectStatus().isNotFound();
        admin().put().uri("/api/v1/tenants/{id}/saas-quota", tenant).bodyValue(Map.of("max_devices_per_run", 0))
                .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("max_devices_per_run");
    }

    @Test
    void aSaasSourceKeepsToTheMinimumPollIntervalAndTheDevicesPerRunButAnOnPremOneNeedNot() {
        UUID tenant = createTenant("quota-rules");
        Map<String, Object> greedy = Map.of("poll_interval_sec", 10, "settings", Map.of("count", 1_000_000));
        post(source(tenant, platformSyncServiceId(), Map.of("poll_interval_sec", 60))).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("poll_interval_sec")
                .jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("at most every 300 s"));
        post(source(tenant, platformSyncServiceId(), Map.of("settings", Map.of("count", 200_000)))).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("settings.count");
        post(source(tenant, onboardSyncService(tenant).id(), greedy)).expectStatus().isCreated();

        admin().put().uri("/api/v1/tenants/{id}/saas-quota", tenant)
                .bodyValue(Map.of("min_poll_interval_sec", 10, "max_devices_per_run", 1_000_000)).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.min_poll_interval_sec").isEqualTo(10).jsonPath("$.max_sources").isEqualTo(20);
        post(source(tenant, platformSyncServiceId(), greedy)).expectStatus().isCreated();
    }

    @Test
    void pastItsQuotaOfSourcesATenantCannotAddOrMoveOneOntoTheSaasSync() {
        UUID tenant = createTenant("quota-count");
        admin().put().uri("/api/v1/tenants/{id}/saas-quota", tenant).bodyValue(Map.of("max_sources", 2)).exchange().expectStatus().isOk();
        createSource(tenant, platformSyncServiceId(), Map.of());
        createSource(tenant, platformSyncServiceId(), Map.of());
        post(source(tenant, platformSyncServiceId(), Map.of())).expectStatus().isEqualTo(429)
                .expectBody().jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("at most 2 sources"));
        // moving an on-prem source onto the SaaS sync counts too; another tenant is not affected
        UUID onPrem = createSource(tenant, onboardSyncService(tenant).id(), Map.of());
        Map<String, Object> moved = source(tenant, platformSyncServiceId(), Map.of());
        admin().put().uri("/api/v1/integration-sources/{id}", onPrem).bodyValue(moved).exchange().expectStatus().isEqualTo(429);
        createSource(createTenant("quota-neighbour"), platformSyncServiceId(), Map.of());
        // back to the default
        admin().put().uri("/api/v1/tenants/{id}/saas-quota", tenant).bodyValue(Map.of()).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.max_sources").isEqualTo(20);
        post(source(tenant, platformSyncServiceId(), Map.of())).expectStatus().isCreated();
    }

    @Test
    void theSaasSyncIsToldEachTenantsDevicesPerRunAndAnOnPremSyncIsNot() {
        UUID small = createTenant("quota-small");
        admin().put().uri("/api/v1/tenants/{id}/saas-quota", small).bodyValue(Map.of("max_devices_per_run", 500)).exchange().expectStatus().isOk();
        UUID saasSource = createSource(small, platformSyncServiceId(), Map.of());
        UUID defaultTenant = createTenant("quota-default");
        UUID defaultSource = createSource(defaultTenant, platformSyncServiceId(), Map.of());
        Onboarded onPrem = onboardSyncService(small);
        createSource(small, onPrem.id(), Map.of());

        Map<String, String> maxDevices = new HashMap<>();
        GrpcClients.blocking(channel(), PLATFORM_TOKEN).getSyncConfig(SyncConfigRequest.getDefaultInstance()).getSourcesList()
                .forEach(source -> maxDevices.put(source.getId(), source.getSettingsOrDefault("max_devices", null)));
        assertThat(maxDevices).containsEntry(saasSource.toString(), "500").containsEntry(defaultSource.toString(), "100000");
        assertThat(GrpcClients.blocking(channel(), onPrem.credential()).getSyncConfig(SyncConfigRequest.getDefaultInstance())
                .getSourcesList()).singleElement().satisfies(source -> assertThat(source.getSettingsMap()).doesNotContainKey("max_devices"));
    }

    private Map<String, Object> source(UUID tenant, UUID syncService, Map<String, Object> extra) {
        Map<String, Object> body = new HashMap<>(Map.of("tenant_id", tenant.toString(), "name", "source-" + UUID.randomUUID(),
                "source_type", "faker", "sync_service_id", syncService.toString()));
        body.putAll(extra);
        return body;
    }

    private WebTestClient.ResponseSpec post(Map<String, Object> body) {
        return admin().post().uri("/api/v1/integration-sources").bodyValue(body).exchange();
    }

}
