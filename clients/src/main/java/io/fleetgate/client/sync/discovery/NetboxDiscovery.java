package io.fleetgate.client.sync.discovery;

import com.google.protobuf.ByteString;
import io.fleetgate.net.Ascii;
import io.fleetgate.proto.DiscoveredDevice;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * NetBox: {@code /api/dcim/devices/} with token authentication, following {@code next} page
 * links (their path and query, always on the endpoint's origin); a device's IPs are its primary IPv4 and IPv6, its MACs those of its interfaces
 * ({@code /api/dcim/interfaces/}); its ports come from the source's {@code tcp_ports} setting.
 */
public final class NetboxDiscovery implements Discovery {

    private final URI endpoint;
    private final Map<String, String> headers;
    private final int pageSize;
    private final List<Integer> ports;
    private final int maxDevices;
    private final HttpJson http;

    public NetboxDiscovery(String endpoint, Map<String, String> credentials, Map<String, String> settings, HttpJson http) {
        this.http = http;
        this.endpoint = URI.create(endpoint.endsWith("/") ? endpoint : endpoint + "/");
        String token = credentials.getOrDefault("api_token", credentials.getOrDefault("token", ""));
        this.headers = Map.of("Authorization", "Token " + token);
        this.pageSize = Ascii.parseInt(settings.getOrDefault("page_size", "100"));
        this.maxDevices = Discovery.maxDevices(settings);
        this.ports = settings.getOrDefault("tcp_ports", "").isBlank() ? List.of()
                : List.of(settings.get("tcp_ports").split(",")).stream().map(String::trim).map(Ascii::parseInt).toList();
    }

    @Override
    public Mono<Inventory> discover(int run) {
        return pages("api/dcim/interfaces/").collect(HashMap<String, Set<String>>::new, (macs, iface) -> {
                    String device = HttpJson.text(iface, "device", "id");
                    if (device != null) {
                        macs.computeIfAbsent(device, d -> new LinkedHashSet<>()).addAll(macsOf(iface));
                    }
                })
                .flatMap(macs -> pages("api/dcim/devices/").take(maxDevices).map(device -> device(device, macs)).collectList())
                .map(Inventory::of);
    }

    private static List<String> macsOf(JsonNode iface) {
        List<String> macs = new ArrayList<>();
        String legacy = HttpJson.text(iface, "mac_address");
        if (legacy != null && !legacy.isBlank()) {
            macs.add(legacy);
        }
        String primary = HttpJson.text(iface, "primary_mac_address", "mac_address");
        if (primary != null && !primary.isBlank()) {
            macs.add(primary);
        }
        JsonNode many = iface.get("mac_addresses");
        if (many != null && many.isArray()) {
            many.forEach(mac -> {
                String value = HttpJson.text(mac, "mac_address");
                if (value != null) {
                    macs.add(value);
                }
            });
        }
        return macs;
    }

    private DiscoveredDevice device(JsonNode device, Map<String, Set<String>> macs) {
        String id = HttpJson.text(device, "id");
        DiscoveredDevice.Builder built = DiscoveredDevice.newBuilder()
                .setDeviceId(id)
                .setSourceType("netbox")
                .setRawData(ByteString.copyFromUtf8(device.toString()))
                .addAllPorts(ports)
                .addAllMacAddresses(macs.getOrDefault(id, Set.of()));
        for (String family : List.of("primary_ip4", "primary_ip6")) {
            String address = HttpJson.text(device, family, "address");
            if (address != null) {
                built.addIpAddresses(address.contains("/") ? address.substring(0, address.indexOf('/')) : address);
            }
        }
        setIfPresent(HttpJson.text(device, "name"), built::setHostname);
        String role = HttpJson.text(device, "role", "name");
        setIfPresent(role != null ? role : HttpJson.text(device, "device_role", "name"), built::setDeviceType);
        setIfPresent(HttpJson.text(device, "device_type", "manufacturer", "name"), built::setManufacturer);
        setIfPresent(HttpJson.text(device, "device_type", "model"), built::setModel);
        return built.build();
    }

    /** Every result of a paginated listing, page after page through {@code next}. */
    private Flux<JsonNode> pages(String path) {
        URI first = endpoint.resolve(path + "?limit=" + pageSize);
        return http.get(first, headers)
                .expand(page -> {
                    String next = HttpJson.text(page, "next");
                    // on the endpoint's own origin: a proxy that rewrites the scheme, or a hostile server, cannot send the token elsewhere
                    return next == null || next.isBlank() ? Mono.empty() : http.get(HttpJson.onOrigin(endpoint, URI.create(next)), headers);
                })
                .flatMapIterable(page -> {
                    List<JsonNode> results = new ArrayList<>();
                    JsonNode array = page.get("results");
                    if (array != null) {
                        array.forEach(results::add);
                    }
                    return results;
                });
    }

    private static void setIfPresent(String value, java.util.function.Consumer<String> setter) {
        if (value != null && !value.isBlank()) {
            setter.accept(value);
        }
    }
}
