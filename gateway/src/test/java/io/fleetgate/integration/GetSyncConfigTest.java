package io.fleetgate.integration;

import static io.fleetgate.test.GrpcClients.codeOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.proto.IntegrationSourceConfig;
import io.fleetgate.proto.SyncConfigRequest;
import io.fleetgate.proto.SyncConfigResponse;
import io.fleetgate.test.GatewayTest;
import io.fleetgate.test.GrpcClients;
import io.grpc.Status;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** GetSyncConfig: exactly the caller's sources, decrypted for it, versioned by content. */
class GetSyncConfigTest extends GatewayTest {

    @Test
    void anOnPremSyncServiceGetsExactlyItsEnabledSources() {
        UUID tenant = createTenant("syncconfig");
        Onboarded mine = onboardSyncService(tenant);
        Onboarded other = onboardSyncService(tenant);
        UUID source = createSource(tenant, mine.id(), Map.of("agent_uid", "agent-7", "default_ports", List.of(22),
                "credentials", Map.of("api_token", "decrypted-for-me"),
                "settings", Map.of("count", 50, "networks", List.of("127.1.0.0/16", "127.2.0.0/16"), "churn", 0.25)));
        createSource(tenant, mine.id(), Map.of("enabled", false));
        createSource(tenant, other.id(), Map.of());
        createSource(tenant, platformSyncServiceId(), Map.of());

        var client = GrpcClients.blocking(channel(), mine.credential());
        SyncConfigResponse config = client.getSyncConfig(SyncConfigRequest.getDefaultInstance());
        assertThat(config.getNotModified()).isFalse();
        assertThat(config.getSourcesList()).extracting(IntegrationSourceConfig::getId).containsExactly(source.toString());
        IntegrationSourceConfig only = config.getSources(0);
        assertThat(only.getTenantId()).isEqualTo(tenant.toString());
        assertThat(only.getAgentUid()).isEqualTo("agent-7");
        assertThat(only.getDefaultPortsList()).containsExactly(22);
        assertThat(only.getCredentialsMap()).containsEntry("api_token", "decrypted-for-me");
        assertThat(only.getSettingsMap()).containsEntry("count", "50").containsEntry("networks", "127.1.0.0/16,127.2.0.0/16")
                .containsEntry("churn", "0.25");

        SyncConfigResponse again = client.getSyncConfig(SyncConfigRequest.newBuilder().setConfigVersion(config.getConfigVersion()).build());
        assertThat(again.getNotModified()).isTrue();
        assertThat(again.getConfigVersion()).isEqualTo(config.getConfigVersion());
        assertThat(again.getSourcesCount()).isZero();

        // a change of the source is a new version
        admin().put().uri("/api/v1/integration-sources/{id}", source)
                .bodyValue(Map.of("tenant_id", tenant.toString(), "name", "renamed", "source_type", "faker"))
                .exchange().expectStatus().isOk();
        SyncConfigResponse changed = client.getSyncConfig(SyncConfigRequest.newBuilder().setConfigVersion(config.getConfigVersion()).build());
        assertThat(changed.getNotModified()).isFalse();
        assertThat(changed.getConfigVersion()).isNotEqualTo(config.getConfigVersion());
        assertThat(changed.getSources(0).getName()).isEqualTo("renamed");
        assertThat(changed.getSources(0).getCredentialsMap()).containsEntry("api_token", "decrypted-for-me");
    }

    @Test
    void thePlatformSyncGetsEveryTenantsSourcesOnItTaggedWithTheirTenant() {
        UUID tenantA = createTenant("saas-a");
        UUID tenantB = createTenant("saas-b");
        UUID sourceA = createSource(tenantA, platformSyncServiceId(), Map.of());
        UUID sourceB = createSource(tenantB, platformSyncServiceId(), Map.of());
        createSource(tenantB, onboardSyncService(tenantB).id(), Map.of());

        SyncConfigResponse config = GrpcClients.blocking(channel(), PLATFORM_TOKEN).getSyncConfig(SyncConfigRequest.getDefaultInstance());
        Map<String, String> tenantOf = new java.util.HashMap<>();
        config.getSourcesList().forEach(s -> tenantOf.put(s.getId(), s.getTenantId()));
        assertThat(tenantOf).containsEntry(sourceA.toString(), tenantA.toString()).containsEntry(sourceB.toString(), tenantB.toString());
        assertThat(config.getSourcesList()).allSatisfy(s ->
                assertThat(queryValue("SELECT sync_service_id FROM integration_sources WHERE id = ?::uuid", s.getId()))
                        .isEqualTo(platformSyncServiceId()));
    }

    @Test
    void askingForAnotherSyncServicesConfigIsDenied() {
        UUID tenant = createTenant("other-config");
        Onboarded mine = onboardSyncService(tenant);
        Onboarded theirs = onboardSyncService(createTenant("their-config"));
        assertThat(codeOf(() -> GrpcClients.blocking(channel(), mine.credential())
                .getSyncConfig(SyncConfigRequest.newBuilder().setSyncServiceId(theirs.id().toString()).build())))
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(codeOf(() -> GrpcClients.blocking(channel(), agentToken(tenant))
                .getSyncConfig(SyncConfigRequest.getDefaultInstance()))).isEqualTo(Status.Code.PERMISSION_DENIED);
    }
}
