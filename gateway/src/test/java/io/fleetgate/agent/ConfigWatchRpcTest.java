package io.fleetgate.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetgate.error.GatewayException;
import io.fleetgate.proto.AgentConfigRequest;
import io.fleetgate.proto.AgentConfigResponse;
import io.fleetgate.proto.SweepConfig;
import io.fleetgate.security.Caller;
import io.fleetgate.security.CredentialKind;
import io.fleetgate.sweep.AgentConfig;
import io.fleetgate.sweep.AgentConfigCache;
import io.fleetgate.sweep.SweepProperties;
import io.fleetgate.sweep.SweepSource;
import io.fleetgate.test.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;
import reactor.core.publisher.Mono;

/** WatchConfig's rules, the clock moved by the test: first answer, pushes, keep-alives, no resend of a refused version, bounds, shutdown. */
class ConfigWatchRpcTest {

    private static final Duration POLL = Duration.ofSeconds(30);
    private static final UUID TENANT = UUID.randomUUID();
    private static final Caller AGENT = new Caller(UUID.randomUUID(), CredentialKind.AGENT_ENROLLMENT, TENANT, null);

    private final MutableClock clock = new MutableClock();
    private final Configs configs = new Configs();
    private final AgentProperties properties = new AgentProperties(Duration.ofSeconds(30), POLL, 100, Duration.ofSeconds(5),
            Duration.ofSeconds(30), 3, 2, Duration.ofSeconds(5));
    private final PollRecorder polls = new PollRecorder(null, metrics(), properties, clock);
    private final ConfigWatchRpc rpc = new ConfigWatchRpc(configs, polls, answers(), properties, clock, metrics());

    @Test
    void theFirstAnswerIsGetConfigsThenOnlyANewVersionOrAKeepAliveEveryPollInterval() {
        configs.now.set(config("v1"));
        Stream stream = new Stream();
        rpc.open(AGENT, request("", ""), stream);
        assertThat(stream.sent).singleElement().satisfies(first -> assertThat(first.getNotModified()).isFalse());

        configs.push(config("v1"));
        clock.advance(POLL.minusSeconds(1));
        rpc.tick();
        assertThat(stream.sent).as("the same version again, and no keep-alive before the interval").hasSize(1);

        configs.push(config("v2"));
        assertThat(stream.last().getConfigVersion()).isEqualTo("v2");
        assertThat(stream.last().getNotModified()).isFalse();

        clock.advance(Duration.ofSeconds(1));
        rpc.tick();
        assertThat(stream.sent).hasSize(3);
        assertThat(stream.last().getNotModified()).as("a keep-alive").isTrue();
        assertThat(polls.pending()).as("the keep-alive kept what GetConfig said the agent applied")
                .singleElement().satisfies(poll -> assertThat(poll.versionsKnown()).isTrue());
    }

    @Test
    void anAgentHoldingOrRefusingTheDesiredVersionHearsNotModifiedAndNeverTheRefusedConfig() {
        configs.now.set(config("v1"));
        Stream refusing = new Stream();
        rpc.open(AGENT, request("v0", "v1"), refusing);
        configs.push(config("v1"));
        assertThat(refusing.sent).singleElement().satisfies(first -> assertThat(first.getNotModified()).isTrue());
        Stream holding = new Stream();
        rpc.open(AGENT, request("v1", ""), holding);
        assertThat(holding.sent).singleElement().satisfies(first -> assertThat(first.getNotModified()).isTrue());
        configs.push(config("v2"));
        assertThat(refusing.last().getConfigVersion()).as("the next version is sent").isEqualTo("v2");
        assertThat(holding.last().getNotModified()).isFalse();
    }

    @Test
    void aKeepAliveRereadsTheConfigSoAMissedPushIsDeliveredByTheNextTick() {
        configs.now.set(config("v1"));
        Stream stream = new Stream();
        rpc.open(AGENT, request("v1", ""), stream);
        configs.now.set(config("v2")); // changed, but no push (the feed was down)
        clock.advance(POLL);
        rpc.tick();
        assertThat(stream.last().getConfigVersion()).isEqualTo("v2");
        assertThat(stream.last().getNotModified()).isFalse();
    }

    @Test
    void aKeepAliveAsksForTheConfigInTurnNotAsACallerWaitingForIt() {
        configs.now.set(config("v1"));
        rpc.open(AGENT, request("v1", ""), new Stream());
        assertThat(configs.inTurn).as("the first answer: the agent waits for it").hasValue(0);
        clock.advance(POLL);
        rpc.tick();
        assertThat(configs.inTurn).as("a keep-alive must not move a storm's queued rebuild ahead of the polls").hasValue(1);
    }

    @Test
    void aStreamTheTransportCannotTakeGetsNoKeepAlive() {
        configs.now.set(config("v1"));
        Stream stream = new Stream();
        rpc.open(AGENT, request("v1", ""), stream);
        stream.ready.set(false);
        clock.advance(POLL);
        rpc.tick();
        assertThat(stream.sent).hasSize(1);
    }

