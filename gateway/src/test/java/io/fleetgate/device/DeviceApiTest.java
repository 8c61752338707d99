package io.fleetgate.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.proto.AgentConfigRequest;
import io.fleetgate.proto.AgentHelloRequest;
import io.fleetgate.proto.DiscoveredDevice;
import io.fleetgate.proto.SyncDevicesRequest;
import io.fleetgate.test.Await;
import io.fleetgate.test.GatewayTest;
import io.fleetgate.test.GrpcClients;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * GET /api/v1/devices, …/summary, …/{tenant}/{device} and POST …/unmerge over devices two sources
 * reported over gRPC: every filter, the cursor, the detail, unmerge and its keep-apart pin, the
 * merge guard, bad input and tenant isolation.
 */
class DeviceApiTest extends GatewayTest {

    private static final JsonMapper JSON = JsonMapper.shared();
    private static final String SHARED_MAC = "00:1a:2b:00:00:01";

    @Autowired
    MeterRegistry registry;

    private UUID tenant;
    private Onboarded sync;
    private UUID netbox;
    private UUID faker;
    private long seq;
    /** Every batch reported, by source, to replay. */
    private final Map<UUID, List<SyncDevicesRequest>> reported = new HashMap<>();

    @BeforeEach
    void twoSourcesAndFiveRecords() {
        tenant = createTenant("devices");
        sync = onboardSyncService(tenant);
        netbox = createSource(tenant, sync.id(), Map.of("source_type", "netbox", "endpoint", "https://netbox.example", "name", "netbox-hq"));
        faker = createSource(tenant, sync.id(), Map.of("agent_uid", "agent-a", "default_ports", List.of(22), "name", "lab"));
        report(netbox, "netbox",
                device("nb-1", List.of("127.3.0.1"), List.of(SHARED_MAC)).setHostname("Web-01")
                        .setRawData(com.google.protobuf.ByteString.copyFromUtf8("{\"site\":\"hq\",\"rack\":7}")),
                device("nb-2", List.of("127.3.1.5"), List.of()).setHostname("db-01").setAgentUid("agent-b").addPorts(5432),
                device("nb-3", List.of("127.3.1.6", "127.3.0.9"), List.of("02:00:00:00:00:03")).setHostname("web-02"));
        report(faker, "faker",
                device("fk-1", List.of("127.3.0.2"), List.of("00-1A-2B-00-00-01")),
                device("fk-2", List.of("127.3.2.1"), List.of()).setHostname("printer"));
    }

    @Test
    void theListShowsCanonicalDevicesAndTheCursorWalksThemOnce() {
        JsonNode all = get("/api/v1/devices?tenant_id=" + tenant);
        assertThat(all.path("items")).hasSize(4);
        assertThat(all.path("next").isNull()).isTrue();
        JsonNode merged = item(all, canonical("nb-1"));
        assertThat(strings(merged.path("hostnames"))).containsExactly("Web-01");
        assertThat(strings(merged.path("ips"))).containsExactly("127.3.0.1", "127.3.0.2");
        assertThat(strings(merged.path("macs"))).containsExactly(SHARED_MAC);
        assertThat(merged.path("records").asInt()).isEqualTo(2);
        assertThat(strings(merged.path("agents"))).containsExactly("agent-a");
        assertThat(merged.path("sources")).extracting(s -> s.path("name").asString()).containsExactlyInAnyOrder("netbox-hq", "lab");

        List<String> walked = new ArrayList<>();
        String after = "";
        int pages = 0;
        do {
            JsonNode page = get("/api/v1/devices?tenant_id=" + tenant + "&limit=1&after=" + after);
            page.path("items").forEach(item -> walked.add(item.path("canonical_device_id").asString()));
            after = page.path("next").isNull() ? null : page.path("next").asString();
            pages++;
        } while (after != null && pages < 10);
        assertThat(walked).isEqualTo(canonicals("/api/v1/devices?tenant_id=" + tenant)).doesNotHaveDuplicates().hasSize(4);
        assertThat(walked).isSorted();
    }

