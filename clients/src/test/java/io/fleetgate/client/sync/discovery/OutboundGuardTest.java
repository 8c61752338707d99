package io.fleetgate.client.sync.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.fleetgate.net.Cidr;
import io.fleetgate.net.OutboundPolicy;
import io.netty.resolver.AbstractAddressResolver;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SaaS sync fetches endpoints tenants typed: it reaches no loopback, private or link-local
 * address (however the name resolves), and no source's credentials leave its endpoint's origin.
 */
class OutboundGuardTest {

    private static final OutboundPolicy SAAS = OutboundPolicy.publicOnly(List.of());

    private final List<String> inventoryRequests = new CopyOnWriteArrayList<>();
    private final List<String> elsewhereRequests = new CopyOnWriteArrayList<>();
    private HttpServer inventory;
    private HttpServer elsewhere;
    private final List<HttpJson> clients = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        inventory = server(inventoryRequests);
        elsewhere = server(elsewhereRequests);
    }

    @AfterEach
    void stop() {
        inventory.stop(0);
        elsewhere.stop(0);
        clients.forEach(HttpJson::close);
    }

    private static HttpServer server(List<String> requests) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.start();
        server.createContext("/", exchange -> {
            requests.add(exchange.getRequestURI() + " auth=" + exchange.getRequestHeaders().getFirst("Authorization"));
            answer(exchange, 200, "{\"count\":0,\"next\":null,\"results\":[]}");
        });
        return server;
    }

    private static void answer(com.sun.net.httpserver.HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, status / 100 == 3 ? -1 : bytes.length);
        if (status / 100 != 3) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    private String base(HttpServer server, String host) {
        return "http://" + host + ":" + server.getAddress().getPort();
    }

    private HttpJson client(OutboundPolicy policy) {
        HttpJson client = new HttpJson(policy);
        clients.add(client);
        return client;
    }

    private NetboxDiscovery netbox(String endpoint, HttpJson http) {
        return new NetboxDiscovery(endpoint, Map.of("api_token", "nb-secret"), Map.of(), http);
    }

    @Test
    void aLoopbackAddressIsRefusedBeforeAnyConnection() {
        assertThatThrownBy(() -> netbox(base(inventory, "127.0.0.1"), client(SAAS)).discover(0).block())
                .hasMessageContaining("endpoint host 127.0.0.1 is a loopback address")
                .hasMessageContaining("FLEETGATE_SAAS_ALLOWED_NETWORKS");
        assertThat(inventoryRequests).isEmpty();
    }

    @Test
    void aNameThatResolvesToLoopbackIsRefused() {
        assertThatThrownBy(() -> netbox(base(inventory, "localhost"), client(SAAS)).discover(0).block())
                .hasMessageContaining("endpoint host localhost resolves to 127.0.0.1, a loopback address");
        assertThat(inventoryRequests).isEmpty();
    }

    @Test
    void aNameThatRebindsToLoopbackAtConnectTimeIsRefused() {
        // the name server answers a loopback address to the connection's own lookup
        GuardedResolverGroup lying = new GuardedResolverGroup(SAAS, everyNameResolvesTo(InetAddress.getLoopbackAddress()));
        HttpJson http = new HttpJson(SAAS, lying);
        clients.add(http);
        URI uri = URI.create(base(inventory, "inventory.example.com") + "/api/dcim/devices/");
        assertThatThrownBy(() -> http.get(uri, Map.of("Authorization", "Token nb-secret")).block())
                .hasMessageContaining("resolves to 127.0.0.1, a loopback address");
        assertThat(inventoryRequests).isEmpty();
    }

    @Test
    void theOperatorMayAllowARange() {
        OutboundPolicy allowed = OutboundPolicy.publicOnly(List.of(Cidr.parse("127.0.0.0/8")));
        netbox(base(inventory, "localhost"), client(allowed)).discover(0).block();
        netbox(base(inventory, "127.0.0.1"), client(allowed)).discover(0).block();
        assertThat(inventoryRequests).hasSize(4).allMatch(request -> request.endsWith("auth=Token nb-secret"));
    }

    @Test
    void aRedirectToAnotherOriginIsNotFollowedSoTheCredentialsStayHome() {
        String target = base(elsewhere, "127.0.0.1") + "/api/dcim/interfaces/?limit=100";
        inventory.createContext("/api/dcim/interfaces/", exchange -> {
            exchange.getResponseHeaders().set("Location", target);
            answer(exchange, 302, "");
        });
        assertThatThrownBy(() -> netbox(base(inventory, "127.0.0.1"), client(OutboundPolicy.anywhere())).discover(0).block())
                .hasMessageContaining("redirected to another origin (http://127.0.0.1:" + elsewhere.getAddress().getPort() + ")");
        assertThat(elsewhereRequests).isEmpty();
    }

    @Test
    void aRedirectOnTheSameOriginIsFollowedWithTheCredentials() {
        inventory.createContext("/api/dcim/interfaces/", exchange -> {
            exchange.getResponseHeaders().set("Location", "/v2/api/dcim/interfaces/?limit=100");
            answer(exchange, 301, "");
        });
        netbox(base(inventory, "127.0.0.1"), client(OutboundPolicy.anywhere())).discover(0).block();
        assertThat(inventoryRequests).contains("/v2/api/dcim/interfaces/?limit=100 auth=Token nb-secret");
    }

    @Test
    void netboxNextLinksAreFollowedOnTheEndpointsOriginOnly() {
        String foreignNext = base(elsewhere, "127.0.0.1") + "/api/dcim/devices/?limit=100&offset=100";
        inventory.createContext("/api/dcim/devices/", exchange -> {
            boolean first = !exchange.getRequestURI().getQuery().contains("offset");
            inventoryRequests.add(exchange.getRequestURI() + " auth=" + exchange.getRequestHeaders().getFirst("Authorization"));
            answer(exchange, 200, first
                    ? "{\"count\":2,\"next\":\"" + foreignNext + "\",\"results\":[{\"id\":1,\"name\":\"a\"}]}"
                    : "{\"count\":2,\"next\":null,\"results\":[{\"id\":2,\"name\":\"b\"}]}");
        });
        Inventory found = netbox(base(inventory, "127.0.0.1"), client(OutboundPolicy.anywhere())).discover(0).block();
        assertThat(found.size()).isEqualTo(2);
        assertThat(inventoryRequests).contains("/api/dcim/devices/?limit=100&offset=100 auth=Token nb-secret");
        assertThat(elsewhereRequests).isEmpty();
    }

    @Test
    void aRunStopsAtTheDevicesPerRunItsQuotaAllows() {
        inventory.createContext("/api/dcim/devices/", exchange -> {
            inventoryRequests.add(exchange.getRequestURI().toString());
            boolean first = !exchange.getRequestURI().getQuery().contains("offset");
            answer(exchange, 200, first
                    ? "{\"count\":4,\"next\":\"/api/dcim/devices/?limit=2&offset=2\",\"results\":[{\"id\":1},{\"id\":2}]}"
                    : "{\"count\":4,\"next\":null,\"results\":[{\"id\":3},{\"id\":4}]}");
        });
        var capped = new NetboxDiscovery(base(inventory, "127.0.0.1"), Map.of("api_token", "t"),
                Map.of("page_size", "2", Discovery.MAX_DEVICES, "2"), client(OutboundPolicy.anywhere()));
        assertThat(capped.discover(0).block().size()).isEqualTo(2);
        assertThat(inventoryRequests).noneMatch(request -> request.contains("offset=2"));
        assertThat(new FakerDiscovery(Map.of("count", "1000", Discovery.MAX_DEVICES, "10")).discover(0).block().size()).isEqualTo(10);
    }

    /** A resolver underneath that answers one address for every name. */
    private static AddressResolverGroup<InetSocketAddress> everyNameResolvesTo(InetAddress address) {
        return new AddressResolverGroup<>() {
            @Override
            protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
                return new AbstractAddressResolver<>(executor, InetSocketAddress.class) {
                    @Override
                    protected boolean doIsResolved(InetSocketAddress unresolved) {
                        return !unresolved.isUnresolved();
                    }

                    @Override
                    protected void doResolve(InetSocketAddress unresolved, Promise<InetSocketAddress> promise) {
                        promise.setSuccess(new InetSocketAddress(address, unresolved.getPort()));
                    }

                    @Override
                    protected void doResolveAll(InetSocketAddress unresolved, Promise<List<InetSocketAddress>> promise) {
                        promise.setSuccess(List.of(new InetSocketAddress(address, unresolved.getPort())));
                    }
                };
            }
        };
    }
}