    @Test
    void watchesAreBoundedPerTenantAndInAllAndAClosedOneFreesItsSlotAndItsListener() {
        configs.now.set(config("v1"));
        ConfigWatchRpc.Handle first = rpc.open(AGENT, request("v1", ""), new Stream());
        rpc.open(AGENT, request("v1", ""), new Stream());
        assertThatThrownBy(() -> rpc.open(AGENT, request("v1", ""), new Stream()))
                .isInstanceOf(GatewayException.class).hasMessageContaining("FLEETGATE_MAX_WATCHES_PER_TENANT");
        rpc.open(otherTenant(), request("v1", ""), new Stream());
        assertThatThrownBy(() -> rpc.open(otherTenant(), request("v1", ""), new Stream())).hasMessageContaining("FLEETGATE_MAX_WATCHES allows");
        assertThat(configs.listeners).hasSize(3);
        first.close();
        first.close();
        assertThat(configs.listeners).hasSize(2);
        assertThat(rpc.openWatches()).isEqualTo(2);
        rpc.open(AGENT, request("v1", ""), new Stream());
    }

    @Test
    void onShutdownEveryWatchEndsUnavailableAndNoneOpens() {
        configs.now.set(config("v1"));
        Stream stream = new Stream();
        rpc.open(AGENT, request("v1", ""), stream);
        rpc.drain();
        assertThat(((GatewayException) stream.ended.get()).reason()).isEqualTo(GatewayException.Reason.UNAVAILABLE);
        assertThat(rpc.openWatches()).isZero();
        assertThat(configs.listeners).isEmpty();
        assertThatThrownBy(() -> rpc.open(AGENT, request("v1", ""), new Stream())).hasMessageContaining("shutting down");
    }

    @Test
    void onlyAgentsWatchAndTheAgentIdIsChecked() {
        Caller sync = new Caller(UUID.randomUUID(), CredentialKind.SYNC_SERVICE, TENANT, UUID.randomUUID());
        assertThatThrownBy(() -> rpc.open(sync, request("", ""), new Stream())).satisfies(error ->
                assertThat(((GatewayException) error).reason()).isEqualTo(GatewayException.Reason.PERMISSION_DENIED));
        assertThatThrownBy(() -> rpc.open(AGENT, AgentConfigRequest.newBuilder().setAgentId(" ").build(), new Stream())).satisfies(error ->
                assertThat(((GatewayException) error).reason()).isEqualTo(GatewayException.Reason.INVALID_ARGUMENT));
        assertThat(rpc.openWatches()).isZero();
    }

    private static Caller otherTenant() {
        return new Caller(UUID.randomUUID(), CredentialKind.AGENT_ENROLLMENT, UUID.randomUUID(), null);
    }

    private static AgentConfigRequest request(String applied, String rejected) {
        return AgentConfigRequest.newBuilder().setAgentId("agent-1").setConfigVersion(applied).setRejectedConfigVersion(rejected)
                .setRejectReason(rejected.isEmpty() ? "" : "too many targets").build();
    }

    private static AgentConfig config(String version) {
        return AgentConfig.of(version, Instant.EPOCH, SweepConfig.newBuilder().addNetworks("127.0.0.1/32").build(), 1);
    }

    private static AgentMetrics metrics() {
        return new AgentMetrics(null, new AgentProperties(Duration.ofSeconds(30), POLL, 100, Duration.ofSeconds(5), Duration.ofSeconds(30), 3, 2, Duration.ofSeconds(5)),
                Clock.systemUTC(), new SimpleMeterRegistry());
    }

    private ConfigAnswers answers() {
        SweepProperties sweep = new SweepProperties(SweepSource.GETCONFIG, List.of("icmp"), Duration.ofMinutes(5), List.of(), 1,
                Duration.ofSeconds(1), 10, DataSize.ofMegabytes(1), 10, 10, DataSize.ofMegabytes(1), 1);
        return new ConfigAnswers(properties, sweep, new SimpleMeterRegistry());
    }

    /** What the transport received. */
    private static final class Stream implements ConfigWatchRpc.Outbound {
        final List<AgentConfigResponse> sent = new ArrayList<>();
        final AtomicReference<Throwable> ended = new AtomicReference<>();
        final AtomicBoolean ready = new AtomicBoolean(true);

        @Override
        public boolean ready() {
            return ready.get();
        }

        @Override
        public void send(AgentConfigResponse response) {
            sent.add(response);
        }

        @Override
        public void end(Throwable error) {
            ended.set(error);
        }

        AgentConfigResponse last() {
            return sent.get(sent.size() - 1);
        }
    }

    /** The cache as a watch sees it: what {@code current} answers now, and pushes the test makes. */
    private static final class Configs implements AgentConfigCache {

        final AtomicReference<AgentConfig> now = new AtomicReference<>();
        /** Configs asked for in turn, as work nobody waits on. */
        final AtomicInteger inTurn = new AtomicInteger();
        final List<Consumer<AgentConfig>> listeners = new CopyOnWriteArrayList<>();

        @Override
        public Mono<AgentConfig> current(UUID tenant, String agentUid) {
            return Mono.fromSupplier(now::get);
        }

        @Override
        public Mono<AgentConfig> currentInTurn(UUID tenant, String agentUid) {
            inTurn.incrementAndGet();
            return Mono.fromSupplier(now::get);
        }

        @Override
        public AgentConfig cached(UUID tenant, String agentUid) {
            return now.get();
        }

        @Override
        public Registration watch(UUID tenant, String agentUid, Consumer<AgentConfig> listener) {
            listeners.add(listener);
            return () -> listeners.remove(listener);
        }

        void push(AgentConfig config) {
            now.set(config);
            listeners.forEach(listener -> listener.accept(config));
        }
    }
}
