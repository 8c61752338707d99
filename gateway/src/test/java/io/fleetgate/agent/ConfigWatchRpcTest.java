package io.fleetgate.agent;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/** WatchConfig's rules with virtual time: first answer, pushes, keep-alives, no resend of a refused version, bounds, shutdown. */
class ConfigWatchRpcTest {

    private static final Duration POLL = Duration.ofSeconds(30);
    private static final UUID TENANT = UUID.randomUUID();
    private static final Caller AGENT = new Caller(UUID.randomUUID(), CredentialKind.AGENT_ENROLLMENT, TENANT, null);

    private final Configs configs = new Configs();
    private final AgentProperties properties = new AgentProperties(Duration.ofSeconds(30), POLL, 100, Duration.ofSeconds(5),
            Duration.ofSeconds(30), 3, 2);
    private final PollRecorder polls = new PollRecorder(null, metrics(), properties);
    private final ConfigWatchRpc rpc = new ConfigWatchRpc(configs, polls, answers(), properties, Clock.systemUTC(), metrics());

    @Test
    void theFirstAnswerIsGetConfigsThenOnlyANewVersionOrAKeepAliveEveryPollInterval() {
        configs.now.set(config("v1"));
        StepVerifier.withVirtualTime(() -> rpc.watch(AGENT, request("", "")))
                .assertNext(first -> assertThat(first.getNotModified()).isFalse())
                .then(() -> configs.push(config("v1")))
                .expectNoEvent(POLL.minusSeconds(1))
                .then(() -> configs.push(config("v2")))
                .assertNext(pushed -> assertThat(pushed.getConfigVersion()).isEqualTo("v2"))
                .thenAwait(Duration.ofSeconds(1))
                .assertNext(keepAlive -> assertThat(keepAlive.getNotModified()).as("a keep-alive").isTrue())
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        assertThat(polls.pending()).as("the keep-alive kept what GetConfig said the agent applied")
                .singleElement().satisfies(poll -> assertThat(poll.versionsKnown()).isTrue());
    }