    @Test
    void everyFilterFindsItsDevices() {
        String list = "/api/v1/devices?tenant_id=" + tenant;
        assertThat(canonicals(list + "&q=WEB")).as("hostname prefix, any case")
                .containsExactlyInAnyOrder(canonical("nb-1"), canonical("nb-3"));
        assertThat(canonicals(list + "&q=127.3.0.2")).as("an IP").containsExactly(canonical("nb-1"));
        assertThat(canonicals(list + "&q=001a.2b00.0001")).as("a MAC in Cisco notation").containsExactly(canonical("nb-1"));
        assertThat(canonicals(list + "&mac=02-00-00-00-00-03")).as("a MAC identity cannot use").containsExactly(canonical("nb-3"));
        assertThat(canonicals(list + "&ip=127.3.1.5")).containsExactly(canonical("nb-2"));
        assertThat(canonicals(list + "&source_id=" + faker)).containsExactlyInAnyOrder(canonical("nb-1"), canonical("fk-2"));
        assertThat(canonicals(list + "&agent_uid=agent-a")).as("through the source's default agent")
                .containsExactlyInAnyOrder(canonical("fk-1"), canonical("fk-2"));
        assertThat(canonicals(list + "&agent_uid=agent-b")).as("the device's own agent").containsExactly(canonical("nb-2"));
        assertThat(canonicals(list + "&agent_uid=agent-a&q=print")).containsExactly(canonical("fk-2"));
        assertThat(canonicals(list + "&q=nothing-like-this")).isEmpty();

        // a CIDR lists the IPs devices hold in it, in address order, and pages through them
        JsonNode first = get(list + "&cidr=127.3.0.0/24&limit=2");
        assertThat(first.path("items")).extracting(i -> i.path("matched_ip").asString()).containsExactly("127.3.0.1", "127.3.0.2");
        assertThat(first.path("items")).extracting(i -> i.path("canonical_device_id").asString())
                .containsOnly(canonical("nb-1"));
        JsonNode second = get(list + "&cidr=127.3.0.0/24&limit=2&after=" + first.path("next").asString());
        assertThat(second.path("items")).extracting(i -> i.path("matched_ip").asString()).containsExactly("127.3.0.9");
        assertThat(second.path("next").isNull()).isTrue();
        assertThat(get(list + "&q=127.3.0.0/16").path("items")).hasSize(6);
        assertThat(get(list + "&cidr=127.3.0.0/16&source_id=" + faker).path("items"))
                .extracting(i -> i.path("matched_ip").asString()).containsExactly("127.3.0.1", "127.3.0.2", "127.3.2.1");
        assertThat(get(list + "&cidr=0.0.0.0/1").path("items")).as("wider than /8: allowed, paged like any other").hasSize(6);
    }

