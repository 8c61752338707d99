package io.fleetgate.agent;

import static io.fleetgate.test.GrpcClients.codeOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.changes.ChangeFeed;
import io.fleetgate.changes.Changes;
import io.fleetgate.grpc.GrpcServer;
import io.fleetgate.platform.GatewayStartup;
import io.fleetgate.proto.AgentConfigRequest;
import io.fleetgate.proto.AgentConfigResponse;
import io.fleetgate.proto.AgentHelloRequest;
import io.fleetgate.proto.DeviceTarget;
import io.fleetgate.proto.DiscoveredDevice;
import io.fleetgate.security.CredentialKind;
import io.fleetgate.security.CredentialService;
import io.fleetgate.test.CountingConnectionFactory;
import io.fleetgate.test.GatewayTest;
import io.fleetgate.test.Gateways;
import io.fleetgate.test.GrpcClients;
import io.fleetgate.test.TestDatabase;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;

/** Hello and GetConfig over a real port, with devices ingested through SyncDevices. */
@Tag("change-feed")
class GetConfigTest extends GatewayTest {

    @Autowired
    Changes feed;

    @Autowired
    CredentialService credentials;

    private UUID tenant;
    private Onboarded sync;
    private UUID source;
    private String agentToken;
    private long seq;

    @BeforeEach
    void fleet() {
        tenant = createTenant("fleet");
        sync = onboardSyncService(tenant);
        source = createSource(tenant, sync.id(), Map.of("agent_uid", "agent-x", "default_ports", List.of(8443)));
        agentToken = agentToken(tenant);
    }

    private void report(DiscoveredDevice.Builder... devices) {
        syncBatch(sync, source, ++seq, devices);
    }

    private static DiscoveredDevice.Builder device(String id, String ip, Integer... ports) {
        return DiscoveredDevice.newBuilder().setDeviceId(id).addIpAddresses(ip).addAllPorts(List.of(ports));
    }

    private AgentConfigResponse getConfig(String agent, String version) {
        return GrpcClients.blocking(channel(), agentToken)
                .getConfig(AgentConfigRequest.newBuilder().setAgentId(agent).setConfigVersion(version).build());
    }

