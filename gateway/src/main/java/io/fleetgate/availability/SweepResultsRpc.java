package io.fleetgate.availability;

import io.fleetgate.concurrency.Slots;
import io.fleetgate.error.GatewayException;
import io.fleetgate.proto.SweepResultsAck;
import io.fleetgate.proto.SweepResultsBatch;
import io.fleetgate.security.AgentIds;
import io.fleetgate.security.Caller;
import io.fleetgate.security.CredentialService;
import io.fleetgate.sweep.AgentConfig;
import io.fleetgate.sweep.AgentConfigCache;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * ReportSweepResults: one request is one batch of an agent's results, one ack per batch, in
 * order, sent only after the batch committed; the next batch is pulled only when the previous one
 * is done, so a flooding agent is held back by gRPC flow control. Only an agent's credential may
 * report, only for its own tenant, one stream per agent, and only the targets of the config the
 * gateway hands the agent now; a bad host is rejected in the ack and the rest of the batch kept.
 */
@Component
public class SweepResultsRpc {

    private static final String OPERATION = "ReportSweepResults";

    private final ResultsService results;
    private final AgentConfigCache configs;
    private final CredentialService credentials;
    private final ResultsProperties properties;
    private final AvailabilityMetrics metrics;
    private final Slots<UUID> streams;
    /** Agents with a stream open: an agent's results are one ordered stream; a second one is a client that lost track of its first. */
    private final Set<StreamingAgent> streaming = ConcurrentHashMap.newKeySet();
    private final Clock clock;

    SweepResultsRpc(ResultsService results, AgentConfigCache configs, CredentialService credentials, ResultsProperties properties,
                    AvailabilityMetrics metrics, Clock clock) {
        this.results = results;
        this.configs = configs;
        this.credentials = credentials;
        this.properties = properties;
        this.metrics = metrics;
        this.clock = clock;
        this.streams = new Slots<>(properties.maxStreams(), properties.maxStreamsPerTenant());
        metrics.streams(streams);
        metrics.waiting(results);
    }

    public Flux<SweepResultsAck> report(Caller caller, Flux<SweepResultsBatch> batches) {
        return Flux.defer(() -> {
            caller.requireAgent(OPERATION);
            UUID tenant = caller.tenantId();
            Slots.Full full = streams.tryOpen(tenant);
            if (full != null) {
                return Flux.error(GatewayException.exhausted(full == Slots.Full.KEY
                        ? "the tenant has " + properties.maxStreamsPerTenant() + " results streams open (FLEETGATE_RESULTS_MAX_STREAMS_PER_TENANT); retry later"
                        : "too many results streams at once (" + properties.maxStreams() + ", FLEETGATE_RESULTS_MAX_STREAMS); retry later"));
            }
            Stream stream = new Stream(tenant);
            CredentialService.CredentialCheck credential = credentials.checkOf(caller);
            Duration idle = properties.idleTimeout();
            // prefetch 0: the next batch is pulled only once this one has committed
            return batches.timeout(idle, Flux.error(() -> GatewayException.unavailable("no batch for " + idle
                            + " (FLEETGATE_RESULTS_IDLE_TIMEOUT): stream closed; open a new one to send more")))
                    .concatMap(batch -> credential.verify().then(stream.batch(batch)), 0)
                    .doFinally(signal -> {
                        streams.close(tenant);
                        if (stream.agent != null) {
                            streaming.remove(new StreamingAgent(tenant, stream.agent));
                        }
                    });
        });
    }

    private record StreamingAgent(UUID tenant, String agent) {
    }

    /** One stream: its agent (named by its first batch), its last batch number, the targets of the config last checked against. */
    private final class Stream {
        private final UUID tenant;
        private @Nullable String agent;
        private @Nullable Long lastSeq;
        private @Nullable AgentConfig checkedAgainst;
        private Set<String> targets = Set.of();

        Stream(UUID tenant) {
            this.tenant = tenant;
        }

        Mono<SweepResultsAck> batch(SweepResultsBatch batch) {
            return Mono.defer(() -> {
                if (lastSeq != null && Long.compareUnsigned(batch.getBatchSeq(), lastSeq) <= 0) {
                    throw GatewayException.invalid("batch_seq", "must increase within a stream (" + Long.toUnsignedString(batch.getBatchSeq())
                            + " after " + Long.toUnsignedString(lastSeq) + ")");
                }
                lastSeq = batch.getBatchSeq();
                bind(batch.getAgentId());
                String version = batch.getConfigVersion().isEmpty() ? null : io.fleetgate.error.PlainText.check("config_version",
                        batch.getConfigVersion(), 128);
                long started = System.nanoTime();
                String agentId = agent;
                return configs.current(tenant, agentId).flatMap(config -> {
                    HostResults.Outcome outcome = HostResults.check(batch, targetsOf(config), clock.instant(), properties.limits());
                    Duration bound = properties.batchTimeout();
                    return results.store(new ResultsService.Batch(tenant, agentId, version, batch.getSweepComplete(), outcome))
                            // a database that stopped answering cannot fire its statement_timeout
                            .timeout(bound, Mono.error(() -> GatewayException.unavailable("batch " + Long.toUnsignedString(batch.getBatchSeq())
                                    + " not stored within " + bound.toSeconds() + " s (FLEETGATE_RESULTS_BATCH_TIMEOUT); resend it (a replay changes nothing)")))
                            .map(stored -> {
                                metrics.committed(stored, outcome.rejections().size(), Duration.ofNanos(System.nanoTime() - started));
                                return SweepResultsAck.newBuilder()
                                        .setBatchSeq(batch.getBatchSeq())
                                        .setHostsAccepted(batch.getHostsCount() - outcome.rejections().size())
                                        .setHostsRejected(outcome.rejections().size())
                                        .addAllRejections(outcome.rejections())
                                        .build();
                            });
                });
            });
        }

        /** The stream's agent: named by its first batch, the same in every later one, one stream per agent. */
        private void bind(String agentId) {
            if (agent != null) {
                if (!agent.equals(agentId)) {
                    throw GatewayException.invalid("agent_id", "one stream carries one agent's results (" + agent + ", not " + agentId + ")");
                }
                return;
            }
            if (!AgentIds.isValid(agentId)) {
                throw GatewayException.invalid("agent_id", "1 to 200 of A-Z a-z 0-9 . _ : @ / -");
            }
            if (!streaming.add(new StreamingAgent(tenant, agentId))) {
                throw GatewayException.exhausted("agent " + agentId + " has a results stream open already; send on that one, or retry later");
            }
            agent = agentId;
        }

        /** The config's target IPs, built once per config the stream checks against. */
        private Set<String> targetsOf(AgentConfig config) {
            if (config != checkedAgainst) {
                Set<String> ips = new HashSet<>(config.targets() * 2);
                config.sweep().getDeviceTargetsList().forEach(target -> ips.add(target.getIp()));
                targets = ips;
                checkedAgainst = config;
            }
            return targets;
        }
    }
}
