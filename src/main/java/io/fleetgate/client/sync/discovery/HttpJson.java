package io.fleetgate.client.sync.discovery;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Non-blocking JSON over HTTP for the inventory APIs. */
final class HttpJson {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL).build();
    private final JsonMapper json = JsonMapper.shared();

    Mono<JsonNode> get(URI uri, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "application/json").GET();
        headers.forEach(request::header);
        return send(request.build());
    }

    Mono<JsonNode> postForm(URI uri, String form) {
        return send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "application/json")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build());
    }

    private Mono<JsonNode> send(HttpRequest request) {
        return Mono.fromFuture(() -> http.sendAsync(request, HttpResponse.BodyHandlers.ofString()))
                .map(response -> {
                    if (response.statusCode() / 100 != 2) {
                        String body = response.body();
                        throw new IllegalStateException(request.method() + " " + request.uri().getPath() + " answered "
                                + response.statusCode() + ": " + (body.length() > 200 ? body.substring(0, 200) : body));
                    }
                    return json.readTree(response.body());
                });
    }

    static String text(JsonNode node, String... path) {
        JsonNode current = node;
        for (String step : path) {
            if (current == null || current.isNull()) {
                return null;
            }
            current = current.get(step);
        }
        return current == null || current.isNull() ? null : current.asString();
    }
}
