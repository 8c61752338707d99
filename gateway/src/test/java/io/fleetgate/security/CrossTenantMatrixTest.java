package io.fleetgate.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.proto.AgentConfigRequest;
import io.fleetgate.proto.AgentConfigResponse;
import io.fleetgate.proto.AgentGatewayServiceGrpc;
import io.fleetgate.proto.AgentHelloRequest;
import io.fleetgate.proto.DiscoveredDevice;
import io.fleetgate.proto.HostResult;
import io.fleetgate.proto.SweepResultsBatch;
import io.fleetgate.proto.SyncConfigRequest;
import io.fleetgate.proto.SyncDevicesRequest;
import io.fleetgate.proto.SyncServiceHeartbeatRequest;
import io.fleetgate.proto.SyncServiceHelloRequest;
import io.fleetgate.test.GatewayTest;
import io.fleetgate.test.GrpcClients;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.result.method.RequestMappingInfo;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;
import reactor.core.publisher.Flux;

/**
 * Every REST endpoint, UI page and RPC, called by tenant B with B's own credentials against
 * tenant A's objects: each is refused (or answers only B's own), and A's objects are unchanged.
 * The route list is checked against what the application maps, so a new endpoint needs a probe.
 */
class CrossTenantMatrixTest extends GatewayTest {

    /** Tenant A's objects, and tenant B's credentials. Built once for all probes. */
    record Fixture(UUID tenantA, UUID syncA, String syncACredential, UUID sourceA, String sourceAName, String syncAName,
                   UUID agentTokenA, String agentTokenAValue, UUID tenantB, String adminB, String agentTokenB, Onboarded syncB) {
    }

    record Probe(String surface, String route, Consumer<CrossTenantMatrixTest> check) {
        @Override
        public String toString() {
            return surface + " " + route;
        }
    }

    private static Fixture fixture;

    @Autowired
    ApplicationContext context;

    private synchronized Fixture fixture() {
        if (fixture == null) {
            UUID tenantA = createTenant("matrix-a");
            Onboarded syncA = onboardSyncService(tenantA);
            String sourceName = "matrix-a-source-" + UUID.randomUUID().toString().substring(0, 6);
            UUID sourceA = createSource(tenantA, syncA.id(), Map.of("name", sourceName, "agent_uid", "agent-a"));
            Map<?, ?> tokenA = issueAgentToken(tenantA);
            String tokenAValue = (String) tokenA.get("token");
            GrpcClients.reactor(channel(), syncA.credential()).syncDevices(Flux.just(SyncDevicesRequest.newBuilder().setBatchSeq(1)
                    .setIntegrationSourceId(sourceA.toString())
                    .addDevices(DiscoveredDevice.newBuilder().setDeviceId("a-1").setSourceType("faker").addIpAddresses("127.77.0.1"))
                    .build())).blockLast(Duration.ofSeconds(30));
            GrpcClients.blocking(channel(), tokenAValue).hello(AgentHelloRequest.newBuilder().setAgentId("agent-a").build());
            String syncAName = (String) queryValue("SELECT name FROM sync_services WHERE id = ?", syncA.id());
            UUID tenantB = createTenant("matrix-b");
            fixture = new Fixture(tenantA, syncA.id(), syncA.credential(), sourceA, sourceName, syncAName,
                    UUID.fromString((String) tokenA.get("id")), tokenAValue, tenantB, tenantAdmin(tenantB), agentToken(tenantB),
                    onboardSyncService(tenantB));
        }
        return fixture;
    }

