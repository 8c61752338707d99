package io.fleetgate.client.sync.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fleetgate.net.OutboundPolicy;
import io.fleetgate.proto.DiscoveredDevice;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** NetBox and Armis discovery against local HTTP servers that answer in those APIs' shape. */
class InventoryApisTest {

    private HttpServer server;
    private String base;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final HttpJson http = new HttpJson(OutboundPolicy.anywhere());

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        http.close();
    }

    private void route(String path, java.util.function.Function<HttpExchange, String> answer) {
        server.createContext(path, exchange -> {
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " auth=" + exchange.getRequestHeaders().getFirst("Authorization"));
            String body = answer.apply(exchange);
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            int status = body.startsWith("{\"detail\"") ? 403 : 200;
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
    }

    private static List<DiscoveredDevice> all(Inventory inventory) {
        List<DiscoveredDevice> devices = new ArrayList<>();
        for (int i = 0; i < inventory.size(); i++) {
            devices.add(inventory.get(i));
        }
        return devices;
    }

    @Test
    void netboxDevicesAreReadPageByPageWithTheirPrimaryIpsAndInterfaceMacs() {
        route("/api/dcim/devices/", exchange -> {
            if (!"Token nb-token".equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                return "{\"detail\":\"Invalid token\"}";
            }
            String query = exchange.getRequestURI().getQuery();
            if (!query.contains("offset=1")) {
                return """
                        {"count":2,"next":"%s/api/dcim/devices/?limit=1&offset=1","previous":null,"results":[
                         {"id":11,"name":"core-sw-1","role":{"name":"switch"},"device_type":{"model":"C9300","manufacturer":{"name":"Cisco"}},
                          "primary_ip4":{"address":"127.30.0.1/24"},"primary_ip6":{"address":"2001:db8::11/64"}}]}""".formatted(base);
            }
            return """
                    {"count":2,"next":null,"previous":"x","results":[
                     {"id":12,"name":"printer-2","device_role":{"name":"printer"},"device_type":{"model":"M404","manufacturer":{"name":"HP"}},
                      "primary_ip4":{"address":"127.30.0.2/24"},"primary_ip6":null}]}""";
        });
        route("/api/dcim/interfaces/", exchange -> """
                {"count":3,"next":null,"results":[
                 {"id":1,"device":{"id":11},"mac_address":"AA:BB:CC:00:00:01"},
                 {"id":2,"device":{"id":11},"primary_mac_address":{"mac_address":"AA:BB:CC:00:00:02"}},
                 {"id":3,"device":{"id":12},"mac_addresses":[{"mac_address":"AA:BB:CC:00:00:03"}]}]}""");
        var discovery = new NetboxDiscovery(base, Map.of("api_token", "nb-token"), Map.of("tcp_ports", "22,161", "page_size", "1"), http);
        List<DiscoveredDevice> devices = all(discovery.discover(0).block());
        assertThat(devices).hasSize(2);
        DiscoveredDevice sw = devices.get(0);
        assertThat(sw.getDeviceId()).isEqualTo("11");
        assertThat(sw.getSourceType()).isEqualTo("netbox");
        assertThat(sw.getIpAddressesList()).containsExactly("127.30.0.1", "2001:db8::11");
        assertThat(sw.getMacAddressesList()).containsExactly("AA:BB:CC:00:00:01", "AA:BB:CC:00:00:02");
        assertThat(sw.getPortsList()).containsExactly(22, 161);
        assertThat(sw.getHostname()).isEqualTo("core-sw-1");
        assertThat(sw.getDeviceType()).isEqualTo("switch");
        assertThat(sw.getManufacturer()).isEqualTo("Cisco");
        assertThat(sw.getModel()).isEqualTo("C9300");
        assertThat(sw.getRawData().toStringUtf8()).contains("\"core-sw-1\"");
        assertThat(devices.get(1).getIpAddressesList()).containsExactly("127.30.0.2");
        assertThat(devices.get(1).getDeviceType()).isEqualTo("printer");
        assertThat(requests).anyMatch(r -> r.contains("offset=1")).allMatch(r -> r.endsWith("auth=Token nb-token"));
    }

    @Test
    void aRefusedNetboxTokenFailsTheDiscovery() {
        route("/api/dcim/interfaces/", exchange -> "{\"detail\":\"Invalid token\"}");
        var discovery = new NetboxDiscovery(base, Map.of("api_token", "wrong"), Map.of(), http);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> discovery.discover(0).block()).hasMessageContaining("403");
    }

    @Test
    void armisExchangesItsSecretForATokenPagesThroughQueriesAndMergesById() {
        route("/api/v1/access_token/", exchange -> {
            String form = new String(readAll(exchange), StandardCharsets.UTF_8);
            return form.equals("secret_key=armis-secret")
                    ? "{\"data\":{\"access_token\":\"tok-123\",\"expiration_utc\":\"2030-01-01T00:00:00Z\"},\"success\":true}"
                    : "{\"detail\":\"bad secret\"}";
        });
        route("/api/v1/search/", exchange -> {
            if (!"tok-123".equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                return "{\"detail\":\"no token\"}";
            }
            String query = exchange.getRequestURI().getQuery();
            if (query.contains("aql=in:devices type:Printers")) {
                return """
                        {"data":{"count":1,"next":null,"total":1,"results":[
                         {"id":7,"ipAddress":"127.31.0.7","ipv6":["2001:db8::7"],"macAddress":"00:1a:2b:00:00:07","name":"printer-7","type":"Printers"}]},"success":true}""";
            }
            if (query.contains("from=0")) {
                return """
                        {"data":{"count":2,"next":2,"total":3,"results":[
                         {"id":7,"ipAddress":"127.31.0.7","macAddress":"00:1a:2b:00:00:07","name":"printer-7","type":"Printers","manufacturer":"HP","model":"M404"},
                         {"id":8,"ipAddress":"127.31.0.8","macAddress":null,"name":"cam-8","type":"IP Cameras"}]},"success":true}""";
            }
            return """
                    {"data":{"count":1,"next":null,"total":3,"results":[
                     {"id":9,"ipAddress":"127.31.0.9,127.31.1.9","macAddress":"00:1a:2b:00:00:09","name":"laptop-9","type":"Laptops"}]},"success":true}""";
        });
        var discovery = new ArmisDiscovery(base, Map.of("secret_key", "armis-secret"),
                Map.of("queries", "in:devices,in:devices type:Printers", "page_size", "2"), http);
        List<DiscoveredDevice> devices = all(discovery.discover(0).block());
        assertThat(devices).extracting(DiscoveredDevice::getDeviceId).containsExactly("7", "8", "9");
        DiscoveredDevice printer = devices.get(0);
        assertThat(printer.getIpAddressesList()).containsExactly("127.31.0.7", "2001:db8::7");
        assertThat(printer.getMacAddressesList()).containsExactly("00:1a:2b:00:00:07");
        assertThat(printer.getManufacturer()).isEqualTo("HP");
        assertThat(printer.getSourceType()).isEqualTo("armis");
        assertThat(devices.get(1).getMacAddressesList()).isEmpty();
        assertThat(devices.get(2).getIpAddressesList()).containsExactly("127.31.0.9", "127.31.1.9");
        assertThat(requests).filteredOn(r -> r.startsWith("GET")).allMatch(r -> r.endsWith("auth=tok-123"));
    }

    private static byte[] readAll(HttpExchange exchange) {
        try {
            return exchange.getRequestBody().readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
