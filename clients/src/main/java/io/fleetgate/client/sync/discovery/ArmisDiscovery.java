package io.fleetgate.client.sync.discovery;

import com.google.protobuf.ByteString;
import io.fleetgate.net.Ascii;
import io.fleetgate.proto.DiscoveredDevice;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Armis: a secret key is exchanged for an access token ({@code POST /api/v1/access_token/}), then
 * each AQL query of the {@code queries} setting is read page by page ({@code /api/v1/search/}
 * with {@code from} and {@code length}). A device seen by several queries or pages is one device
 * (by Armis id), with the union of its addresses, as Armis itself counts them.
 */
public final class ArmisDiscovery implements Discovery {

    private final URI endpoint;
    private final String secretKey;
    private final List<String> queries;
    private final int pageSize;
    private final int maxDevices;
    private final HttpJson http;

    public ArmisDiscovery(String endpoint, Map<String, String> credentials, Map<String, String> settings, HttpJson http) {
        this.http = http;
        this.endpoint = URI.create(endpoint.endsWith("/") ? endpoint : endpoint + "/");
        this.secretKey = credentials.getOrDefault("secret_key", "");
        this.queries = List.of(settings.getOrDefault("queries", "in:devices").split(",")).stream().map(String::trim)
                .filter(query -> !query.isEmpty()).toList();
        this.pageSize = Ascii.parseInt(settings.getOrDefault("page_size", "1000"));
        this.maxDevices = Discovery.maxDevices(settings);
    }

    @Override
    public Mono<Inventory> discover(int run) {
        return http.postForm(endpoint.resolve("api/v1/access_token/"), "secret_key=" + encode(secretKey))
                .map(answer -> {
                    String token = HttpJson.text(answer, "data", "access_token");
                    if (token == null) {
                        throw new IllegalStateException("Armis returned no access token");
                    }
                    return token;
                })
                .flatMapMany(token -> Flux.fromIterable(queries).concatMap(query -> search(token, query).take(maxDevices)))
                // past the cap, only devices already found still gain addresses from later queries
                .collect(LinkedHashMap<String, Merged>::new, (devices, device) -> {
                    String id = HttpJson.text(device, "id");
                    if (devices.containsKey(id) || devices.size() < maxDevices) {
                        devices.computeIfAbsent(id, key -> new Merged()).add(device);
                    }
                })
                .map(devices -> {
                    List<DiscoveredDevice> found = new ArrayList<>();
                    devices.forEach((id, merged) -> found.add(merged.toProto(id)));
                    return Inventory.of(found);
                });
    }

    private Flux<JsonNode> search(String token, String query) {
        Map<String, String> headers = Map.of("Authorization", token);
        return page(query, 0, headers)
                .expand(page -> {
                    JsonNode next = page.path("data").get("next");
                    return next == null || next.isNull() ? Mono.empty() : page(query, next.asInt(), headers);
                })
                .flatMapIterable(page -> {
                    List<JsonNode> results = new ArrayList<>();
                    page.path("data").path("results").forEach(results::add);
                    return results;
                });
    }

    private Mono<JsonNode> page(String query, int from, Map<String, String> headers) {
        return http.get(endpoint.resolve("api/v1/search/?aql=" + encode(query) + "&from=" + from + "&length=" + pageSize), headers);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** One Armis device gathered from every query and page that returned it. */
    private static final class Merged {
        private final Set<String> ips = new LinkedHashSet<>();
        private final Set<String> macs = new LinkedHashSet<>();
        private JsonNode first;

        void add(JsonNode device) {
            if (first == null) {
                first = device;
            }
            addAll(ips, device.get("ipAddress"));
            addAll(ips, device.get("ipv6"));
            addAll(macs, device.get("macAddress"));
        }

        private static void addAll(Set<String> into, JsonNode value) {
            if (value == null || value.isNull()) {
                return;
            }
            if (value.isArray()) {
                value.forEach(item -> addAll(into, item));
            } else if (!value.asString().isBlank()) {
                for (String part : value.asString().split(",")) {
                    into.add(part.trim());
                }
            }
        }

        DiscoveredDevice toProto(String id) {
            DiscoveredDevice.Builder device = DiscoveredDevice.newBuilder()
                    .setDeviceId(id)
                    .setSourceType("armis")
                    .addAllIpAddresses(ips)
                    .addAllMacAddresses(macs)
                    .setRawData(ByteString.copyFromUtf8(first.toString()));
            for (var field : Map.<String, java.util.function.Consumer<String>>of("name", device::setHostname, "type",
                    device::setDeviceType, "manufacturer", device::setManufacturer, "model", device::setModel).entrySet()) {
                String value = HttpJson.text(first, field.getKey());
                if (value != null && !value.isBlank()) {
                    field.getValue().accept(value);
                }
            }
            return device.build();
        }
    }
}
