package io.fleetgate.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.proto.AgentConfigRequest;
import io.fleetgate.proto.AgentGatewayServiceGrpc;
import io.fleetgate.proto.AgentHelloRequest;
import io.fleetgate.proto.DiscoveredDevice;
import io.fleetgate.proto.SyncDevicesRequest;
import io.fleetgate.test.Await;
import io.fleetgate.test.GatewayTest;
import io.fleetgate.test.GrpcClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** GET /api/v1/agents, …/summary and …/{tenant}/{agent}: what real polls over gRPC make of each agent's status. */
class AgentApiTest extends GatewayTest {

    private static final JsonMapper JSON = JsonMapper.shared();

    @Autowired
    PollRecorder recorder;

    @Test
    void eachAgentShowsTheStatusItsPollsEarned() {
        UUID tenant = createTenant("agents-api");
        Onboarded sync = onboardSyncService(tenant);
        UUID source = createSource(tenant, sync.id(), Map.of("agent_uid", "changes", "default_ports", List.of(22)));
        var agent = GrpcClients.blocking(channel(), agentToken(tenant));
        for (String id : List.of("acks", "refuses", "ignores", "changes", "quiet")) {
            agent.hello(AgentHelloRequest.newBuilder().setAgentId(id).setHostname("Host-" + id).setVersion("2.1.0").build());
        }
        String acks = poll(agent, "acks", "", "", "");
        poll(agent, "acks", acks, "", "");
        String refused = poll(agent, "refuses", "", "", "");
        poll(agent, "refuses", "", refused, "unknown sweep mode: arp");
        poll(agent, "ignores", "", "", "");
        String before = poll(agent, "changes", "", "", "");
        poll(agent, "changes", before, "", "");
        flush();

        assertThat(item(tenant, "acks")).containsEntry("liveness", "online").containsEntry("config_status", "in_sync")
                .containsEntry("desired_config_version", acks).containsEntry("applied_config_version", acks)
                .containsEntry("hostname", "Host-acks").containsEntry("version", "2.1.0");
        assertThat(item(tenant, "refuses")).containsEntry("config_status", "rejected").containsEntry("rejected_config_version", refused)
                .containsEntry("reject_reason", "unknown sweep mode: arp");
        assertThat(item(tenant, "ignores")).containsEntry("config_status", "pending");
        assertThat(item(tenant, "quiet")).containsEntry("liveness", "never_seen").containsEntry("config_status", "pending");
        assertThat(item(tenant, "changes")).containsEntry("config_status", "in_sync").containsEntry("targets", 0);

        // a device arrives for "changes": it is behind until it polls, and after it polls, until it applies
        syncDevice(sync, source, "127.78.0.1");
        Await.until(Duration.ofSeconds(10), () -> item(tenant, "changes").get("desired_config_version") == null);
        assertThat(item(tenant, "changes")).containsEntry("config_status", "pending").containsEntry("desired_config_version", null);
        Await.until(Duration.ofSeconds(10), () -> !poll(agent, "changes", before, "", "").equals(before));
        flush();
        assertThat(item(tenant, "changes")).containsEntry("config_status", "pending").containsEntry("targets", 1)
                .containsEntry("applied_config_version", before);

        clock.advance(Duration.ofSeconds(61)); // past 2 poll intervals of 30 s, within 3
        assertThat(item(tenant, "changes")).containsEntry("config_status", "stale").containsEntry("liveness", "online");
        assertThat(item(tenant, "ignores")).containsEntry("config_status", "stale");
        assertThat(item(tenant, "quiet")).containsEntry("config_status", "stale");
        assertThat(item(tenant, "acks")).containsEntry("config_status", "in_sync");
        clock.advance(Duration.ofSeconds(30)); // past 3 poll intervals
        assertThat(item(tenant, "acks")).containsEntry("liveness", "offline").containsEntry("config_status", "in_sync");

        JsonNode summary = get("/api/v1/agents/summary?tenant_id=" + tenant);
        assertThat(summary.path("agents").asLong()).isEqualTo(5);
        assertThat(summary.path("by_liveness").path("offline").asLong()).isEqualTo(4);
        assertThat(summary.path("by_liveness").path("never_seen").asLong()).isEqualTo(1);
        assertThat(summary.path("by_config_status").path("in_sync").asLong()).isEqualTo(1);
        assertThat(summary.path("by_config_status").path("rejected").asLong()).isEqualTo(1);
        assertThat(summary.path("by_config_status").path("stale").asLong()).isEqualTo(3);
        assertThat(summary.path("converged").asDouble()).isEqualTo(0.2);
        JsonNode spread = versionOf(summary, acks);
        assertThat(spread.path("agents").asLong()).as("acks, refuses and ignores were handed the same version").isEqualTo(3);
        assertThat(spread.path("in_sync").asLong()).isEqualTo(1);
        assertThat(spread.path("converged").asDouble()).isCloseTo(1 / 3.0, org.assertj.core.data.Offset.offset(1e-9));

        JsonNode detail = get("/api/v1/agents/" + tenant + "/changes");
        assertThat(detail.path("config_status").asString()).isEqualTo("stale");
        assertThat(detail.path("desired_config").path("version").asString()).isEqualTo(detail.path("desired_config_version").asString());
        JsonNode target = detail.path("desired_config").path("device_targets").get(0);
        assertThat(target.path("ip").asString()).isEqualTo("127.78.0.1");
        assertThat(target.path("ports").get(0).asInt()).isEqualTo(22);
        assertThat(detail.path("desired_config").path("networks").get(0).asString()).isEqualTo("127.78.0.1/32");
    }