    @Test
    void anAgentHoldingOrRefusingTheDesiredVersionHearsNotModifiedAndNeverTheRefusedConfig() {
        configs.now.set(config("v1"));
        StepVerifier.withVirtualTime(() -> rpc.watch(AGENT, request("v0", "v1")))
                .assertNext(first -> assertThat(first.getNotModified()).isTrue())
                .then(() -> configs.push(config("v1")))
                .expectNoEvent(POLL.minusSeconds(1))
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        StepVerifier.withVirtualTime(() -> rpc.watch(AGENT, request("v1", "")))
                .assertNext(first -> assertThat(first.getNotModified()).isTrue())
                .thenCancel()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void aKeepAliveRereadsTheConfigSoAMissedPushIsDeliveredByTheNextTick() {
        configs.now.set(config("v1"));
        StepVerifier.withVirtualTime(() -> rpc.watch(AGENT, request("v1", "")))
                .assertNext(first -> assertThat(first.getNotModified()).isTrue())
                .then(() -> configs.now.set(config("v2"))) // changed, but no push (the feed was down)
                .thenAwait(POLL)
                .assertNext(tick -> assertThat(tick.getConfigVersion()).isEqualTo("v2"))
                .thenCancel()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void watchesAreBoundedPerTenantAndInAll() {
        configs.now.set(config("v1"));
        var first = rpc.watch(AGENT, request("v1", "")).subscribe();
        var second = rpc.watch(AGENT, request("v1", "")).subscribe();
        StepVerifier.create(rpc.watch(AGENT, request("v1", "")))
                .verifyErrorSatisfies(error -> assertThat(error).isInstanceOf(GatewayException.class)
                        .hasMessageContaining("FLEETGATE_MAX_WATCHES_PER_TENANT"));
        Caller other = new Caller(UUID.randomUUID(), CredentialKind.AGENT_ENROLLMENT, UUID.randomUUID(), null);
        var third = rpc.watch(other, request("v1", "")).subscribe();
        StepVerifier.create(rpc.watch(new Caller(UUID.randomUUID(), CredentialKind.AGENT_ENROLLMENT, UUID.randomUUID(), null), request("v1", "")))
                .verifyErrorSatisfies(error -> assertThat(error).hasMessageContaining("FLEETGATE_MAX_WATCHES allows"));
        first.dispose();
        StepVerifier.create(rpc.watch(AGENT, request("v1", "")).take(1)).expectNextCount(1).verifyComplete();
        second.dispose();
        third.dispose();
    }

    @Test
    void onShutdownEveryWatchEndsUnavailableAndNoneOpens() {
        configs.now.set(config("v1"));
        StepVerifier.create(rpc.watch(AGENT, request("v1", "")))
                .expectNextCount(1)
                .then(rpc::drain)
                .verifyErrorSatisfies(error -> assertThat(((GatewayException) error).reason()).isEqualTo(GatewayException.Reason.UNAVAILABLE));
        StepVerifier.create(rpc.watch(AGENT, request("v1", ""))).expectNextCount(1)
                .verifyErrorSatisfies(error -> assertThat(error).hasMessageContaining("shutting down"));
    }

    @Test
    void onlyAgentsWatchAndTheAgentIdIsChecked() {
        Caller sync = new Caller(UUID.randomUUID(), CredentialKind.SYNC_SERVICE, TENANT, UUID.randomUUID());
        StepVerifier.create(rpc.watch(sync, request("", ""))).verifyErrorSatisfies(error ->
                assertThat(((GatewayException) error).reason()).isEqualTo(GatewayException.Reason.PERMISSION_DENIED));
        StepVerifier.create(rpc.watch(AGENT, AgentConfigRequest.newBuilder().setAgentId(" ").build())).verifyErrorSatisfies(error ->
                assertThat(((GatewayException) error).reason()).isEqualTo(GatewayException.Reason.INVALID_ARGUMENT));
    }

    private static AgentConfigRequest request(String applied, String rejected) {
        return AgentConfigRequest.newBuilder().setAgentId("agent-1").setConfigVersion(applied).setRejectedConfigVersion(rejected)
                .setRejectReason(rejected.isEmpty() ? "" : "too many targets").build();
    }

    private static AgentConfig config(String version) {
        return AgentConfig.of(version, Instant.EPOCH, SweepConfig.newBuilder().addNetworks("127.0.0.1/32").build(), 1);
    }

    private static AgentMetrics metrics() {
        return new AgentMetrics(null, new AgentProperties(Duration.ofSeconds(30), POLL, 100, Duration.ofSeconds(5), Duration.ofSeconds(30), 3, 2),
                Clock.systemUTC(), new SimpleMeterRegistry());
    }

    private ConfigAnswers answers() {
        SweepProperties sweep = new SweepProperties(SweepSource.GETCONFIG, List.of("icmp"), Duration.ofMinutes(5), List.of(), 1,
                Duration.ofSeconds(1), 10, DataSize.ofMegabytes(1), 10, 10, DataSize.ofMegabytes(1), 1);
        return new ConfigAnswers(properties, sweep, new SimpleMeterRegistry());
    }

    /** The cache as the watch sees it: what {@code current} answers now, and pushes the test makes. */
    private static final class Configs implements AgentConfigCache {

        final AtomicReference<AgentConfig> now = new AtomicReference<>();
        private final Sinks.Many<AgentConfig> pushes = Sinks.many().multicast().directBestEffort();

        @Override
        public Mono<AgentConfig> current(UUID tenant, String agentUid) {
            return Mono.fromSupplier(now::get);
        }

        @Override
        public Flux<AgentConfig> watch(UUID tenant, String agentUid) {
            return current(tenant, agentUid).concatWith(pushes.asFlux());
        }

        void push(AgentConfig config) {
            now.set(config);
            pushes.tryEmitNext(config);
        }
    }
}
