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
    void aProblemDetailHasTheFieldsTheApiReferenceShows() throws Exception {
        String reference = java.nio.file.Files.readString(java.nio.file.Path.of("docs/api.md"));
        String example = reference.substring(reference.indexOf("```json") + 7, reference.indexOf("```", reference.indexOf("```json") + 7));
        Map<?, ?> documented = tools.jackson.databind.json.JsonMapper.shared().readValue(example, Map.class);
        Map<?, ?> answered = admin().post().uri("/api/v1/tenants").bodyValue(Map.of("slug", "Not A Slug", "name", "x"))
                .exchange().expectStatus().isBadRequest().expectBody(Map.class).returnResult().getResponseBody();
        assertThat(answered.keySet()).isEqualTo(documented.keySet());
        assertThat(answered.get("detail")).isEqualTo(documented.get("detail"));
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
    void userNamesAreScopedPerTenantSoCreatingOneTellsNothingAboutOtherTenants() {
        String slugA = "names-a-" + UUID.randomUUID().toString().substring(0, 6);
        String slugB = "names-b-" + UUID.randomUUID().toString().substring(0, 6);
        UUID a = createTenantWithSlug(slugA);
        UUID b = createTenantWithSlug(slugB);
        // "admin" is the platform admin's name, and tenant A takes "ops" first: tenant B may still use both
        for (String name : new String[] {"admin", "ops"}) {
            createUser(a, name, "password-of-tenant-a").expectStatus().isCreated()
                    .expectBody().jsonPath("$.login").isEqualTo(slugA + "/" + name);
            createUser(b, name, "password-of-tenant-b").expectStatus().isCreated()
                    .expectBody().jsonPath("$.login").isEqualTo(slugB + "/" + name);
        }
        // a name taken in one's own tenant is refused without naming anyone else
        createUser(a, "ops", "another-password-1").expectStatus().isEqualTo(409)
                .expectBody().jsonPath("$.detail").isEqualTo("username 'ops' already exists in this tenant");

        as(slugA + "/admin", "password-of-tenant-a").get().uri("/api/v1/tenants").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$[0].id").isEqualTo(a.toString());
        as(slugB + "/admin", "password-of-tenant-b").get().uri("/api/v1/tenants").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$[0].id").isEqualTo(b.toString());
        as(slugB + "/admin", "password-of-tenant-a").get().uri("/api/v1/tenants").exchange().expectStatus().isUnauthorized();
        // the bare name is still the platform admin
        admin().get().uri("/api/v1/tenants").exchange().expectStatus().isOk();
    }

    @Test
    void tenantUsersFromBeforeNamesWereScopedStillSignInByTheirBareName() throws Exception {
        String slug = "legacy-" + UUID.randomUUID().toString().substring(0, 6);
        UUID tenant = createTenantWithSlug(slug);
        String name = "old-" + UUID.randomUUID().toString().substring(0, 6);
        createUser(tenant, name, "legacy-password-1").expectStatus().isCreated();
        as(name, "legacy-password-1").get().uri("/api/v1/tenants").exchange().expectStatus().isUnauthorized();
        // what V11 marks on every tenant user that existed before it
        try (var connection = jdbc(); var update = connection.prepareStatement("UPDATE users SET legacy_bare_login = true WHERE username = ?")) {
            update.setString(1, name);
            update.executeUpdate();
        }
        as(name, "legacy-password-1").get().uri("/api/v1/tenants").exchange().expectStatus().isOk();
        as(slug + "/" + name, "legacy-password-1").get().uri("/api/v1/tenants").exchange().expectStatus().isOk();
        // and the name stays reserved: another tenant's new user of that name signs in only by slug/name
        createUser(createTenant("legacy-other"), name, "other-password-1").expectStatus().isCreated();
        as(name, "legacy-password-1").get().uri("/api/v1/tenants").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$[0].id").isEqualTo(tenant.toString());
    }

    private UUID createTenantWithSlug(String slug) {
        Map<?, ?> body = admin().post().uri("/api/v1/tenants").bodyValue(Map.of("slug", slug, "name", slug))
                .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
        return UUID.fromString((String) body.get("id"));
    }

    private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec createUser(UUID tenant, String name, String password) {
        return admin().post().uri("/api/v1/tenants/{id}/users", tenant)
                .bodyValue(Map.of("username", name, "password", password, "role", "TENANT_ADMIN")).exchange();
    }

    @Test
    void agentTokensAreShownOnceAndStoredOnlyAsHashes() {
        UUID tenant = createTenant("tokens");
        String first = agentToken(tenant);
        String second = agentToken(tenant);
        assertThat(first).startsWith("fga_").hasSizeGreaterThanOrEqualTo(4 + 43).isNotEqualTo(second);
    }
}