    @Test
    void filtersSearchAndTheCursorWalkTheWholeFleetOnce() {
        UUID tenant = createTenant("agents-pages");
        var agent = GrpcClients.blocking(channel(), agentToken(tenant));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String id = "site/" + (char) ('a' + i % 3) + "/agent-" + String.format("%02d", i);
            ids.add(id);
            agent.hello(AgentHelloRequest.newBuilder().setAgentId(id).setHostname(i % 5 == 0 ? "EDGE-" + i : "core-" + i).build());
            if (i % 2 == 0) {
                poll(agent, id, "", "", "");
            }
        }
        flush();

        List<String> walked = new ArrayList<>();
        String after = "";
        int pages = 0;
        do {
            JsonNode page = get("/api/v1/agents?tenant_id=" + tenant + "&limit=7&after=" + after);
            page.path("items").forEach(item -> walked.add(item.path("agent_uid").asString()));
            after = page.path("next").isNull() ? null : page.path("next").asString();
            pages++;
        } while (after != null && pages < 10);
        assertThat(walked).isEqualTo(ids.stream().sorted().toList());
        assertThat(pages).isEqualTo(3);

        assertThat(uids("/api/v1/agents?tenant_id=" + tenant + "&liveness=never_seen")).hasSize(10);
        assertThat(uids("/api/v1/agents?tenant_id=" + tenant + "&liveness=online")).hasSize(10);
        assertThat(uids("/api/v1/agents?tenant_id=" + tenant + "&liveness=online&status=pending")).hasSize(10);
        assertThat(uids("/api/v1/agents?tenant_id=" + tenant + "&status=in_sync")).isEmpty();
        assertThat(uids("/api/v1/agents?tenant_id=" + tenant + "&q=site/b/")).hasSize(7).allMatch(id -> id.startsWith("site/b/"));
        assertThat(uids("/api/v1/agents?tenant_id=" + tenant + "&q=edge")).as("hostname, whatever its case")
                .containsExactly("site/a/agent-00", "site/a/agent-15", "site/b/agent-10", "site/c/agent-05");
        assertThat(get("/api/v1/agents/" + tenant + "/site/b/agent-10").path("hostname").asString()).isEqualTo("EDGE-10");
    }

    @Test
    void badParametersAreNamedAndUnknownAgentsAreNotFound() {
        UUID tenant = createTenant("agents-bad");
        for (String[] bad : new String[][]{{"status=broken", "status"}, {"liveness=ONLINE", "liveness"}, {"limit=0", "limit"},
                {"limit=1001", "limit"}, {"after=%21%21", "after"}, {"after=bm8tY29sb24", "after"}, {"q=" + "a".repeat(201), "q"}}) {
            String body = admin().get().uri("/api/v1/agents?" + bad[0]).exchange().expectStatus().isBadRequest()
                    .expectBody(String.class).returnResult().getResponseBody();
            assertThat(body).as(bad[0]).contains("\"field\":\"" + bad[1] + "\"");
        }
        admin().get().uri("/api/v1/agents?tenant_id=not-a-uuid").exchange().expectStatus().isBadRequest();
        admin().get().uri("/api/v1/agents/{t}/nobody", tenant).exchange().expectStatus().isNotFound();
        admin().get().uri("/api/v1/agents/{t}/bad,id", tenant).exchange().expectStatus().isNotFound();
        admin().get().uri("/api/v1/agents/{t}/x", UUID.randomUUID()).exchange().expectStatus().isNotFound();
        anonymous().get().uri("/api/v1/agents").exchange().expectStatus().isUnauthorized();
    }

    @Test
    void aTenantAdminSeesOnlyItsOwnTenantsAgents() {
        UUID mine = createTenant("agents-mine");
        UUID theirs = createTenant("agents-theirs");
        GrpcClients.blocking(channel(), agentToken(mine)).hello(AgentHelloRequest.newBuilder().setAgentId("shared-name").build());
        GrpcClients.blocking(channel(), agentToken(theirs)).hello(AgentHelloRequest.newBuilder().setAgentId("shared-name").build());
        var admin = as(tenantAdmin(mine), ADMIN_PASSWORD);
        JsonNode page = JSON.readTree(admin.get().uri("/api/v1/agents").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody());
        assertThat(page.path("items")).hasSize(1);
        assertThat(page.path("items").get(0).path("tenant_id").asString()).isEqualTo(mine.toString());
        JsonNode summary = JSON.readTree(admin.get().uri("/api/v1/agents/summary").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody());
        assertThat(summary.path("agents").asLong()).isEqualTo(1);
        admin.get().uri("/api/v1/agents/{t}/shared-name", theirs).exchange().expectStatus().isNotFound();
        admin.get().uri("/api/v1/agents/{t}/shared-name", mine).exchange().expectStatus().isOk();
    }

    private String poll(AgentGatewayServiceGrpc.AgentGatewayServiceBlockingStub agent, String id, String applied, String rejected, String reason) {
        return agent.getConfig(AgentConfigRequest.newBuilder().setAgentId(id).setConfigVersion(applied)
                .setRejectedConfigVersion(rejected).setRejectReason(reason).build()).getConfigVersion();
    }

    private void flush() {
        recorder.flush().block(Duration.ofSeconds(10));
    }

    private void syncDevice(Onboarded sync, UUID source, String ip) {
        GrpcClients.reactor(channel(), sync.credential()).syncDevices(Flux.just(SyncDevicesRequest.newBuilder().setBatchSeq(1)
                .setIntegrationSourceId(source.toString())
                .addDevices(DiscoveredDevice.newBuilder().setDeviceId("d-" + ip).setSourceType("faker").addIpAddresses(ip))
                .build())).blockLast(Duration.ofSeconds(30));
    }

    private JsonNode get(String path) {
        return JSON.readTree(admin().get().uri(path).exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody());
    }

    private Map<String, Object> item(UUID tenant, String agent) {
        JsonNode page = get("/api/v1/agents?tenant_id=" + tenant + "&q=" + agent);
        for (JsonNode item : page.path("items")) {
            if (item.path("agent_uid").asString().equals(agent)) {
                return JSON.convertValue(item, Map.class);
            }
        }
        throw new AssertionError("no agent " + agent + " in " + page);
    }

    private List<String> uids(String path) {
        List<String> uids = new ArrayList<>();
        get(path).path("items").forEach(item -> uids.add(item.path("agent_uid").asString()));
        return uids;
    }

    private static JsonNode versionOf(JsonNode summary, String version) {
        for (JsonNode v : summary.path("versions")) {
            if (version.equals(v.path("desired_config_version").asString(null))) {
                return v;
            }
        }
        throw new AssertionError("no version " + version + " in " + summary);
    }
}
