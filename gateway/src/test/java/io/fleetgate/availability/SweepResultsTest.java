package io.fleetgate.availability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetgate.proto.AgentHelloRequest;
import io.fleetgate.proto.DiscoveredDevice;
import io.fleetgate.proto.HostResult;
import io.fleetgate.proto.SweepResultsAck;
import io.fleetgate.proto.SweepResultsBatch;
import io.fleetgate.test.Await;
import io.fleetgate.test.GatewayTest;
import io.fleetgate.test.GrpcClients;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * ReportSweepResults over gRPC against the real gateway: the stream discipline (acks in order
 * after commit, replay, a cancel mid-batch, a new stream after a broken one), flap damping over
 * sweeps, each agent's own view and the any rule, who may report what, history only on
 * transitions and its retention, and what the device and agent pages show.
 */
class SweepResultsTest extends GatewayTest {

    private static final JsonMapper JSON = JsonMapper.shared();

    @Autowired
    Housekeeping housekeeping;
    @Autowired
    MeterRegistry registry;
    @Autowired
    ResultsService results;

    private UUID tenant;
    private Onboarded sync;
    private String token;
    private long seq;
    private Instant sweep;

    @BeforeEach
    void aSiteSweptByTwoAgents() {
        tenant = createTenant("results");
        sync = onboardSyncService(tenant);
        UUID siteA = createSource(tenant, sync.id(), Map.of("agent_uid", "site-a", "default_ports", List.of(22)));
        UUID siteB = createSource(tenant, sync.id(), Map.of("agent_uid", "site-b", "default_ports", List.of(22)));
        // one server seen by both sites (one MAC, an IP each), and a printer only site A sweeps
        report(siteA, device("srv-a", "127.62.0.1", "00:1a:2b:62:00:01"), device("printer", "127.62.0.9", "00:1a:2b:62:00:09"));
        report(siteB, device("srv-b", "127.62.1.1", "00:1a:2b:62:00:01"));
        token = agentToken(tenant);
        var agent = GrpcClients.blocking(channel(), token);
        agent.hello(AgentHelloRequest.newBuilder().setAgentId("site-a").build());
        agent.hello(AgentHelloRequest.newBuilder().setAgentId("site-b").build());
        sweep = clock.instant();
    }

    @Test
    void batchesAreAcknowledgedInOrderAfterTheyCommitAndTheDeviceIsAvailable() {
        List<SweepResultsAck> acks = send(token,
                batch("site-a", 1, false, host("127.62.0.1").setIcmpAvailable(true).setIcmpRttUs(180).addOpenPorts(22)),
                batch("site-a", 2, true, host("127.62.0.9").addFilteredPorts(22)));
        assertThat(acks).extracting(SweepResultsAck::getBatchSeq).containsExactly(1L, 2L);
        assertThat(acks).allSatisfy(ack -> assertThat(ack.getHostsAccepted()).isEqualTo(1));
        JsonNode server = device("127.62.0.1");
        assertThat(server.path("availability").asString()).isEqualTo("available");
        assertThat(server.path("observations")).singleElement().satisfies(o -> {
            assertThat(o.path("agent_uid").asString()).isEqualTo("site-a");
            assertThat(o.path("state").asString()).isEqualTo("up");
            assertThat(o.path("icmp_rtt_us").asInt()).isEqualTo(180);
            assertThat(o.path("open_ports").get(0).asInt()).isEqualTo(22);
        });
        assertThat(device("127.62.0.9").path("availability").asString()).as("silent once: not decided yet").isEqualTo("unknown");
        JsonNode agent = get("/api/v1/agents/" + tenant + "/site-a");
        assertThat(agent.path("last_sweep").path("hosts").asInt()).isEqualTo(2);
        assertThat(agent.path("last_sweep").path("answered").asInt()).isEqualTo(1);
        assertThat(agent.path("last_sweep").path("completed_at").isNull()).isFalse();
    }

