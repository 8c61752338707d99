package io.fleetgate.client.agent;

import static io.fleetgate.client.agent.ScriptedAgentGateway.full;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.client.GatewayAddress;
import io.fleetgate.proto.AgentConfigRequest;
import io.fleetgate.proto.AgentConfigResponse;
import io.fleetgate.proto.DeviceTarget;
import io.fleetgate.proto.SweepConfig;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The agent watches when the gateway offers WatchConfig: pushed configs are applied at once and
 * acknowledged with GetConfig; a broken watch is opened again with the version the agent holds.
 * The gateway here is scripted, so the test controls every message.
 */
class ConfigWatchTest {

    private static final SweepConfig ONE = SweepConfig.newBuilder().addNetworks("127.6.0.1/32").addSweepModes("tcp").addPorts(1)
            .addDeviceTargets(DeviceTarget.newBuilder().setIp("127.6.0.1").addPorts(1)).setSweepIntervalSec(3600).build();
    private static final SweepConfig TWO = ONE.toBuilder().addNetworks("127.6.0.2/32")
            .addDeviceTargets(DeviceTarget.newBuilder().setIp("127.6.0.2").addPorts(1)).build();

    private final BlockingQueue<AgentConfigRequest> watches = new LinkedBlockingQueue<>();
    private final BlockingQueue<AgentConfigRequest> polls = new LinkedBlockingQueue<>();
    private final BlockingQueue<StreamObserver<AgentConfigResponse>> open = new LinkedBlockingQueue<>();
    private Server gateway;

    @AfterEach
    void stop() {
        gateway.shutdownNow();
    }

    @Test
    void aPushedConfigIsAppliedAtOnceAndAcknowledgedWithGetConfig() throws Exception {
        gateway = scriptedGateway(true);
        try (AgentRunner agent = agent()) {
            agent.start();
            assertThat(next(watches).getConfigVersion()).as("the watch opens with what the agent holds: nothing").isEmpty();
            StreamObserver<AgentConfigResponse> watch = next(open);
            watch.onNext(full("v1", ONE));
            assertThat(next(polls).getConfigVersion()).as("the ACK").isEqualTo("v1");
            assertThat(agent.sweeps().current().targets()).hasSize(1);

            watch.onNext(AgentConfigResponse.newBuilder().setNotModified(true).setConfigVersion("v1").build());
            watch.onNext(full("v2", TWO));
            assertThat(next(polls).getConfigVersion()).isEqualTo("v2");
            assertThat(agent.version()).isEqualTo("v2");
            assertThat(agent.sweeps().current().targets()).hasSize(2);
            assertThat(polls).as("a keep-alive is not acknowledged").isEmpty();

            watch.onError(Status.UNAVAILABLE.withDescription("the gateway is shutting down").asRuntimeException());
            assertThat(next(watches).getConfigVersion()).as("re-opened with the version it holds").isEqualTo("v2");
        }
    }

    @Test
    void aGatewayWithoutWatchConfigIsPolled() throws Exception {
        gateway = scriptedGateway(false);
        try (AgentRunner agent = agent()) {
            agent.start();
            assertThat(next(polls).getAgentId()).isEqualTo("watching-agent");
            assertThat(next(polls).getConfigVersion()).as("and polled again").isEqualTo("v1");
            assertThat(watches).hasSize(1);
        }
    }

    private AgentRunner agent() {
        return new AgentRunner(new AgentRunner.Options(GatewayAddress.plaintext("127.0.0.1:" + gateway.getPort(), "fga_x"),
                "watching-agent", null, null, Duration.ofMillis(200), null), Clock.systemUTC());
    }

    private Server scriptedGateway(boolean watching) throws Exception {
        return new ScriptedAgentGateway() {
            @Override
            public void getConfig(AgentConfigRequest request, StreamObserver<AgentConfigResponse> response) {
                polls.add(request);
                response.onNext(watching || !request.getConfigVersion().isEmpty()
                        ? AgentConfigResponse.newBuilder().setNotModified(true).setConfigVersion(request.getConfigVersion()).build()
                        : full("v1", ONE));
                response.onCompleted();
            }

            @Override
            public void watchConfig(AgentConfigRequest request, StreamObserver<AgentConfigResponse> response) {
                watches.add(request);
                if (watching) {
                    open.add(response);
                } else {
                    response.onError(Status.UNIMPLEMENTED.asRuntimeException());
                }
            }
        }.start();
    }

    private static <T> T next(BlockingQueue<T> queue) throws InterruptedException {
        T item = queue.poll(30, TimeUnit.SECONDS);
        assertThat(item).as("within 30 s").isNotNull();
        return item;
    }
}
