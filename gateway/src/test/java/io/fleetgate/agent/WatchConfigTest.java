package io.fleetgate.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.grpc.GrpcServer;
import io.fleetgate.platform.GatewayStartup;
import io.fleetgate.proto.AgentConfigRequest;
import io.fleetgate.proto.AgentConfigResponse;
import io.fleetgate.proto.DeviceTarget;
import io.fleetgate.proto.DiscoveredDevice;
import io.fleetgate.test.Await;
import io.fleetgate.test.GatewayTest;
import io.fleetgate.test.Gateways;
import io.fleetgate.test.GrpcClients;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/** WatchConfig over a real port: changes ingested through SyncDevices reach a watching agent without a poll. */
@Tag("change-feed")
class WatchConfigTest extends GatewayTest {

    private UUID tenant;
    private Onboarded sync;
    private UUID source;
    private String agentToken;
    private long seq;

    @BeforeEach
    void fleet() {
        tenant = createTenant("watchers");
        sync = onboardSyncService(tenant);
        source = createSource(tenant, sync.id(), Map.of("agent_uid", "agent-w", "default_ports", List.of(8443)));
        agentToken = agentToken(tenant);
    }

    @Test
    void theFirstMessageIsGetConfigsAnswerAndAChangeIsPushedWithoutAPoll() throws Exception {
        report(device("w1", "127.3.1.1", 22));
        Watch watch = watch(channel(), "agent-w", "");
        try {
            AgentConfigResponse first = watch.next();
            assertThat(first.getNotModified()).isFalse();
            assertThat(first.getSweep().getDeviceTargetsList()).extracting(DeviceTarget::getIp).containsExactly("127.3.1.1");

            report(device("w1", "127.3.1.1", 22, 5432));
            AgentConfigResponse pushed = watch.next();
            assertThat(pushed.getConfigVersion()).isNotEqualTo(first.getConfigVersion());
            assertThat(pushed.getSweep().getDeviceTargets(0).getPortsList()).containsExactly(22, 5432);

            // another agent's change pushes nothing here: the next message is this agent's next change
            report(device("other", "127.3.1.9", 22).setAgentUid("agent-elsewhere"));
            report(device("w1", "127.3.1.1", 22, 5432, 8080));
            AgentConfigResponse latest = watch.next();
            assertThat(latest.getSweep().getDeviceTargets(0).getPortsList()).containsExactly(22, 5432, 8080);

            // the agent acknowledges what it applied with GetConfig, which the gateway answers not_modified
            assertThat(GrpcClients.blocking(channel(), agentToken).getConfig(AgentConfigRequest.newBuilder().setAgentId("agent-w")
                    .setConfigVersion(latest.getConfigVersion()).build()).getNotModified()).isTrue();
        } finally {
            watch.close();
        }
    }

    @Test
    void aWatchOpenedWithTheCurrentOrARefusedVersionStartsNotModified() throws Exception {
        report(device("w2", "127.3.2.1", 22));
        String current = GrpcClients.blocking(channel(), agentToken).getConfig(AgentConfigRequest.newBuilder().setAgentId("agent-w").build())
                .getConfigVersion();
        Watch holding = watch(channel(), "agent-w", current);
        Watch refusing = new Watch(GrpcClients.reactor(channel(), agentToken).watchConfig(AgentConfigRequest.newBuilder().setAgentId("agent-w")
                .setConfigVersion("older").setRejectedConfigVersion(current).setRejectReason("too many targets").build()));
        try {
            assertThat(holding.next().getNotModified()).isTrue();
            assertThat(refusing.next().getNotModified()).as("a refused config is never resent").isTrue();
            report(device("w2", "127.3.2.1", 22, 80));
            assertThat(holding.next().getNotModified()).isFalse();
            assertThat(refusing.next().getNotModified()).as("the next version is sent").isFalse();
        } finally {
            holding.close();
            refusing.close();
        }
    }

    @Test
    void aChangeThroughOneReplicaReachesAWatchOnAnotherWhichEndsUnavailableWhenThatReplicaStops() throws Exception {
        report(device("w3", "127.3.3.1", 22));
        Watch watch;
        try (ConfigurableApplicationContext replica = Gateways.start(databaseName(), Map.of(
                "fleetgate.platform.admin-password", ADMIN_PASSWORD, "fleetgate.platform.sync.token", PLATFORM_TOKEN))) {
            replica.getBean(GatewayStartup.class).ready().block(Duration.ofSeconds(60));
            ManagedChannel replicaChannel = GrpcClients.channel(replica.getBean(GrpcServer.class).port());
            watch = watch(replicaChannel, "agent-w", "");
            String first = watch.next().getConfigVersion();
            report(device("w3", "127.3.3.1", 22, 443)); // through the first gateway
            AgentConfigResponse pushed = watch.next();
            assertThat(pushed.getConfigVersion()).isNotEqualTo(first);
            assertThat(pushed.getSweep().getDeviceTargets(0).getPortsList()).containsExactly(22, 443);
        }
        Await.until(Duration.ofSeconds(30), () -> watch.error.get() != null);
        assertThat(Status.fromThrowable(watch.error.get()).getCode()).as("a clean hand-off: the agent re-opens elsewhere").isEqualTo(Status.Code.UNAVAILABLE);
    }

    private Watch watch(ManagedChannel channel, String agent, String version) {
        return new Watch(GrpcClients.reactor(channel, agentToken).watchConfig(AgentConfigRequest.newBuilder().setAgentId(agent)
                .setConfigVersion(version).build()));
    }

    /** An open watch: what it received, and how it ended. */
    private static final class Watch implements AutoCloseable {
        final BlockingQueue<AgentConfigResponse> received = new LinkedBlockingQueue<>();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        final Disposable subscription;

        Watch(Flux<AgentConfigResponse> responses) {
            subscription = responses.subscribe(received::add, error::set);
        }

        /** The next message, within 30 s (a push comes in well under a second; the bound is the test's, not the target). */
        AgentConfigResponse next() throws InterruptedException {
            AgentConfigResponse response = received.poll(30, TimeUnit.SECONDS);
            assertThat(response).as("a message on the watch").isNotNull();
            return response;
        }

        @Override
        public void close() {
            subscription.dispose();
        }
    }

    private void report(DiscoveredDevice.Builder... devices) {
        syncBatch(sync, source, ++seq, devices);
    }

    private static DiscoveredDevice.Builder device(String id, String ip, Integer... ports) {
        return DiscoveredDevice.newBuilder().setDeviceId(id).addIpAddresses(ip).addAllPorts(List.of(ports));
    }
}