    @Test
    void aHostGoesDownAfterThreeSilentSweepsAndHistoryHoldsOnlyTheTransitions() {
        sweepOnce("site-a", true);
        for (int i = 0; i < 2; i++) {
            sweepOnce("site-a", false);
            assertThat(device("127.62.0.1").path("availability").asString()).as("silent sweep %d", i + 1).isEqualTo("available");
        }
        sweepOnce("site-a", false);
        assertThat(device("127.62.0.1").path("availability").asString()).isEqualTo("unavailable");
        long history = transitions();
        assertThat(count("SELECT count(*) FROM availability_transitions WHERE tenant_id = ? AND ip = '127.62.0.1'"))
                .as("unknown -> up, up -> down").isEqualTo(2);
        for (int i = 0; i < 5; i++) {
            sweepOnce("site-a", false); // a steady host: no history
        }
        assertThat(transitions()).isEqualTo(history);
        sweepOnce("site-a", true);
        assertThat(device("127.62.0.1").path("availability").asString()).as("up again at its first answer").isEqualTo("available");
        assertThat(device("127.62.0.1").path("transitions")).extracting(t -> t.path("to_state").asString()).containsExactly("up", "down", "up");
    }

    @Test
    void eachAgentKeepsItsOwnViewAndAnyAgentSeeingTheDeviceUpMakesItAvailable() {
        for (int i = 0; i < 3; i++) {
            sweepOnce("site-b", false);
        }
        JsonNode server = device("127.62.1.1");
        assertThat(server.path("availability").asString()).isEqualTo("unavailable");
        sweepOnce("site-a", true);
        server = device("127.62.1.1");
        assertThat(server.path("availability").asString()).isEqualTo("available");
        assertThat(server.path("observations")).extracting(o -> o.path("agent_uid").asString() + "=" + o.path("state").asString())
                .containsExactlyInAnyOrder("site-a=up", "site-b=down");
        assertThat(canonicals("&availability=available")).contains(server.path("canonical_device_id").asString());
        assertThat(canonicals("&availability=unavailable")).isEmpty();
        assertThat(canonicals("&availability=unknown")).isEmpty();
        JsonNode summary = get("/api/v1/devices/summary?tenant_id=" + tenant).path("by_availability");
        assertThat(summary.path("available").asLong()).as("the server, and the printer site A sweeps too").isEqualTo(2);
        assertThat(summary.path("unknown").asLong()).isZero();
    }

    @Test
    void aReplayedBatchChangesNothing() {
        SweepResultsBatch silent = batch("site-a", 1, true, host("127.62.0.1"), host("127.62.0.9"));
        send(token, silent);
        long observedBefore = count("SELECT sum(failures) FROM host_observations WHERE tenant_id = ?");
        // the stream broke before its ack arrived: the agent sends the batch again on a new stream
        List<SweepResultsAck> again = send(token, silent);
        assertThat(again.get(0).getHostsAccepted()).isEqualTo(2);
        assertThat(count("SELECT sum(failures) FROM host_observations WHERE tenant_id = ?")).isEqualTo(observedBefore);
        assertThat(count("SELECT hosts FROM agent_sweeps WHERE tenant_id = ?")).as("counted once").isEqualTo(2);
    }

    @Test
    void aBatchCancelledWhileItIsStoredLeavesNothingBehind() throws Exception {
        sweepOnce("site-a", true);
        try (Connection lock = jdbc()) {
            lock.setAutoCommit(false);
            try (Statement statement = lock.createStatement()) {
                statement.execute("SELECT 1 FROM host_observations WHERE tenant_id = '" + tenant + "' FOR UPDATE");
            }
            Sinks.Many<SweepResultsBatch> batches = Sinks.many().unicast().onBackpressureBuffer();
            var call = GrpcClients.reactor(channel(), token).reportSweepResults(batches.asFlux()).subscribe(ack -> { }, error -> { });
            batches.tryEmitNext(batch("site-a", 1, true, host("127.62.0.1"), host("127.62.0.9")));
            Await.until(Duration.ofSeconds(10), () -> count("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'") > 0);
            call.dispose(); // the agent gives up mid-batch
            lock.rollback();
        }
        Await.until(Duration.ofSeconds(10), () -> count("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'") == 0);
        assertThat(count("SELECT sum(failures) FROM host_observations WHERE tenant_id = ?")).isZero();
        assertThat(count("SELECT count(*) FROM host_observations WHERE tenant_id = ?")).isEqualTo(2);
    }

