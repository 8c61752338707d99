package io.fleetgate.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.test.GatewayTest;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** REST: integration sources, their validation, tenant rules and encrypted credentials. */
class IntegrationSourceApiTest extends GatewayTest {

    @Test
    void createReadUpdateDelete() {
        UUID tenant = createTenant("crud");
        UUID platformSync = platformSyncServiceId();
        Map<String, Object> body = new HashMap<>(Map.of(
                "tenant_id", tenant.toString(), "name", "NetBox HQ", "source_type", "netbox",
                "endpoint", "https://netbox.hq.example", "sync_service_id", platformSync.toString(),
                "agent_uid", "agent-hq", "credentials", Map.of("api_token", "nb-secret-token-123"),
                "default_ports", List.of(443, 22), "sweep_modes", List.of("icmp", "tcp"),
                "settings", Map.of("tcp_ports", List.of(22, 80))));
        body.put("network_prefix", 24);
        var created = admin().post().uri("/api/v1/integration-sources").bodyValue(body)
                .exchange().expectStatus().isCreated()
                .expectBody(Map.class).returnResult().getResponseBody();
        UUID id = UUID.fromString((String) created.get("id"));
        assertThat(created).containsEntry("has_credentials", true).containsEntry("sync_service_id", platformSync.toString())
                .containsEntry("default_ports", List.of(22, 443)).containsEntry("partition", "default")
                .doesNotContainKey("credentials");
        assertThat(created.toString()).doesNotContain("nb-secret-token-123");

        body.put("name", "NetBox headquarters");
        body.remove("credentials");
        admin().put().uri("/api/v1/integration-sources/{id}", id).bodyValue(body)
                .exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.name").isEqualTo("NetBox headquarters").jsonPath("$.has_credentials").isEqualTo(true);

        admin().get().uri("/api/v1/integration-sources?tenant_id={t}", tenant).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.length()").isEqualTo(1).jsonPath("$[0].id").isEqualTo(id.toString());

        admin().delete().uri("/api/v1/integration-sources/{id}", id).exchange().expectStatus().isNoContent();
        admin().get().uri("/api/v1/integration-sources/{id}", id).exchange().expectStatus().isNotFound();
    }

    @Test
    void storedCredentialsNeverFollowTheSourceToAnotherOriginOrSyncService() {
        UUID tenant = createTenant("secret-move");
        UUID platformSync = platformSyncServiceId();
        Onboarded onPrem = onboardSyncService(tenant);
        Map<String, Object> body = new HashMap<>(Map.of(
                "tenant_id", tenant.toString(), "name", "NetBox", "source_type", "netbox",
                "endpoint", "https://netbox.hq.example/api", "sync_service_id", platformSync.toString(),
                "credentials", Map.of("api_token", "entered-by-the-platform-admin")));
        UUID id = UUID.fromString((String) admin().post().uri("/api/v1/integration-sources").bodyValue(body)
                .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id"));
        body.remove("credentials");
        var tenantAdmin = as(tenantAdmin(tenant), ADMIN_PASSWORD);

        for (String elsewhere : List.of("https://attacker.example/api", "http://netbox.hq.example/api", "https://netbox.hq.example:8443/api")) {
            body.put("endpoint", elsewhere);
            tenantAdmin.put().uri("/api/v1/integration-sources/{id}", id).bodyValue(body).exchange().expectStatus().isBadRequest()
                    .expectBody().jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("enter the credentials again"));
        }
        body.put("endpoint", "https://NETBOX.hq.example:443/api/v2"); // same origin: the credentials stay
        tenantAdmin.put().uri("/api/v1/integration-sources/{id}", id).bodyValue(body).exchange().expectStatus().isOk();

        body.put("sync_service_id", onPrem.id().toString());
        tenantAdmin.put().uri("/api/v1/integration-sources/{id}", id).bodyValue(body).exchange().expectStatus().isBadRequest();
        assertThat(queryValue("SELECT sync_service_id FROM integration_sources WHERE id = ?", id)).isEqualTo(platformSync);

        body.put("credentials", Map.of("api_token", "entered-again"));
        tenantAdmin.put().uri("/api/v1/integration-sources/{id}", id).bodyValue(body).exchange().expectStatus().isOk();
        assertThat(queryValue("SELECT sync_service_id FROM integration_sources WHERE id = ?", id)).isEqualTo(onPrem.id());
    }

