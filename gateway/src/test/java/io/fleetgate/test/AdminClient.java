package io.fleetgate.test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

/** REST calls as the platform admin of a gateway a test started itself. */
public final class AdminClient {

    private final WebTestClient http;

    public AdminClient(ConfigurableApplicationContext gateway, String password) {
        this.http = WebTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:" + gateway.getEnvironment().getProperty("local.server.port"))
                .responseTimeout(Duration.ofSeconds(30))
                .defaultHeaders(headers -> headers.setBasicAuth("admin", password)).build();
    }

    public Map<?, ?> post(String path, Map<String, ?> body) {
        return http.post().uri(path).bodyValue(body).exchange().expectStatus().is2xxSuccessful()
                .expectBody(Map.class).returnResult().getResponseBody();
    }

    public UUID tenant(String slug) {
        return UUID.fromString((String) post("/api/v1/tenants", Map.of("slug", slug, "name", slug)).get("id"));
    }

    /** The platform (SaaS) sync service's id. */
    public String platformSync() {
        @SuppressWarnings("rawtypes")
        List<Map> services = http.get().uri("/api/v1/sync-services").exchange().expectBodyList(Map.class)
                .returnResult().getResponseBody();
        return services.stream().filter(s -> Boolean.TRUE.equals(s.get("is_platform_sync")))
                .map(s -> (String) s.get("id")).findFirst().orElseThrow();
    }
}