    static Stream<Probe> probes() {
        return Stream.of(
                rest("GET /api/v1/tenants", t -> assertThat(t.b().get().uri("/api/v1/tenants").exchange().expectStatus().isOk()
                        .expectBody(String.class).returnResult().getResponseBody()).doesNotContain(t.f().tenantA().toString())),
                rest("POST /api/v1/tenants", t -> t.b().post().uri("/api/v1/tenants").bodyValue(Map.of("slug", "matrix-new", "name", "x"))
                        .exchange().expectStatus().isForbidden()),
                rest("GET /api/v1/tenants/{id}", t -> t.b().get().uri("/api/v1/tenants/{id}", t.f().tenantA()).exchange().expectStatus().isNotFound()),
                rest("POST /api/v1/tenants/{id}/agent-tokens", t -> t.b().post().uri("/api/v1/tenants/{id}/agent-tokens", t.f().tenantA())
                        .exchange().expectStatus().isNotFound()),
                rest("DELETE /api/v1/tenants/{id}/agent-tokens/{tokenId}", t -> {
                    t.b().delete().uri("/api/v1/tenants/{id}/agent-tokens/{token}", t.f().tenantA(), t.f().agentTokenA())
                            .exchange().expectStatus().isNotFound();
                    t.b().delete().uri("/api/v1/tenants/{id}/agent-tokens/{token}", t.f().tenantB(), t.f().agentTokenA())
                            .exchange().expectStatus().isNotFound();
                    GrpcClients.blocking(t.channel(), t.f().agentTokenAValue()).getConfig(AgentConfigRequest.newBuilder().setAgentId("agent-a").build());
                }),
                rest("POST /api/v1/tenants/{id}/users", t -> t.b().post().uri("/api/v1/tenants/{id}/users", t.f().tenantA())
                        .bodyValue(Map.of("username", "intruder", "password", "long-enough-password", "role", "TENANT_ADMIN"))
                        .exchange().expectStatus().isNotFound()),
                rest("GET /api/v1/tenants/{id}/saas-quota", t -> t.b().get().uri("/api/v1/tenants/{id}/saas-quota", t.f().tenantA())
                        .exchange().expectStatus().isNotFound()),
                rest("PUT /api/v1/tenants/{id}/saas-quota", t -> t.b().put().uri("/api/v1/tenants/{id}/saas-quota", t.f().tenantA())
                        .bodyValue(Map.of("max_sources", 1000)).exchange().expectStatus().isForbidden()),
                rest("GET /api/v1/sync-services", t -> assertThat(t.b().get().uri("/api/v1/sync-services").exchange().expectStatus().isOk()
                        .expectBody(String.class).returnResult().getResponseBody()).doesNotContain(t.f().syncA().toString())),
                rest("POST /api/v1/sync-services", t -> t.b().post().uri("/api/v1/sync-services")
                        .bodyValue(Map.of("tenant_id", t.f().tenantA().toString(), "name", "planted")).exchange().expectStatus().isNotFound()),
                rest("GET /api/v1/sync-services/{id}", t -> t.b().get().uri("/api/v1/sync-services/{id}", t.f().syncA()).exchange()
                        .expectStatus().isNotFound()),
                rest("POST /api/v1/sync-services/{id}/credentials", t -> t.b().post().uri("/api/v1/sync-services/{id}/credentials", t.f().syncA())
                        .exchange().expectStatus().isNotFound()),
                rest("DELETE /api/v1/sync-services/{id}/credentials", t -> t.b().delete().uri("/api/v1/sync-services/{id}/credentials", t.f().syncA())
                        .exchange().expectStatus().isNotFound()),
                rest("DELETE /api/v1/sync-services/{id}", t -> t.b().delete().uri("/api/v1/sync-services/{id}", t.f().syncA()).exchange()
                        .expectStatus().isNotFound()),
                rest("GET /api/v1/integration-sources", t -> {
                    assertThat(t.b().get().uri("/api/v1/integration-sources").exchange().expectStatus().isOk().expectBody(String.class)
                            .returnResult().getResponseBody()).doesNotContain(t.f().sourceA().toString());
                    assertThat(t.b().get().uri("/api/v1/integration-sources?tenant_id={t}", t.f().tenantA()).exchange().expectBody(String.class)
                            .returnResult().getResponseBody()).doesNotContain(t.f().sourceA().toString());
                }),
                rest("POST /api/v1/integration-sources", t -> {
                    t.b().post().uri("/api/v1/integration-sources").bodyValue(Map.of("tenant_id", t.f().tenantA().toString(), "name", "planted",
                            "source_type", "faker", "sync_service_id", t.f().syncA().toString())).exchange().expectStatus().isNotFound();
                    // B's own source on A's sync service
                    t.b().post().uri("/api/v1/integration-sources").bodyValue(Map.of("tenant_id", t.f().tenantB().toString(), "name", "planted",
                            "source_type", "faker", "sync_service_id", t.f().syncA().toString())).exchange().expectStatus().isBadRequest();
                }),
                rest("GET /api/v1/integration-sources/{id}", t -> t.b().get().uri("/api/v1/integration-sources/{id}", t.f().sourceA()).exchange()
                        .expectStatus().isNotFound()),
                rest("PUT /api/v1/integration-sources/{id}", t -> t.b().put().uri("/api/v1/integration-sources/{id}", t.f().sourceA())
                        .bodyValue(Map.of("tenant_id", t.f().tenantB().toString(), "name", "stolen", "source_type", "faker"))
                        .exchange().expectStatus().isNotFound()),
                rest("DELETE /api/v1/integration-sources/{id}", t -> t.b().delete().uri("/api/v1/integration-sources/{id}", t.f().sourceA())
                        .exchange().expectStatus().isNotFound()),

                rest("GET /api/v1/agents", t -> {
                    assertThat(t.b().get().uri("/api/v1/agents").exchange().expectStatus().isOk().expectBody(String.class)
                            .returnResult().getResponseBody()).doesNotContain(t.f().tenantA().toString());
                    assertThat(t.b().get().uri("/api/v1/agents?tenant_id={t}&q=agent-a", t.f().tenantA()).exchange().expectStatus().isOk()
                            .expectBody(String.class).returnResult().getResponseBody()).doesNotContain(t.f().tenantA().toString());
                }),
                rest("GET /api/v1/agents/summary", t -> t.b().get().uri("/api/v1/agents/summary?tenant_id={t}", t.f().tenantA()).exchange()
                        .expectStatus().isNotFound()),
                rest("GET /api/v1/agents/{tenant}/{*agent}", t -> t.b().get().uri("/api/v1/agents/{t}/agent-a", t.f().tenantA()).exchange()
                        .expectStatus().isNotFound()),
                rest("GET /api/v1/devices", t -> {
                    assertThat(t.b().get().uri("/api/v1/devices?cidr=127.77.0.0/16").exchange().expectStatus().isOk().expectBody(String.class)
                            .returnResult().getResponseBody()).doesNotContain(t.f().tenantA().toString(), t.deviceA().toString());
                    t.b().get().uri("/api/v1/devices?tenant_id={t}", t.f().tenantA()).exchange().expectStatus().isNotFound();
                }),
                rest("GET /api/v1/devices/summary", t -> t.b().get().uri("/api/v1/devices/summary?tenant_id={t}", t.f().tenantA()).exchange()
                        .expectStatus().isNotFound()),
                rest("GET /api/v1/devices/{tenant}/{canonical}", t -> {
                    t.b().get().uri("/api/v1/devices/{t}/{d}", t.f().tenantA(), t.deviceA()).exchange().expectStatus().isNotFound();
                    t.b().get().uri("/api/v1/devices/{t}/{d}", t.f().tenantB(), t.deviceA()).exchange().expectStatus().isNotFound();
                }),
                rest("POST /api/v1/devices/{tenant}/{canonical}/unmerge", t -> t.b().post().uri("/api/v1/devices/{t}/{d}/unmerge",
                                t.f().tenantA(), t.deviceA()).bodyValue(Map.of("discovered_device_id", t.recordA().toString(), "reason", "stolen"))
                        .exchange().expectStatus().isNotFound()),

                ui("GET /", t -> t.page("/").expectStatus().is3xxRedirection()),
                ui("GET /login", t -> t.page("/login").expectStatus().isOk()),
                ui("GET /integrations", t -> {
                    t.pageWithout("/integrations", t.f().sourceAName(), t.f().sourceA().toString());
                    t.page("/integrations?tenant=" + t.f().tenantA()).expectStatus().isNotFound();
                }),
                ui("GET /integrations/new", t -> {
                    t.page("/integrations/new?tenant=" + t.f().tenantA()).expectStatus().isNotFound();
                    t.pageWithout("/integrations/new?tenant=" + t.f().tenantB(), t.f().syncA().toString(), t.f().tenantA().toString());
                }),
                ui("POST /integrations", t -> t.form("/integrations", "tenantId=" + t.f().tenantA() + "&name=planted&sourceType=faker&syncServiceId="
                        + t.f().syncA()).expectStatus().value(status -> assertThat(status).isIn(400, 404))),
                ui("GET /integrations/{id}/edit", t -> t.page("/integrations/" + t.f().sourceA() + "/edit").expectStatus().isNotFound()),
                ui("POST /integrations/{id}", t -> t.form("/integrations/" + t.f().sourceA(), "name=stolen&sourceType=faker&tenantId=" + t.f().tenantB())
                        .expectStatus().isNotFound()),
                ui("POST /integrations/{id}/delete", t -> t.form("/integrations/" + t.f().sourceA() + "/delete", "").expectStatus().isNotFound()),
                ui("GET /agents", t -> {
                    t.pageWithout("/agents", t.f().tenantA().toString());
                    t.page("/agents?tenant=" + t.f().tenantA()).expectStatus().isNotFound();
                }),
                ui("GET /agents/{tenant}/{*agent}", t -> t.page("/agents/" + t.f().tenantA() + "/agent-a").expectStatus().isNotFound()),
                ui("GET /devices", t -> {
                    t.pageWithout("/devices?q=127.77.0.0/16", t.f().tenantA().toString(), t.deviceA().toString());
                    t.page("/devices?tenant=" + t.f().tenantA()).expectStatus().isNotFound();
                }),
                ui("GET /devices/{tenant}/{canonical}", t -> t.page("/devices/" + t.f().tenantA() + "/" + t.deviceA()).expectStatus().isNotFound()),
                ui("POST /devices/{tenant}/{canonical}/unmerge", t -> t.form("/devices/" + t.f().tenantA() + "/" + t.deviceA() + "/unmerge",
                        "discoveredDeviceId=" + t.recordA() + "&reason=stolen").expectStatus().isNotFound()),
                ui("GET /infrastructure/sync-services", t -> t.pageWithout("/infrastructure/sync-services", t.f().syncA().toString())),
                ui("GET /infrastructure/sync-services/new", t -> t.pageWithout("/infrastructure/sync-services/new", t.f().tenantA().toString())),
                ui("POST /infrastructure/sync-services", t -> t.form("/infrastructure/sync-services", "tenantId=" + t.f().tenantA() + "&name=planted")
                        .expectStatus().value(status -> assertThat(status).isIn(403, 404))),
                // the infrastructure pages are platform admins' (403 for tenant admins), and never name another tenant's objects
                ui("GET /infrastructure/sync-services/{id}", t -> t.pageWithout("/infrastructure/sync-services/" + t.f().syncA(), t.f().syncAName())),
                ui("POST /infrastructure/sync-services/{id}/rotate", t -> t.form("/infrastructure/sync-services/" + t.f().syncA() + "/rotate", "")
                        .expectStatus().value(status -> assertThat(status).isIn(403, 404))),
                ui("GET /events/sync-status", t -> {
                    // the stream opens with every visible sync service's status: none of A's
                    String events = t.anonymous().get().uri("/events/sync-status").cookie("SESSION", t.session())
                            .accept(MediaType.TEXT_EVENT_STREAM).exchange().expectStatus().isOk()
                            .returnResult(String.class).getResponseBody().take(Duration.ofSeconds(2))
                            .collect(Collectors.joining("\n")).block(Duration.ofSeconds(10));
                    assertThat(events).doesNotContain(t.f().syncA().toString());
                }),

                rpc("Hello", t -> {
                    // B's token registers B's agent of that name; A's agent row stays A's alone
                    GrpcClients.blocking(t.channel(), t.f().agentTokenB()).hello(AgentHelloRequest.newBuilder().setAgentId("agent-a").build());
                    assertThat(t.count("SELECT count(*) FROM agents WHERE agent_uid = 'agent-a' AND tenant_id = ?", t.f().tenantA())).isEqualTo(1);
                }),
                rpc("GetConfig", t -> assertThat(GrpcClients.blocking(t.channel(), t.f().agentTokenB())
                        .getConfig(AgentConfigRequest.newBuilder().setAgentId("agent-a").build()).getSweep().getDeviceTargetsList())
                        .noneMatch(target -> target.getIp().equals("127.77.0.1"))),
                rpc("WatchConfig", t -> {
                    // B's token watching an agent named as A's: B's agent of that name, none of A's targets
                    AgentConfigResponse first = GrpcClients.reactor(t.channel(), t.f().agentTokenB())
                            .watchConfig(AgentConfigRequest.newBuilder().setAgentId("agent-a").build()).blockFirst(Duration.ofSeconds(30));
                    assertThat(first.getSweep().getDeviceTargetsList()).noneMatch(target -> target.getIp().equals("127.77.0.1"));
                    assertThat(GrpcClients.code(catching(() -> GrpcClients.reactor(t.channel(), t.f().syncB().credential())
                            .watchConfig(AgentConfigRequest.newBuilder().setAgentId("agent-a").build()).blockFirst(Duration.ofSeconds(30)))))
                            .isEqualTo(Status.Code.PERMISSION_DENIED);
                }),
                rpc("SyncServiceHello", t -> assertThat(GrpcClients.codeOf(() -> GrpcClients.blocking(t.channel(), t.f().agentTokenB())
                        .syncServiceHello(SyncServiceHelloRequest.newBuilder().setName("x").build()))).isEqualTo(Status.Code.PERMISSION_DENIED)),
                rpc("SyncServiceHeartbeat", t -> assertThat(GrpcClients.codeOf(() -> GrpcClients.blocking(t.channel(), t.f().syncB().credential())
                        .syncServiceHeartbeat(SyncServiceHeartbeatRequest.newBuilder().setSyncServiceId(t.f().syncA().toString()).setHealthy(true).build())))
                        .isEqualTo(Status.Code.PERMISSION_DENIED)),
                rpc("GetSyncConfig", t -> assertThat(GrpcClients.codeOf(() -> GrpcClients.blocking(t.channel(), t.f().syncB().credential())
                        .getSyncConfig(SyncConfigRequest.newBuilder().setSyncServiceId(t.f().syncA().toString()).build())))
                        .isEqualTo(Status.Code.PERMISSION_DENIED)),
                rpc("SyncDevices", t -> {
                    assertThat(GrpcClients.code(catching(() -> GrpcClients.reactor(t.channel(), t.f().syncB().credential())
                            .syncDevices(Flux.just(SyncDevicesRequest.newBuilder().setBatchSeq(1).setIntegrationSourceId(t.f().sourceA().toString())
                                    .addDevices(DiscoveredDevice.newBuilder().setDeviceId("planted").setSourceType("faker").addIpAddresses("127.77.0.9"))
                                    .build())).blockLast(Duration.ofSeconds(30))))).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(t.count("SELECT count(*) FROM discovered_devices WHERE tenant_id = ? AND device_id = 'planted'", t.f().tenantA()))
                            .isZero();
                }),
                rpc("ReportSweepResults", t -> {
                    // B's agent reports A's agent's IP as down: not a target of anything of B's, and nothing of A's changes
                    var acks = GrpcClients.reactor(t.channel(), t.f().agentTokenB()).reportSweepResults(Flux.just(SweepResultsBatch.newBuilder()
                            .setAgentId("agent-a").setBatchSeq(1).setSweepComplete(true)
                            .addHosts(HostResult.newBuilder().setIp("127.77.0.1")).build())).collectList().block(Duration.ofSeconds(30));
                    assertThat(acks.get(0).getRejections(0).getReason()).startsWith("not_a_target");
                    assertThat(t.count("SELECT count(*) FROM host_observations WHERE tenant_id = ?", t.f().tenantA())).isZero();
                    assertThat(GrpcClients.code(catching(() -> GrpcClients.reactor(t.channel(), t.f().syncB().credential())
                            .reportSweepResults(Flux.just(SweepResultsBatch.newBuilder().setAgentId("agent-a").setBatchSeq(1).build()))
                            .blockLast(Duration.ofSeconds(30))))).isEqualTo(Status.Code.PERMISSION_DENIED);
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("probes")
    void anotherTenantsCredentialsReachNothingOfTenantA(Probe probe) {
        probe.check().accept(this);
        // A's objects are intact after every probe
        assertThat(count("SELECT count(*) FROM integration_sources WHERE id = ? AND name = ?", f().sourceA(), f().sourceAName())).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM credentials WHERE sync_service_id = ? AND revoked_at IS NULL", f().syncA())).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM discovered_devices WHERE tenant_id = ?", f().tenantA())).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM credentials WHERE id = ? AND revoked_at IS NULL", f().agentTokenA())).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM sync_services WHERE tenant_id = ?", f().tenantA())).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM users WHERE tenant_id = ?", f().tenantA())).isZero();
    }