    @Test
    void credentialsAreEncryptedAtRest() throws Exception {
        UUID tenant = createTenant("at-rest");
        UUID id = createSource(tenant, platformSyncServiceId(), Map.of("credentials", Map.of("password", "plain-text-password-42")));
        byte[] stored = (byte[]) queryValue("SELECT credentials FROM integration_sources WHERE id = ?", id);
        assertThat(stored).isNotEmpty();
        assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain("plain-text-password-42");
    }

    @Test
    void aSourceRunsOnThePlatformSyncOrOneOfItsOwnTenants() {
        UUID tenantA = createTenant("assign-a");
        UUID tenantB = createTenant("assign-b");
        Onboarded syncB = onboardSyncService(tenantB);
        Onboarded syncA = onboardSyncService(tenantA);
        createSource(tenantA, syncA.id(), Map.of());
        createSource(tenantA, platformSyncServiceId(), Map.of());
        String adminA = tenantAdmin(tenantA);
        as(adminA, ADMIN_PASSWORD).post().uri("/api/v1/integration-sources")
                .bodyValue(Map.of("tenant_id", tenantA.toString(), "name", "uses-b", "source_type", "faker",
                        "sync_service_id", syncB.id().toString()))
                .exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("sync_service_id");
        as(adminA, ADMIN_PASSWORD).post().uri("/api/v1/integration-sources")
                .bodyValue(Map.of("tenant_id", tenantA.toString(), "name", "uses-nothing", "source_type", "faker",
                        "sync_service_id", UUID.randomUUID().toString()))
                .exchange().expectStatus().isBadRequest();
        // nor may A's admin create a source in B
        as(adminA, ADMIN_PASSWORD).post().uri("/api/v1/integration-sources")
                .bodyValue(Map.of("tenant_id", tenantB.toString(), "name", "in-b", "source_type", "faker",
                        "sync_service_id", syncB.id().toString()))
                .exchange().expectStatus().isNotFound();
        assertThat(((Number) queryValue("SELECT count(*) FROM integration_sources WHERE tenant_id = ?", tenantB)).intValue()).isZero();
        // a sync service in use cannot be deleted
        admin().delete().uri("/api/v1/sync-services/{id}", syncA.id()).exchange().expectStatus().isEqualTo(409);
        // its details list the sources using it, with device counts
        admin().get().uri("/api/v1/sync-services/{id}", syncA.id()).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.integrations.length()").isEqualTo(1)
                .jsonPath("$.integrations[0].device_count").isEqualTo(0);
    }

    @Test
    void invalidSourcesAreProblemDetailsAndNothingIsWritten() {
        UUID tenant = createTenant("invalid");
        String sync = platformSyncServiceId().toString();
        record Case(Map<String, Object> body, String field) {
        }
        List<Case> cases = List.of(
                new Case(Map.of("tenant_id", tenant.toString(), "name", "x", "source_type", "gopher", "sync_service_id", sync), "source_type"),
                new Case(Map.of("tenant_id", tenant.toString(), "name", "", "source_type", "faker", "sync_service_id", sync), "name"),
                new Case(Map.of("tenant_id", tenant.toString(), "name", "x", "source_type", "faker"), "sync_service_id"),
                new Case(Map.of("tenant_id", tenant.toString(), "name", "x", "source_type", "armis", "endpoint", "armis dot com",
                        "sync_service_id", sync), "endpoint"),
                new Case(Map.of("tenant_id", tenant.toString(), "name", "x", "source_type", "faker", "sync_service_id", sync,
                        "default_ports", List.of(0)), "default_ports"),
                new Case(Map.of("tenant_id", tenant.toString(), "name", "x", "source_type", "faker", "sync_service_id", sync,
                        "settings", Map.of("count", "many")), "settings.count"),
                new Case(Map.of("tenant_id", tenant.toString(), "name", "x", "source_type", "faker", "sync_service_id", "nope"),
                        "sync_service_id"));
        for (Case c : cases) {
            admin().post().uri("/api/v1/integration-sources").bodyValue(c.body())
                    .exchange().expectStatus().isBadRequest()
                    .expectBody().jsonPath("$.errors[0].field").isEqualTo(c.field()).jsonPath("$.status").isEqualTo(400);
        }
        assertThat(((Number) queryValue("SELECT count(*) FROM integration_sources WHERE tenant_id = ?", tenant)).intValue()).isZero();
    }
}
