package io.fleetgate.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.test.GatewayTest;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

/** REST: tenant onboarding, tokens and users, with roles and problem details. */
class TenantApiTest extends GatewayTest {

    @Test
    void platformAdminOnboardsATenant() {
        String slug = "acme-" + UUID.randomUUID().toString().substring(0, 6);
        admin().post().uri("/api/v1/tenants").bodyValue(Map.of("slug", slug, "name", "Acme"))
                .exchange().expectStatus().isCreated()
                .expectBody().jsonPath("$.slug").isEqualTo(slug).jsonPath("$.id").isNotEmpty();
        admin().post().uri("/api/v1/tenants").bodyValue(Map.of("slug", slug, "name", "Acme again"))
                .exchange().expectStatus().isEqualTo(409)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("slug");
    }

    @Test
    void invalidBodiesAreProblemDetailsNamingTheField() {
        admin().post().uri("/api/v1/tenants").bodyValue(Map.of("slug", "Not A Slug", "name", "x"))
                .exchange().expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("slug").jsonPath("$.status").isEqualTo(400);
        admin().post().uri("/api/v1/tenants").bodyValue(Map.of("slug", "missing-name"))
                .exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("name");
        admin().post().uri("/api/v1/tenants").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"slug\": ")
                .exchange().expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        admin().post().uri("/api/v1/tenants").bodyValue(Map.of("slug", "platform", "name", "Impostor"))
                .exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("slug");
        UUID tenant = createTenant("users");
        admin().post().uri("/api/v1/tenants/{id}/users", tenant)
                .bodyValue(Map.of("username", "someone", "password", "short", "role", "TENANT_ADMIN"))
                .exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("password");
        admin().post().uri("/api/v1/tenants/{id}/users", tenant)
                .bodyValue(Map.of("username", "someone", "password", "long-enough-password", "role", "KING"))
                .exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("role");
    }

    @Test
    void theApiNeedsCredentials() {
        anonymous().get().uri("/api/v1/tenants").exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().valueEquals("WWW-Authenticate", "Basic realm=\"fleetgate\"");
        as("admin", "wrong-password").get().uri("/api/v1/tenants").exchange().expectStatus().isUnauthorized();
    }

    @Test
    void tenantAdminsManageOnlyTheirOwnTenant() {
        UUID own = createTenant("own");
        UUID other = createTenant("other");
        String user = tenantAdmin(own);

        as(user, ADMIN_PASSWORD).post().uri("/api/v1/tenants").bodyValue(Map.of("slug", "sneaky", "name", "Sneaky"))
                .exchange().expectStatus().isForbidden();
        as(user, ADMIN_PASSWORD).post().uri("/api/v1/tenants/{id}/agent-tokens", own)
                .exchange().expectStatus().isCreated()
                .expectBody().jsonPath("$.token").value(token -> assertThat((String) token).startsWith("fga_"));
        as(user, ADMIN_PASSWORD).post().uri("/api/v1/tenants/{id}/agent-tokens", other)
                .exchange().expectStatus().isNotFound();
        as(user, ADMIN_PASSWORD).get().uri("/api/v1/tenants").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.length()").isEqualTo(1).jsonPath("$[0].id").isEqualTo(own.toString());
        as(user, ADMIN_PASSWORD).post().uri("/api/v1/tenants/{id}/users", own)
                .bodyValue(Map.of("username", "promoted-" + UUID.randomUUID().toString().substring(0, 6),
                        "password", "long-enough-password", "role", "PLATFORM_ADMIN"))
                .exchange().expectStatus().isForbidden();
    }

    @Test
    void agentTokensAreShownOnceAndStoredOnlyAsHashes() {
        UUID tenant = createTenant("tokens");
        String first = agentToken(tenant);
        String second = agentToken(tenant);
        assertThat(first).startsWith("fga_").hasSizeGreaterThanOrEqualTo(4 + 43).isNotEqualTo(second);
    }
}