    @Test
    void aDevicePageShowsItsRecordsIdentifiersMergesAndWhoSweepsWhat() {
        JsonNode device = get("/api/v1/devices/" + tenant + "/" + canonical("nb-1"));
        assertThat(device.path("records")).extracting(r -> r.path("device_id").asString()).containsExactly("nb-1", "fk-1");
        assertThat(device.path("records").get(0).path("raw_data").path("rack").asInt()).isEqualTo(7);
        assertThat(device.path("records").get(0).path("source").path("name").asString()).isEqualTo("netbox-hq");
        assertThat(device.path("records").get(1).path("swept_by").asString()).isEqualTo("agent-a");
        assertThat(device.path("identifiers")).anySatisfy(i -> {
            assertThat(i.path("value").asString()).isEqualTo(SHARED_MAC);
            assertThat(i.path("held_by").asString()).isEqualTo(canonical("nb-1"));
        });
        assertThat(device.path("merges")).singleElement().satisfies(m -> {
            assertThat(m.path("reason").asString()).isEqualTo("mac");
            assertThat(m.path("key").asString()).isEqualTo(SHARED_MAC);
            assertThat(m.path("device_id").asString()).isEqualTo("fk-1");
            assertThat(m.path("integration_source_id").asString()).isEqualTo(faker.toString());
            assertThat(m.path("batch_seq").asLong()).isEqualTo(2);
        });
        // netbox names no agent for nb-1; the faker source's default agent sweeps fk-1's IP on its default ports
        assertThat(device.path("sweeps")).singleElement().satisfies(s -> {
            assertThat(s.path("ip").asString()).isEqualTo("127.3.0.2");
            assertThat(s.path("agent_uid").asString()).isEqualTo("agent-a");
            assertThat(s.path("ports").get(0).asInt()).isEqualTo(22);
        });
        admin().get().uri("/api/v1/devices/{t}/{d}", tenant, UUID.randomUUID()).exchange().expectStatus().isNotFound();
        admin().get().uri("/api/v1/devices/{t}/not-a-uuid", tenant).exchange().expectStatus().isBadRequest();
    }

    @Test
    void unmergeSplitsTheRecordOutTellsItsAgentAndKeepsThePairApartThroughReplaysAndAPartitionMove() {
        // a control pair, merged the same way but never split
        report(netbox, "netbox", device("nb-9", List.of("127.3.9.1"), List.of("00:1a:2b:00:00:09")));
        report(faker, "faker", device("fk-9", List.of("127.3.9.2"), List.of("00:1a:2b:00:00:09")));
        String merged = canonical("nb-1");
        var agent = GrpcClients.blocking(channel(), agentToken(tenant));
        agent.hello(AgentHelloRequest.newBuilder().setAgentId("agent-a").build());
        assertThat(targetDevice(agent, "127.3.0.2")).isEqualTo(merged);

        JsonNode split = unmerge(merged, recordId("fk-1"), "fk-1 is the lab's test box, not the web server");
        String own = split.path("canonical_device_id").asString();
        assertThat(own).isNotEqualTo(merged).isEqualTo(canonical("fk-1"));
        assertThat(canonical("nb-1")).isEqualTo(merged);
        assertThat(split.path("from_canonical_device_id").asString()).isEqualTo(merged);
        // the IP only fk-1 reported followed it; the MAC both report stays with the device it was split from
        assertThat(canonicals("/api/v1/devices?tenant_id=" + tenant + "&ip=127.3.0.2")).containsExactly(own);
        assertThat(canonicals("/api/v1/devices?tenant_id=" + tenant + "&ip=127.3.0.1")).containsExactly(merged);
        JsonNode origin = get("/api/v1/devices/" + tenant + "/" + merged);
        assertThat(origin.path("records")).hasSize(1);
        assertThat(origin.path("unmerges")).singleElement().satisfies(u -> {
            assertThat(u.path("reason").asString()).isEqualTo("fk-1 is the lab's test box, not the web server");
            assertThat(u.path("unmerged_by").asString()).isEqualTo("admin");
            assertThat(u.path("to_canonical_device_id").asString()).isEqualTo(own);
        });
        assertThat(origin.path("kept_apart")).singleElement().satisfies(p -> {
            assertThat(p.path("other_device_id").asString()).isEqualTo("fk-1");
            assertThat(p.path("other_canonical_device_id").asString()).isEqualTo(own);
        });
        // agent-a's config follows at once: the target's device is the split one
        Await.until(Duration.ofSeconds(10), () -> own.equals(targetDevice(agent, "127.3.0.2")));

        // a replay of every batch both sources sent changes nothing
        reported.forEach((source, batches) -> batches.forEach(batch -> send(batch.toBuilder().setBatchSeq(++seq).build())));
        assertThat(canonical("fk-1")).isEqualTo(own);
        assertThat(canonical("nb-1")).isEqualTo(merged);

        // both sources move to another partition, where identity decides afresh: the pair stays apart, the control pair rejoins
        movePartition(netbox, "netbox", "building-2");
        movePartition(faker, "faker", "building-2");
        reported.forEach((source, batches) -> batches.forEach(batch -> send(batch.toBuilder().setBatchSeq(++seq).build())));
        assertThat(queryValue("SELECT count(DISTINCT partition) FROM discovered_devices WHERE tenant_id = ?", tenant)).isEqualTo(1L);
        assertThat(canonical("fk-1")).isNotEqualTo(canonical("nb-1"));
        assertThat(canonical("fk-9")).isEqualTo(canonical("nb-9"));
    }