    @Test
    void everyRouteTheApplicationMapsAndEveryRpcHasAProbe() {
        Set<String> probed = probes().map(probe -> probe.route()).collect(Collectors.toCollection(TreeSet::new));
        Set<String> mapped = new TreeSet<>();
        context.getBean("requestMappingHandlerMapping", RequestMappingHandlerMapping.class).getHandlerMethods().keySet()
                .forEach(info -> routes(info).forEach(mapped::add));
        mapped.removeIf(route -> route.startsWith("GET /error"));
        // the API's description (springdoc): one document for every caller, generated from the code, no tenant's data
        mapped.removeIf(route -> route.startsWith("GET /api/v1/openapi.json"));
        assertThat(probed).as("probes of REST endpoints and UI pages").containsAll(mapped);
        Set<String> rpcs = AgentGatewayServiceGrpc.getServiceDescriptor().getMethods().stream()
                .map(MethodDescriptor::getBareMethodName).collect(Collectors.toCollection(TreeSet::new));
        assertThat(probed).as("probes of RPCs").containsAll(rpcs);
    }

    private static List<String> routes(RequestMappingInfo info) {
        List<String> routes = new ArrayList<>();
        var methods = info.getMethodsCondition().getMethods();
        for (var pattern : info.getPatternsCondition().getPatterns()) {
            for (var method : methods) {
                routes.add(method.name() + " " + pattern.getPatternString());
            }
        }
        return routes;
    }