    @Test
    void batchesArrivingWhileTheWritersAreBusyShareOneTransactionAcrossAgentsAndTenantsEachWithItsOwnOutcome() throws Exception {
        UUID other = createTenant("results-group");
        Onboarded otherSync = onboardSyncService(other);
        syncBatch(otherSync, createSource(other, otherSync.id(), Map.of("agent_uid", "t2-a", "default_ports", List.of(22))), 1,
                device("t2-srv-a", "127.62.2.1", "00:1a:2b:62:02:01"));
        syncBatch(otherSync, createSource(other, otherSync.id(), Map.of("agent_uid", "t2-b", "default_ports", List.of(22))), 2,
                device("t2-srv-b", "127.62.3.1", "00:1a:2b:62:03:01"), device("t2-printer", "127.62.3.9", "00:1a:2b:62:03:09"));
        String otherToken = agentToken(other);
        List<SweepResultsAck> acks = new CopyOnWriteArrayList<>();
        try (Connection lock = jdbc()) {
            lock.setAutoCommit(false);
            try (Statement statement = lock.createStatement()) {
                statement.execute("LOCK TABLE agent_sweeps IN EXCLUSIVE MODE");
            }
            // both writers (FLEETGATE_RESULTS_WRITERS, 2) wait on the lock, each with one agent's batch
            stream(token, batch("site-a", 1, true, host("127.62.0.1").setIcmpAvailable(true)), acks);
            stream(otherToken, batch("t2-a", 1, true, host("127.62.2.1").setIcmpAvailable(true)), acks);
            Await.until(Duration.ofSeconds(10), () -> count("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'") == 2);
            stream(token, batch("site-b", 1, true, host("127.62.1.1").setIcmpAvailable(true), host("10.0.0.1")), acks);
            stream(otherToken, batch("t2-b", 1, true, host("127.62.3.1").setIcmpAvailable(true), host("127.62.3.9")), acks);
            Await.until(Duration.ofSeconds(10), () -> results.waiting() == 2);
            lock.rollback();
        }
        Await.until(Duration.ofSeconds(10), () -> acks.size() == 4);
        assertThat(acks).extracting(ack -> ack.getHostsAccepted() + "/" + ack.getHostsRejected()).containsExactlyInAnyOrder("1/0", "1/0", "1/1", "2/0");
        String ours = " FROM agent_sweeps WHERE tenant_id IN ('" + tenant + "', '" + other + "') AND agent_uid ";
        assertThat(queryValue("SELECT count(DISTINCT xmin::text)" + ours + "IN ('site-b', 't2-b')")).as("one transaction for both").isEqualTo(1L);
        assertThat(queryValue("SELECT count(DISTINCT xmin::text)" + ours + "IN ('site-a', 't2-a', 'site-b')")).isEqualTo(3L);
        assertThat(queryValue("SELECT string_agg(tenant_id || ' ' || agent_uid || ' ' || hosts || ' ' || answered, ', ' ORDER BY agent_uid)"
                + ours + "IN ('site-b', 't2-b')")).isEqualTo(tenant + " site-b 1 1, " + other + " t2-b 2 1");
        assertThat(queryValue("SELECT string_agg(agent_uid || ' ' || ip || ' ' || state, ', ' ORDER BY ip) FROM host_observations"
                + " WHERE tenant_id = ?", other)).isEqualTo("t2-a 127.62.2.1 up, t2-b 127.62.3.1 up, t2-b 127.62.3.9 unknown");
        assertThat(device(other, "127.62.3.1").path("availability").asString()).isEqualTo("available");
        assertThat(device("127.62.1.1").path("availability").asString()).isEqualTo("available");
    }