    @Test
    void unmergeRefusesWhatItCannotDoAndNamesWhy() {
        String merged = canonical("nb-1");
        String url = "/api/v1/devices/" + tenant + "/" + merged + "/unmerge";
        assertThat(problem(url, Map.of("discovered_device_id", recordId("fk-1")), 400)).contains("\"field\":\"reason\"");
        assertThat(problem(url, Map.of("discovered_device_id", recordId("fk-1"), "reason", "  "), 400)).contains("\"field\":\"reason\"");
        assertThat(problem(url, Map.of("reason", "why not"), 400)).contains("\"field\":\"discovered_device_id\"");
        assertThat(problem(url, Map.of("discovered_device_id", recordId("nb-2"), "reason", "wrong device"), 409))
                .contains("not a record of device");
        String single = canonical("nb-2");
        assertThat(problem("/api/v1/devices/" + tenant + "/" + single + "/unmerge",
                Map.of("discovered_device_id", recordId("nb-2"), "reason", "alone"), 409)).contains("one source record");
        problem("/api/v1/devices/" + tenant + "/" + UUID.randomUUID() + "/unmerge",
                Map.of("discovered_device_id", recordId("nb-2"), "reason", "gone"), 404);
        assertThat(canonical("fk-1")).isEqualTo(merged);
    }

    @Test
    void theMergeGuardStoresDevicesThatShareAnAgentsMacUnmergedAndSaysSo() {
        double before = registry.get("fleetgate.identity.merge.guard").tag("kind", "mac").counter().count();
        DiscoveredDevice.Builder[] devices = new DiscoveredDevice.Builder[60];
        for (int i = 0; i < devices.length; i++) {
            devices[i] = device("polled-" + i, List.of("127.4.0." + (i + 1)), List.of("00:1a:2b:aa:aa:aa", String.format("00:1a:2b:00:10:%02x", i)));
        }
        report(netbox, "netbox", devices);
        assertThat(queryValue("SELECT count(DISTINCT canonical_device_id) FROM discovered_devices WHERE tenant_id = ? AND device_id LIKE 'polled-%'",
                tenant)).isEqualTo(60L);
        assertThat(registry.get("fleetgate.identity.merge.guard").tag("kind", "mac").counter().count()).isEqualTo(before + 1);
        JsonNode device = get("/api/v1/devices/" + tenant + "/" + canonical("polled-7"));
        assertThat(device.path("guard_events")).singleElement().satisfies(g -> {
            assertThat(g.path("key").asString()).isEqualTo("00:1a:2b:aa:aa:aa");
            assertThat(g.path("devices").asInt()).isEqualTo(60);
            assertThat(g.path("canonical_device_id").asString()).isEqualTo(canonical("polled-0"));
        });
        assertThat(device.path("merges")).isEmpty();
    }