    @Test
    void helloIsBoundedInEveryFieldAndInTheNumberOfAgentsPerTenant() {
        var client = GrpcClients.blocking(channel(), agentToken);
        java.util.function.Function<AgentHelloRequest.Builder, Status.Code> hello = request -> codeOf(() -> client.hello(request.build()));
        String big = "x".repeat(200 * 1024);
        assertThat(hello.apply(AgentHelloRequest.newBuilder().setAgentId("a-1").putLabels("site", big))).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(hello.apply(AgentHelloRequest.newBuilder().setAgentId("a-1").addCapabilities(big))).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(hello.apply(AgentHelloRequest.newBuilder().setAgentId("a-1").setConfigVersion(big))).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(hello.apply(AgentHelloRequest.newBuilder().setAgentId("a-1").setHostname("h\u001b[31m"))).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(hello.apply(AgentHelloRequest.newBuilder().setAgentId("a-1").putLabels("bad key", "v"))).isEqualTo(Status.Code.INVALID_ARGUMENT);
        var manyLabels = AgentHelloRequest.newBuilder().setAgentId("a-1");
        IntStream.range(0, 65).forEach(i -> manyLabels.putLabels("k" + i, "v"));
        assertThat(hello.apply(manyLabels)).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(queryValue("SELECT count(*) FROM agents WHERE tenant_id = ?", tenant)).isEqualTo(0L);

        // the test gateway allows 20 agents per tenant
        for (int i = 0; i < 20; i++) {
            assertThat(hello.apply(AgentHelloRequest.newBuilder().setAgentId("a-" + i).putLabels("site", "hq").addCapabilities("icmp")))
                    .isEqualTo(Status.Code.OK);
        }
        assertThat(hello.apply(AgentHelloRequest.newBuilder().setAgentId("a-20"))).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(hello.apply(AgentHelloRequest.newBuilder().setAgentId("a-3").setVersion("2.0"))).isEqualTo(Status.Code.OK); // known
        assertThat(queryValue("SELECT count(*) FROM agents WHERE tenant_id = ?", tenant)).isEqualTo(20L);
        assertThat(queryValue("SELECT agents FROM tenant_agent_counts WHERE tenant_id = ?", tenant)).as("the count the bound reads").isEqualTo(20L);

        // an agent removed frees its place
        try (var db = jdbc(); var delete = db.prepareStatement("DELETE FROM agents WHERE tenant_id = ? AND agent_uid IN ('a-0', 'a-1')")) {
            delete.setObject(1, tenant);
            assertThat(delete.executeUpdate()).isEqualTo(2);
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
        assertThat(queryValue("SELECT agents FROM tenant_agent_counts WHERE tenant_id = ?", tenant)).isEqualTo(18L);
        assertThat(hello.apply(AgentHelloRequest.newBuilder().setAgentId("a-20"))).isEqualTo(Status.Code.OK);
        assertThat(queryValue("SELECT agents FROM tenant_agent_counts WHERE tenant_id = ?", tenant)).isEqualTo(19L);
    }

    @Test
    void helloRegistersTheAgentAndTellsWhetherItsConfigIsOutdated() {
        report(device("h1", "127.2.0.1"));
        var hello = GrpcClients.blocking(channel(), agentToken).hello(AgentHelloRequest.newBuilder().setAgentId("agent-x")
                .setVersion("2.1.0").setHostname("sweeper-1").addCapabilities("icmp").putLabels("site", "hq").build());
        assertThat(hello.getAccepted()).isTrue();
        assertThat(hello.getTenantId()).isEqualTo(tenant.toString());
        assertThat(hello.getConfigOutdated()).isTrue();
        assertThat(hello.getConfigPollIntervalSec()).isPositive();
        assertThat(hello.getServerTime()).isPositive();
        assertThat(queryValue("SELECT hostname FROM agents WHERE tenant_id = ? AND agent_uid = 'agent-x'", tenant)).isEqualTo("sweeper-1");

        String current = getConfig("agent-x", "").getConfigVersion();
        var again = GrpcClients.blocking(channel(), agentToken).hello(AgentHelloRequest.newBuilder().setAgentId("agent-x")
                .setConfigVersion(current).build());
        assertThat(again.getConfigOutdated()).isFalse();
        assertThat(codeOf(() -> GrpcClients.blocking(channel(), agentToken).hello(AgentHelloRequest.newBuilder().setAgentId("bad id").build())))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(codeOf(() -> GrpcClients.blocking(channel(), sync.credential()).hello(AgentHelloRequest.newBuilder().setAgentId("a").build())))
                .isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    @Test
    void aFullConfigThenNotModified() {
        report(device("f1", "127.2.1.1", 22), device("f2", "127.2.1.2"), device("f3", "127.2.1.3").setAgentUid("agent-y"));
        AgentConfigResponse full = getConfig("agent-x", "");
        assertThat(full.getNotModified()).isFalse();
        assertThat(full.getConfigVersion()).isNotEmpty().isEqualTo(full.getSweep().getConfigHash());
        assertThat(full.getSweep().getDeviceTargetsList()).extracting(DeviceTarget::getIp).containsExactly("127.2.1.1", "127.2.1.2");
        assertThat(full.getSweep().getDeviceTargetsList()).extracting(DeviceTarget::getPortsList)
                .containsExactly(List.of(22), List.of(8443));
        assertThat(full.getSweep().getNetworksList()).containsExactly("127.2.1.1/32", "127.2.1.2/32");
        assertThat(full.getSweep().getSweepModesList()).containsExactly("icmp", "tcp");
        assertThat(full.getSweep().getSweepIntervalSec()).isEqualTo(300);
        assertThat(full.getConfigTimestamp()).isPositive();

        AgentConfigResponse same = getConfig("agent-x", full.getConfigVersion());
        assertThat(same.getNotModified()).isTrue();
        assertThat(same.getConfigVersion()).isEqualTo(full.getConfigVersion());
        assertThat(same.hasSweep()).isFalse();
        assertThat(same.getConfigJson().isEmpty()).isTrue();
        assertThat(same.getConfigTimestamp()).isZero();

        assertThat(getConfig("agent-y", "").getSweep().getDeviceTargetsList()).extracting(DeviceTarget::getIp).containsExactly("127.2.1.3");
        AgentConfigResponse empty = getConfig("agent-without-devices", "");
        assertThat(empty.getSweep().getDeviceTargetsCount()).isZero();
        assertThat(empty.getSweep().getSweepModesList()).isNotEmpty();
    }

    @Test
    void anUnchangedAgentsConfigDoesNotTouchTheDatabase() {
        // the report's change has reached this gateway's cache before counting (the outbox feed reads every 200 ms)
        var heard = feed.changes().ofType(io.fleetgate.changes.Change.AgentsChanged.class)
                .filter(change -> change.agentUids().contains("agent-x")).next().toFuture();
        report(device("c1", "127.2.2.1"));
        eventually(heard::isDone, done -> done);
        String version = getConfig("agent-x", "").getConfigVersion();
        long before = CountingConnectionFactory.acquired();
        for (int i = 0; i < 200; i++) {
            assertThat(getConfig("agent-x", version).getNotModified()).isTrue();
        }
        for (int i = 0; i < 20; i++) {
            assertThat(getConfig("agent-x", "older-version").getSweep().getDeviceTargetsCount()).isEqualTo(1);
        }
        assertThat(CountingConnectionFactory.acquired()).isEqualTo(before);
    }

    /** Polls whose credential and config are in memory are answered there: they are refused as any other poll would be. */
    @Test
    void aPollAnsweredFromMemoryIsCheckedAndRefusedAsAnyOther() {
        report(device("m1", "127.2.9.1"));
        var issued = issueAgentToken(tenant);
        var agent = GrpcClients.blocking(channel(), (String) issued.get("token"));
        String version = agent.getConfig(AgentConfigRequest.newBuilder().setAgentId("agent-x").build()).getConfigVersion();
        AgentConfigRequest unchanged = AgentConfigRequest.newBuilder().setAgentId("agent-x").setConfigVersion(version).build();
        assertThat(agent.getConfig(unchanged).getNotModified()).isTrue(); // the credential and the config are in memory now

        assertThat(codeOf(() -> agent.getConfig(unchanged.toBuilder().setConfigVersion("v\u0000").build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(codeOf(() -> agent.getConfig(unchanged.toBuilder().setAgentId("agent x").build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
        var syncService = GrpcClients.blocking(channel(), sync.credential());
        assertThat(codeOf(() -> syncService.getConfig(unchanged))).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(codeOf(() -> syncService.getConfig(unchanged))).as("its credential is in memory now").isEqualTo(Status.Code.PERMISSION_DENIED);

        credentials.revoke(tenant, CredentialKind.AGENT_ENROLLMENT, UUID.fromString((String) issued.get("id"))).block(Duration.ofSeconds(10));
        assertThat(codeOf(() -> agent.getConfig(unchanged))).isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void aDeviceChangeReachesTheAgentsNextPoll() {
        report(device("i1", "127.2.3.1", 22));
        String v1 = getConfig("agent-x", "").getConfigVersion();
        report(device("i1", "127.2.3.1", 22, 3389));
        AgentConfigResponse changed = eventually(() -> getConfig("agent-x", v1), response -> !response.getNotModified());
        assertThat(changed.getSweep().getDeviceTargets(0).getPortsList()).containsExactly(22, 3389);
        // a replay changes nothing
        report(device("i1", "127.2.3.1", 22, 3389));
        assertThat(getConfig("agent-x", changed.getConfigVersion()).getNotModified()).isTrue();
    }

    @Test
    void aRefusedVersionIsNeverResentInFullButTheNextOneIs() {
        report(device("n1", "127.2.8.1", 22));
        String v1 = getConfig("agent-x", "").getConfigVersion();
        // the agent could not apply v1: it still has nothing applied, and says so on every poll
        AgentConfigRequest refusing = AgentConfigRequest.newBuilder().setAgentId("agent-x").setConfigVersion("")
                .setRejectedConfigVersion(v1).setRejectReason("port list too long for this agent").build();
        for (int poll = 0; poll < 3; poll++) {
            AgentConfigResponse answer = GrpcClients.blocking(channel(), agentToken).getConfig(refusing);
            assertThat(answer.getNotModified()).isTrue();
            assertThat(answer.getConfigVersion()).isEqualTo(v1);
        }
        report(device("n1", "127.2.8.1", 22, 80));
        AgentConfigResponse v2 = eventually(() -> GrpcClients.blocking(channel(), agentToken).getConfig(refusing),
                response -> !response.getNotModified());
        assertThat(v2.getConfigVersion()).isNotEqualTo(v1);
        assertThat(v2.getSweep().getDeviceTargets(0).getPortsList()).containsExactly(22, 80);
    }

    @Test
    void aRefusedVersionMustBeAVersionButItsReasonIsKeptAsSafeText() {
        var stub = GrpcClients.blocking(channel(), agentToken);
        assertThat(codeOf(() -> stub.getConfig(AgentConfigRequest.newBuilder().setAgentId("agent-x")
                .setRejectedConfigVersion("v\u0000").build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
        // a long or garbled reason does not cost the agent its poll: it is cut and cleaned instead
        assertThat(stub.getConfig(AgentConfigRequest.newBuilder().setAgentId("agent-x").setRejectedConfigVersion("v")
                .setRejectReason("bad\u0000" + "x".repeat(5000)).build()).getConfigVersion()).isNotEmpty();
    }

    @Test
    void aSecondGatewayOnTheSameDatabaseSeesTheChangeToo() {
        report(device("r1", "127.2.4.1", 22));
        try (ConfigurableApplicationContext replica = Gateways.start(databaseName(), Map.of(
                "fleetgate.platform.admin-password", ADMIN_PASSWORD, "fleetgate.platform.sync.token", PLATFORM_TOKEN))) {
            replica.getBean(GatewayStartup.class).ready().block(Duration.ofSeconds(60));
            ManagedChannel replicaChannel = GrpcClients.channel(replica.getBean(GrpcServer.class).port());
            try {
                Supplier<AgentConfigResponse> fromReplica = () -> GrpcClients.blocking(replicaChannel, agentToken)
                        .getConfig(AgentConfigRequest.newBuilder().setAgentId("agent-x").build());
                String v1 = fromReplica.get().getConfigVersion();
                assertThat(fromReplica.get().getConfigVersion()).isEqualTo(v1); // cached on the replica now
                report(device("r1", "127.2.4.1", 22, 5432)); // through the first gateway
                AgentConfigResponse changed = eventually(fromReplica, response -> !response.getConfigVersion().equals(v1));
                assertThat(changed.getSweep().getDeviceTargets(0).getPortsList()).containsExactly(22, 5432);
            } finally {
                replicaChannel.shutdownNow();
            }
        }
    }

    @Test
    void aReconnectingListenerDropsTheCacheInsteadOfServingStaleConfigs() throws Exception {
        report(device("l1", "127.2.5.1", 22));
        String v1 = getConfig("agent-x", "").getConfigVersion();
        java.util.concurrent.atomic.AtomicInteger resyncs = new java.util.concurrent.atomic.AtomicInteger();
        var subscription = feed.changes().ofType(io.fleetgate.changes.Change.Resync.class).subscribe(r -> resyncs.incrementAndGet());
        try (Connection c = TestDatabase.server().connect(databaseName())) {
            // the feed's connection (LISTEN, or reading the outbox) goes away; the device changes without a notification
            c.createStatement().execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '"
                    + ChangeFeed.APPLICATION_NAME + "' AND datname = current_database()");
            c.createStatement().execute("UPDATE discovered_devices SET ports = '{22,9100}' WHERE device_id = 'l1' AND tenant_id = '" + tenant + "'");
        }
        // the feed notices the loss (resync), reconnects (resync again) and is live
        eventually(() -> resyncs.get() >= 2 && feed.isLive(), back -> back);
        subscription.dispose();
        AgentConfigResponse after = getConfig("agent-x", v1);
        assertThat(after.getNotModified()).isFalse();
        assertThat(after.getSweep().getDeviceTargets(0).getPortsList()).containsExactly(22, 9100);
    }

    @Test
    void anAgentNeverSeesAnotherTenantsDevices() {
        report(device("t1", "127.2.6.1"));
        UUID other = createTenant("fleet-other");
        String otherToken = agentToken(other);
        AgentConfigResponse foreign = GrpcClients.blocking(channel(), otherToken)
                .getConfig(AgentConfigRequest.newBuilder().setAgentId("agent-x").build());
        assertThat(foreign.getSweep().getDeviceTargetsCount()).isZero();
    }

    @Test
    void getConfigIsMeasured() {
        report(device("m1", "127.2.7.1"));
        String version = getConfig("agent-x", "").getConfigVersion();
        getConfig("agent-x", version);
        String metrics = anonymous().get().uri("/actuator/prometheus").exchange().expectBody(String.class).returnResult().getResponseBody();
        assertThat(metrics).contains("fleetgate_getconfig_requests_seconds_count{application=\"fleetgate\",outcome=\"not_modified\"}")
                .contains("fleetgate_getconfig_requests_seconds_count{application=\"fleetgate\",outcome=\"full\"}")
                .contains("fleetgate_getconfig_cache_size").contains("fleetgate_getconfig_cache_hits_total")
                .contains("fleetgate_getconfig_cache_invalidations_total").contains("fleetgate_getconfig_configs_truncated_total");
    }

    /**
     * The first answer that is done, within a bound generous for a loaded machine: how fast a change
     * arrives is measured by load-tests/run fanout ("change:"), not asserted here.
     */
    private static <T> T eventually(Supplier<T> call, java.util.function.Predicate<T> done) {
        Duration limit = Duration.ofSeconds(30);
        long deadline = System.nanoTime() + limit.toNanos();
        T last;
        do {
            last = call.get();
            if (done.test(last)) {
                return last;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        } while (System.nanoTime() < deadline);
        throw new AssertionError("not within " + limit + ": " + last);
    }
}
