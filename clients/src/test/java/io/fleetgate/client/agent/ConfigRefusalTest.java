package io.fleetgate.client.agent;

import static io.fleetgate.client.agent.ScriptedAgentGateway.full;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.client.GatewayAddress;
import io.fleetgate.proto.AgentConfigRequest;
import io.fleetgate.proto.AgentConfigResponse;
import io.fleetgate.proto.DeviceTarget;
import io.fleetgate.proto.SweepConfig;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
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

    private static final SweepConfig UNKNOWN_MODE = GOOD.toBuilder().clearSweepModes().addSweepModes("arp").build();
    private static final SweepConfig TOO_MANY = GOOD.toBuilder()
            .addDeviceTargets(DeviceTarget.newBuilder().setIp("127.5.0.2").addPorts(1))
            .addDeviceTargets(DeviceTarget.newBuilder().setIp("127.5.0.3").addPorts(1)).build();

    private final BlockingQueue<AgentConfigRequest> polls = new LinkedBlockingQueue<>();
    private final AtomicReference<AgentConfigResponse> next = new AtomicReference<>();

    @Test
    void aConfigThatCannotBeAppliedIsRefusedReportedOnEveryPollAndTheLastGoodOneKept() throws Exception {
        Server gateway = scriptedGateway();
        next.set(full("v1", GOOD));
        try (AgentRunner agent = new AgentRunner(new AgentRunner.Options(GatewayAddress.plaintext("127.0.0.1:" + gateway.getPort(), "fga_x"),
                "refusing-agent", null, null, Duration.ofMillis(200), null), Clock.systemUTC())) {
            agent.start();
            nextPoll(poll -> poll.getConfigVersion().equals("v1"));

            next.set(full("v2", BROKEN));
            AgentConfigRequest reported = nextPoll(poll -> poll.getRejectedConfigVersion().equals("v2"));
            assertThat(agent.refusedVersion()).isEqualTo("v2");
            assertThat(agent.version()).as("the last good config stays").isEqualTo("v1");
            assertThat(reported.getConfigVersion()).isEqualTo("v1");
            assertThat(reported.getRejectReason()).contains("/99");
            next.set(AgentConfigResponse.newBuilder().setNotModified(true).setConfigVersion("v2").build());
            assertThat(nextPoll(poll -> true).getRejectedConfigVersion()).as("reported on every poll").isEqualTo("v2");

            next.set(full("v3", GOOD));
            AgentConfigRequest applied = nextPoll(poll -> poll.getConfigVersion().equals("v3"));
            assertThat(applied.getRejectedConfigVersion()).as("a newer version applied: nothing refused").isEmpty();
            assertThat(agent.version()).isEqualTo("v3");
        } finally {
            gateway.shutdownNow();
        }
    }

    @Test
    void aConfigBeyondWhatTheAgentCanSweepIsRefusedWithItsReason() throws Exception {
        Server gateway = scriptedGateway();
        next.set(full("v1", GOOD));
        try (AgentRunner agent = new AgentRunner(new AgentRunner.Options(GatewayAddress.plaintext("127.0.0.1:" + gateway.getPort(), "fga_x"),
                "limited-agent", null, null, Duration.ofMillis(200), null, 2, true), Clock.systemUTC())) {
            agent.start();
            nextPoll(poll -> poll.getConfigVersion().equals("v1"));

            next.set(full("v2", TOO_MANY));
            AgentConfigRequest tooMany = nextPoll(poll -> poll.getRejectedConfigVersion().equals("v2"));
            assertThat(tooMany.getRejectReason()).isEqualTo("3 targets, more than this agent's --max-targets 2");
            assertThat(tooMany.getConfigVersion()).isEqualTo("v1");
            assertThat(agent.sweeps().current().targets()).as("the last good config is swept").hasSize(1);

            next.set(full("v3", UNKNOWN_MODE));
            AgentConfigRequest unknown = nextPoll(poll -> poll.getRejectedConfigVersion().equals("v3"));
            assertThat(unknown.getRejectReason()).startsWith("unknown sweep mode 'arp'");

            next.set(full("v4", GOOD.toBuilder().setDeviceTargets(0, GOOD.getDeviceTargets(0).toBuilder().addSweepModes("snmp")).build()));
            assertThat(nextPoll(poll -> poll.getRejectedConfigVersion().equals("v4")).getRejectReason()).as("a target's own mode")
                    .startsWith("unknown sweep mode 'snmp'");
            assertThat(agent.version()).isEqualTo("v1");
        } finally {
            gateway.shutdownNow();
        }
    }

    private Server scriptedGateway() throws Exception {
        return new ScriptedAgentGateway() {
            @Override
            public void getConfig(AgentConfigRequest request, StreamObserver<AgentConfigResponse> response) {
                polls.add(request);
                response.onNext(next.get());
                response.onCompleted();
            }
        }.start();
    }

    /** The next poll the gateway receives that matches, within 30 s. */
    private AgentConfigRequest nextPoll(Predicate<AgentConfigRequest> matching) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (long left; (left = deadline - System.nanoTime()) > 0; ) {
            AgentConfigRequest poll = polls.poll(left, TimeUnit.NANOSECONDS);
            if (poll != null && matching.test(poll)) {
                return poll;
            }
        }
        throw new AssertionError("no matching poll within 30 s");
    }
}