    @Test
    void theSummaryCountsDevicesRecordsMergesSourcesAndAgents() {
        JsonNode summary = get("/api/v1/devices/summary?tenant_id=" + tenant);
        assertThat(summary.path("devices").asLong()).isEqualTo(4);
        assertThat(summary.path("records").asLong()).isEqualTo(5);
        assertThat(summary.path("merged_devices").asLong()).isEqualTo(1);
        assertThat(summary.path("merged_records").asLong()).isEqualTo(2);
        assertThat(summary.path("unassigned").asLong()).as("nb-3: no agent of its own, none by default").isEqualTo(1);
        assertThat(summary.path("by_source")).extracting(s -> s.path("source").path("name").asString() + "=" + s.path("records").asLong())
                .containsExactly("lab=2", "netbox-hq=3");
        assertThat(summary.path("by_agent")).extracting(a -> a.path("agent_uid").asString() + "=" + a.path("records").asLong())
                .containsExactly("agent-a=2", "agent-b=1");

        unmerge(canonical("nb-1"), recordId("fk-1"), "two devices");
        JsonNode after = get("/api/v1/devices/summary?tenant_id=" + tenant);
        assertThat(after.path("devices").asLong()).as("counted again after an unmerge").isEqualTo(5);
        assertThat(after.path("merged_devices").asLong()).isZero();
        admin().get().uri("/api/v1/devices/summary").exchange().expectStatus().isBadRequest();
    }

    @Test
    void badFiltersAreNamed() {
        String list = "/api/v1/devices?tenant_id=" + tenant;
        String canonicalCursor = get(list + "&limit=1").path("next").asString();
        for (String[] bad : new String[][]{{"ip=999.1.1.1", "ip"}, {"ip=127.0.0.1/8", "ip"}, {"cidr=127.0.0.1/24", "cidr"},
                {"cidr=10.0.0.0/33", "cidr"}, {"cidr=banana", "cidr"}, {"mac=zz:zz", "mac"}, {"q=10.0.0.0/99", "q"},
                {"ip=127.0.0.1&cidr=127.0.0.0/8", "cidr"}, {"limit=0", "limit"}, {"limit=501", "limit"}, {"after=%21%21", "after"},
                {"after=Yzpub3Q", "after"}, {"cidr=127.0.0.0/8&after=" + canonicalCursor, "after"}, {"q=" + "a".repeat(256), "q"}}) {
            String body = admin().get().uri(list + "&" + bad[0]).exchange().expectStatus().isBadRequest()
                    .expectBody(String.class).returnResult().getResponseBody();
            assertThat(body).as(bad[0]).contains("\"field\":\"" + bad[1] + "\"");
        }
        UUID other = createTenant("devices-other");
        String body = admin().get().uri("/api/v1/devices?tenant_id=" + other + "&after=" + canonicalCursor).exchange()
                .expectStatus().isBadRequest().expectBody(String.class).returnResult().getResponseBody();
        assertThat(body).contains("\"field\":\"after\"");
        anonymous().get().uri("/api/v1/devices").exchange().expectStatus().isUnauthorized();
    }

    @Test
    void aTenantAdminSeesOnlyItsOwnTenantsDevices() {
        UUID mine = createTenant("devices-mine");
        var admin = as(tenantAdmin(mine), ADMIN_PASSWORD);
        admin.get().uri("/api/v1/devices").exchange().expectStatus().isOk().expectBody().jsonPath("$.items.length()").isEqualTo(0);
        admin.get().uri("/api/v1/devices?tenant_id=" + tenant).exchange().expectStatus().isNotFound();
        admin.get().uri("/api/v1/devices/summary?tenant_id=" + tenant).exchange().expectStatus().isNotFound();
        admin.get().uri("/api/v1/devices/{t}/{d}", tenant, canonical("nb-1")).exchange().expectStatus().isNotFound();
        admin.post().uri("/api/v1/devices/{t}/{d}/unmerge", tenant, canonical("nb-1"))
                .bodyValue(Map.of("discovered_device_id", recordId("fk-1"), "reason", "not mine")).exchange().expectStatus().isNotFound();
        assertThat(canonical("fk-1")).isEqualTo(canonical("nb-1"));

        var theirs = as(tenantAdmin(tenant), ADMIN_PASSWORD);
        theirs.get().uri("/api/v1/devices").exchange().expectStatus().isOk().expectBody().jsonPath("$.items.length()").isEqualTo(4);
        theirs.post().uri("/api/v1/devices/{t}/{d}/unmerge", tenant, canonical("nb-1"))
                .bodyValue(Map.of("discovered_device_id", recordId("fk-1"), "reason", "tenant admins may")).exchange().expectStatus().isOk();
    }