    /** The batch sent on a stream of its own, its ack collected when it comes. */
    private void stream(String credential, SweepResultsBatch batch, List<SweepResultsAck> acks) {
        GrpcClients.reactor(channel(), credential).reportSweepResults(Flux.just(batch)).subscribe(acks::add);
    }

    @Test
    void onlyTheAgentsOwnTargetsOfItsOwnTenantAreTakenAndEachBadHostIsNamed() {
        List<SweepResultsAck> acks = send(token, batch("site-b", 1, true, host("127.62.1.1").setIcmpAvailable(true),
                host("127.62.0.9").setIcmpAvailable(true), host("10.0.0.1"), host("127.62.1.1").addOpenPorts(99999)));
        assertThat(acks.get(0).getHostsAccepted()).isEqualTo(1);
        assertThat(acks.get(0).getRejectionsList()).extracting(r -> r.getIndex() + " " + r.getReason().replaceAll(":.*", ""))
                .containsExactly("1 not_a_target", "2 not_a_target", "3 invalid_port");
        // another tenant's agent, naming this tenant's agent and IPs: nothing of this tenant is its target
        UUID other = createTenant("results-other");
        List<SweepResultsAck> foreign = send(agentToken(other), batch("site-a", 1, true, host("127.62.0.1").setIcmpAvailable(true)));
        assertThat(foreign.get(0).getHostsRejected()).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM host_observations WHERE tenant_id = ? AND agent_uid = 'site-a'")).isZero();
        // a sync service's credential may not report
        assertThat(GrpcClients.code(catching(() -> send(sync.credential(), batch("site-a", 1, true))))).isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    @Test
    void theStreamRefusesWhatBreaksItsDiscipline() {
        assertThat(GrpcClients.code(catching(() -> send(token, batch("site-a", 2, false), batch("site-a", 2, true)))))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(GrpcClients.code(catching(() -> send(token, batch("site-a", 1, false), batch("site-b", 2, true)))))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(GrpcClients.code(catching(() -> send(token, batch("bad agent", 1, true))))).isEqualTo(Status.Code.INVALID_ARGUMENT);
        // a second stream of one agent while its first is open
        Sinks.Many<SweepResultsBatch> first = Sinks.many().unicast().onBackpressureBuffer();
        List<SweepResultsAck> firstAcks = new ArrayList<>();
        var open = GrpcClients.reactor(channel(), token).reportSweepResults(first.asFlux()).subscribe(firstAcks::add);
        first.tryEmitNext(batch("site-a", 1, false, host("127.62.0.1").setIcmpAvailable(true)));
        Await.until(Duration.ofSeconds(10), () -> firstAcks.size() == 1);
        assertThat(GrpcClients.code(catching(() -> send(token, batch("site-a", 1, true))))).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        first.tryEmitComplete();
        open.dispose();
    }

    @Test
    void aCompletedSweepForgetsWhatTheAgentNoLongerSweepsAndHistoryIsPrunedAfterItsRetention() throws Exception {
        sweepOnce("site-a", true);
        assertThat(device("127.62.0.9").path("availability").asString()).isEqualTo("available");
        // the next sweep is complete without the printer (as when it left site-a's config): site-a forgets it
        clock.advance(Duration.ofMinutes(5));
        sweep = clock.instant();
        send(token, batch("site-a", 1, true, host("127.62.0.1").setIcmpAvailable(true)));
        assertThat(device("127.62.0.9").path("availability").asString()).isEqualTo("unknown");
        assertThat(device("127.62.0.9").path("observations")).isEmpty();

        try (Connection c = jdbc(); Statement statement = c.createStatement()) {
            statement.execute("UPDATE availability_transitions SET at = at - interval '31 days' WHERE tenant_id = '" + tenant + "'");
        }
        assertThat(transitions()).isPositive();
        housekeeping.run().block(Duration.ofSeconds(30));
        assertThat(transitions()).isZero();
    }

    @Test
    void resultsAreCountedByTenantAndOutcome() {
        String slug = (String) queryValue("SELECT slug FROM tenants WHERE id = ?", tenant);
        send(token, batch("site-a", 1, true, host("127.62.0.1").setIcmpAvailable(true), host("127.62.0.9"), host("10.9.9.9")));
        assertThat(registry.get("fleetgate.sweep.results.hosts").tags("tenant", slug, "outcome", "answered").counter().count()).isEqualTo(1);
        assertThat(registry.get("fleetgate.sweep.results.hosts").tags("tenant", slug, "outcome", "silent").counter().count()).isEqualTo(1);
        assertThat(registry.get("fleetgate.sweep.results.hosts").tags("tenant", slug, "outcome", "rejected").counter().count()).isEqualTo(1);
    }

    /** One complete sweep of an agent's targets, every host answering or none; five minutes after the last one. */
    private void sweepOnce(String agent, boolean answering) {
        clock.advance(Duration.ofMinutes(5));
        sweep = clock.instant();
        List<String> ips = agent.equals("site-a") ? List.of("127.62.0.1", "127.62.0.9") : List.of("127.62.1.1");
        HostResult.Builder[] hosts = ips.stream().map(ip -> host(ip).setIcmpAvailable(answering)).toArray(HostResult.Builder[]::new);
        List<SweepResultsAck> acks = send(token, batch(agent, 1, true, hosts));
        assertThat(acks.get(0).getHostsRejected()).isZero();
    }

    private SweepResultsBatch batch(String agent, long batchSeq, boolean complete, HostResult.Builder... hosts) {
        SweepResultsBatch.Builder batch = SweepResultsBatch.newBuilder().setAgentId(agent).setBatchSeq(batchSeq)
                .setSweepStartedAt(sweep.toEpochMilli()).setSweepComplete(complete).setConfigVersion("v");
        for (HostResult.Builder host : hosts) {
            batch.addHosts(host.setObservedAt(sweep.toEpochMilli()));
        }
        return batch.build();
    }

    private static HostResult.Builder host(String ip) {
        return HostResult.newBuilder().setIp(ip);
    }

    private List<SweepResultsAck> send(String credential, SweepResultsBatch... batches) {
        return GrpcClients.reactor(channel(), credential).reportSweepResults(Flux.just(batches)).collectList().block(Duration.ofSeconds(30));
    }

    private static Throwable catching(Runnable call) {
        try {
            call.run();
            throw new AssertionError("the call succeeded");
        } catch (RuntimeException e) {
            return e;
        }
    }

    private void report(UUID source, DiscoveredDevice.Builder... devices) {
        syncBatch(sync, source, ++seq, devices);
    }

    private static DiscoveredDevice.Builder device(String id, String ip, String mac) {
        return DiscoveredDevice.newBuilder().setDeviceId(id).addIpAddresses(ip).addMacAddresses(mac);
    }

    /** The device page of the device holding that IP. */
    private JsonNode device(String ip) {
        return device(tenant, ip);
    }

    private JsonNode device(UUID tenant, String ip) {
        JsonNode page = get("/api/v1/devices?tenant_id=" + tenant + "&ip=" + ip);
        return get("/api/v1/devices/" + tenant + "/" + page.path("items").get(0).path("canonical_device_id").asString());
    }

    private List<String> canonicals(String filters) {
        List<String> ids = new ArrayList<>();
        get("/api/v1/devices?tenant_id=" + tenant + filters).path("items").forEach(item -> ids.add(item.path("canonical_device_id").asString()));
        return ids;
    }

    private long transitions() {
        return count("SELECT count(*) FROM availability_transitions WHERE tenant_id = ?");
    }

    private long count(String sql) {
        Object value = sql.contains("?") ? queryValue(sql, tenant) : queryValue(sql);
        return value == null ? 0 : ((Number) value).longValue();
    }

    private JsonNode get(String path) {
        return JSON.readTree(admin().get().uri(path).exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody());
    }
}
