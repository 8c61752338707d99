package io.fleetgate.client.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.client.GatewayAddress;
import io.fleetgate.proto.AgentConfigRequest;
import io.fleetgate.proto.AgentConfigResponse;
import io.fleetgate.proto.AgentGatewayServiceGrpc;
import io.fleetgate.proto.AgentHelloRequest;
import io.fleetgate.proto.AgentHelloResponse;
import io.fleetgate.proto.DeviceTarget;
import io.fleetgate.proto.SweepConfig;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The agent's ACK and NACK (what the gateway records and never resends, see GetConfigTest): a
 * config it cannot apply is refused, its last good one kept, and the refusal reported on every
 * poll until a newer version applies. The gateway here is scripted: a real one never hands out
 * an invalid config.
 */
class ConfigRefusalTest {

    private static final SweepConfig GOOD = SweepConfig.newBuilder().addNetworks("127.5.0.0/30").addSweepModes("tcp").addPorts(1)
            .addDeviceTargets(DeviceTarget.newBuilder().setIp("127.5.0.1").addPorts(1)).setSweepIntervalSec(3600).build();
    private static final SweepConfig BROKEN = GOOD.toBuilder().clearNetworks().addNetworks("127.5.0.0/99").build();

    private final List<AgentConfigRequest> polls = new CopyOnWriteArrayList<>();
    private final AtomicReference<AgentConfigResponse> next = new AtomicReference<>();

    @Test
    void aConfigThatCannotBeAppliedIsRefusedReportedOnEveryPollAndTheLastGoodOneKept() throws Exception {
        Server gateway = scriptedGateway();
        next.set(full("v1", GOOD));
        try (AgentRunner agent = new AgentRunner(new AgentRunner.Options(GatewayAddress.plaintext("127.0.0.1:" + gateway.getPort(), "fga_x"),
                "refusing-agent", null, null, Duration.ofMillis(200), null), Clock.systemUTC())) {
            agent.start();
            until(() -> agent.version().equals("v1"));

            next.set(full("v2", BROKEN));
            until(() -> agent.refusedVersion().equals("v2"));
            assertThat(agent.version()).as("the last good config stays").isEqualTo("v1");
            next.set(AgentConfigResponse.newBuilder().setNotModified(true).setConfigVersion("v2").build());
            int seen = polls.size();
            until(() -> polls.size() >= seen + 2);
            AgentConfigRequest reported = polls.get(polls.size() - 1);
            assertThat(reported.getConfigVersion()).isEqualTo("v1");
            assertThat(reported.getRejectedConfigVersion()).isEqualTo("v2");
            assertThat(reported.getRejectReason()).contains("/99");

            next.set(full("v3", GOOD));
            until(() -> agent.version().equals("v3"));
            int applied = polls.size();
            until(() -> polls.size() >= applied + 1);
            assertThat(polls.get(polls.size() - 1).getRejectedConfigVersion()).as("a newer version applied: nothing refused").isEmpty();
        } finally {
            gateway.shutdownNow();
        }
    }

    private static AgentConfigResponse full(String version, SweepConfig sweep) {
        return AgentConfigResponse.newBuilder().setConfigVersion(version).setSweep(sweep).setConfigPollIntervalSec(1).build();
    }

    private Server scriptedGateway() throws Exception {
        return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new AgentGatewayServiceGrpc.AgentGatewayServiceImplBase() {
                    @Override
                    public void hello(AgentHelloRequest request, StreamObserver<AgentHelloResponse> response) {
                        response.onNext(AgentHelloResponse.newBuilder().setAccepted(true).setAgentId(request.getAgentId())
                                .setConfigPollIntervalSec(1).setConfigOutdated(true).build());
                        response.onCompleted();
                    }

                    @Override
                    public void getConfig(AgentConfigRequest request, StreamObserver<AgentConfigResponse> response) {
                        polls.add(request);
                        response.onNext(next.get());
                        response.onCompleted();
                    }
                }).build().start();
    }

    private static void until(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s");
            }
            Thread.sleep(20);
        }
    }
}