    private static Probe rest(String route, Consumer<CrossTenantMatrixTest> check) {
        return new Probe("REST", route, check);
    }

    private static Probe ui(String route, Consumer<CrossTenantMatrixTest> check) {
        return new Probe("UI", route, check);
    }

    private static Probe rpc(String method, Consumer<CrossTenantMatrixTest> check) {
        return new Probe("gRPC", method, check);
    }

    private static Throwable catching(Runnable call) {
        try {
            call.run();
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    Fixture f() {
        return fixture();
    }

    /** Tenant A's canonical device, and its one source record. */
    UUID deviceA() {
        return (UUID) queryValue("SELECT canonical_device_id FROM discovered_devices WHERE tenant_id = ? AND device_id = 'a-1'", f().tenantA());
    }

    UUID recordA() {
        return (UUID) queryValue("SELECT id FROM discovered_devices WHERE tenant_id = ? AND device_id = 'a-1'", f().tenantA());
    }

    WebTestClient b() {
        return as(f().adminB(), ADMIN_PASSWORD);
    }

    long count(String sql, Object... args) {
        return ((Number) queryValue(sql, args)).longValue();
    }

    private String session;
    private String csrf;

    /** B's UI session, signed in through the form, and a CSRF token of it. */
    synchronized String session() {
        if (session == null) {
            var login = anonymous().get().uri("/login").exchange().expectStatus().isOk().expectBody(String.class).returnResult();
            Matcher token = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(login.getResponseBody());
            assertThat(token.find()).isTrue();
            ResponseCookie anonymous = login.getResponseCookies().getFirst("SESSION");
            var signedIn = anonymous().post().uri("/login").cookie("SESSION", anonymous.getValue())
                    .contentType(MediaType.APPLICATION_FORM_URLENCODED)
                    .bodyValue("username=" + f().adminB() + "&password=" + ADMIN_PASSWORD + "&_csrf=" + token.group(1))
                    .exchange().expectStatus().is3xxRedirection().returnResult(Void.class);
            session = signedIn.getResponseCookies().getFirst("SESSION").getValue();
            String page = anonymous().get().uri("/integrations/new?tenant={t}", f().tenantB()).cookie("SESSION", session).exchange().expectStatus().isOk()
                    .expectBody(String.class).returnResult().getResponseBody();
            Matcher form = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(page);
            assertThat(form.find()).isTrue();
            csrf = form.group(1);
        }
        return session;
    }

    /** A page B may see (or is refused, 403): either way nothing of A's is on it. */
    void pageWithout(String path, String... secrets) {
        var result = page(path).expectBody(String.class).returnResult();
        assertThat(result.getStatus().value()).isIn(200, 403);
        assertThat(result.getResponseBody()).doesNotContain(secrets);
    }

    WebTestClient.ResponseSpec page(String path) {
        return anonymous().get().uri(path).cookie("SESSION", session()).exchange();
    }

    WebTestClient.ResponseSpec form(String path, String body) {
        String session = session();
        return anonymous().post().uri(path).cookie("SESSION", session).contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .bodyValue((body.isEmpty() ? "" : body + "&") + "_csrf=" + csrf).exchange();
    }
}
