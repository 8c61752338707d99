package io.fleetgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.test.GatewayTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * /api/v1/openapi.json against the application: every route it maps under /api/v1 is described
 * with its method, and every operation described is a route (called with made-up ids it may answer
 * 400, 403 or a 404 of the resource, never the 404 of a path nobody serves).
 */
class OpenApiTest extends GatewayTest {

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    private JsonNode spec() {
        String body = anonymous().get().uri("/api/v1/openapi.json").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        return JsonMapper.shared().readTree(body);
    }

    /** "GET /api/v1/devices/{tenant}/{canonical_id}" for every operation of the description. */
    private Set<String> described() {
        Set<String> operations = new TreeSet<>();
        JsonNode paths = spec().get("paths");
        for (String path : paths.propertyNames()) {
            for (String method : paths.get(path).propertyNames()) {
                operations.add(method.toUpperCase() + " " + path);
            }
        }
        return operations;
    }

    @Test
    void theDescriptionIsOpenApi3AndAnswersWithoutCredentials() {
        JsonNode spec = spec();
        assertThat(spec.get("openapi").asString()).startsWith("3.");
        assertThat(spec.get("paths").propertyNames()).allMatch(path -> path.startsWith("/api/v1/"));
    }

    @Test
    void everyRouteTheApplicationMapsIsDescribed() {
        Set<String> mapped = new TreeSet<>();
        mappings.getHandlerMethods().keySet().forEach(info -> info.getPatternsCondition().getPatterns().forEach(pattern -> {
            // {id:regex} and a catch-all {*agent} (agent ids may hold '/') are plain {id} and {agent} in OpenAPI
            String path = pattern.getPatternString().replaceAll("\\{([^}:]+):[^}]*}", "{$1}").replace("{*", "{");
            // the description's own routes (.json, .yaml) do not describe themselves
            if (path.startsWith("/api/v1/") && !path.startsWith("/api/v1/openapi.json")) {
                info.getMethodsCondition().getMethods().forEach(method -> mapped.add(method.name() + " " + path));
            }
        }));
        assertThat(mapped).as("routes under /api/v1").hasSizeGreaterThan(15);
        assertThat(described()).containsAll(mapped);
    }

    @Test
    void everyDescribedOperationIsServed() {
        List<String> unserved = new ArrayList<>();
        for (String operation : described()) {
            String method = operation.substring(0, operation.indexOf(' '));
            String path = operation.substring(operation.indexOf(' ') + 1).replaceAll("\\{[^}]+}", UUID.randomUUID().toString());
            var request = admin().method(HttpMethod.valueOf(method)).uri(path);
            var result = (method.equals("POST") || method.equals("PUT") || method.equals("PATCH")
                    ? request.contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of()) : request)
                    .exchange().expectBody(String.class).returnResult();
            if (result.getStatus().value() == 404 && isNoRoute(result.getResponseBody())) {
                unserved.add(operation + " -> " + result.getResponseBody());
            }
        }
        assertThat(unserved).isEmpty();
    }

    @Test
    void aPathNobodyServesIsTellableFromAMissingResource() {
        String body = admin().get().uri("/api/v1/no-such-route").exchange().expectStatus().isNotFound()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(isNoRoute(body)).as(body).isTrue();
        String missingTenant = admin().get().uri("/api/v1/tenants/" + UUID.randomUUID()).exchange().expectStatus().isNotFound()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(isNoRoute(missingTenant)).as(missingTenant).isFalse();
    }

    private static boolean isNoRoute(String body) {
        return body == null || body.isBlank() || body.contains("No static resource") || body.contains("No endpoint");
    }
}