    private JsonNode unmerge(String canonical, String record, String reason) {
        return JSON.readTree(admin().post().uri("/api/v1/devices/{t}/{d}/unmerge", tenant, canonical)
                .bodyValue(Map.of("discovered_device_id", record, "reason", reason))
                .exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody());
    }

    private String problem(String url, Map<String, ?> body, int status) {
        return admin().post().uri(url).bodyValue(body).exchange().expectStatus().isEqualTo(status)
                .expectBody(String.class).returnResult().getResponseBody();
    }

    private String targetDevice(io.fleetgate.proto.AgentGatewayServiceGrpc.AgentGatewayServiceBlockingStub agent, String ip) {
        return agent.getConfig(AgentConfigRequest.newBuilder().setAgentId("agent-a").build()).getSweep().getDeviceTargetsList().stream()
                .filter(t -> t.getIp().equals(ip)).findFirst().orElseThrow().getDeviceId();
    }

    private void movePartition(UUID source, String type, String partition) {
        Map<?, ?> current = admin().get().uri("/api/v1/integration-sources/{id}", source).exchange().expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();
        Map<String, Object> body = new HashMap<>();
        for (String field : List.of("tenant_id", "name", "source_type", "endpoint", "sync_service_id", "agent_uid", "default_ports",
                "sweep_modes", "settings", "enabled", "poll_interval_sec")) {
            if (current.get(field) != null) {
                body.put(field, current.get(field));
            }
        }
        body.put("partition", partition);
        admin().put().uri("/api/v1/integration-sources/{id}", source).bodyValue(body).exchange().expectStatus().isOk();
        assertThat(type).isNotEmpty();
    }

    private void report(UUID source, String type, DiscoveredDevice.Builder... devices) {
        SyncDevicesRequest.Builder batch = SyncDevicesRequest.newBuilder().setBatchSeq(++seq).setIntegrationSourceId(source.toString());
        for (DiscoveredDevice.Builder device : devices) {
            batch.addDevices(device.setSourceType(type));
        }
        reported.computeIfAbsent(source, s -> new ArrayList<>()).add(batch.build());
        send(batch.build());
    }

    private void send(SyncDevicesRequest batch) {
        var response = GrpcClients.reactor(channel(), sync.credential()).syncDevices(Flux.just(batch)).blockLast(Duration.ofSeconds(30));
        assertThat(response.getDevicesRejected()).isZero();
    }

    private static DiscoveredDevice.Builder device(String id, List<String> ips, List<String> macs) {
        return DiscoveredDevice.newBuilder().setDeviceId(id).addAllIpAddresses(ips).addAllMacAddresses(macs);
    }

    private String canonical(String deviceId) {
        return String.valueOf(queryValue("SELECT canonical_device_id FROM discovered_devices WHERE tenant_id = ? AND device_id = ?",
                tenant, deviceId));
    }

    private String recordId(String deviceId) {
        return String.valueOf(queryValue("SELECT id FROM discovered_devices WHERE tenant_id = ? AND device_id = ?", tenant, deviceId));
    }

    private JsonNode get(String path) {
        return JSON.readTree(admin().get().uri(path).exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody());
    }

    private List<String> canonicals(String path) {
        List<String> ids = new ArrayList<>();
        get(path).path("items").forEach(item -> ids.add(item.path("canonical_device_id").asString()));
        return ids;
    }

    private static JsonNode item(JsonNode page, String canonical) {
        for (JsonNode item : page.path("items")) {
            if (item.path("canonical_device_id").asString().equals(canonical)) {
                return item;
            }
        }
        throw new AssertionError("no device " + canonical + " in " + page);
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asString()));
        return values;
    }
}
