package io.fleetgate.agent;

import io.fleetgate.concurrency.PeriodicTask;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The fleet in metrics, labelled by tenant slug and never by agent: {@code fleetgate_agents} by
 * liveness and config status (counted in the database every FLEETGATE_AGENT_METRICS_INTERVAL, so
 * every replica reports the whole fleet), and refusals of a new version as they are written.
 */
@Component
class AgentMetrics extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(AgentMetrics.class);

    record Count(String tenant, AgentStatus.Liveness liveness, AgentStatus.ConfigStatus configStatus, long agents) {
    }

    private final AgentRepository repository;
    private final AgentProperties properties;
    private final Clock clock;
    private final MeterRegistry registry;
    private final MultiGauge agents;
    private final Timer flushes;
    private final Counter pollsWritten;
    private final Counter pollsRepeated;
    private final AtomicBoolean failing = new AtomicBoolean();

    AgentMetrics(AgentRepository repository, AgentProperties properties, Clock clock, MeterRegistry registry) {
        super("Counting the fleet for the metrics", Duration.ZERO, properties.metricsInterval());
        this.repository = repository;
        this.properties = properties;
        this.clock = clock;
        this.registry = registry;
        this.agents = MultiGauge.builder("fleetgate.agents").description("agents, by tenant, liveness and config status").register(registry);
        this.flushes = Timer.builder("fleetgate.agent.poll.flushes").description("statements that wrote the polls seen to the agents table")
                .register(registry);
        this.pollsWritten = Counter.builder("fleetgate.agent.polls.written").description("agent polls handed to the database by the flushes")
                .register(registry);
        this.pollsRepeated = Counter.builder("fleetgate.agent.polls.repeated")
                .description("agent polls not written: nothing new since the one written less than half a poll interval before")
                .register(registry);
    }

    void watches(IntSupplier open) {
        Gauge.builder("fleetgate.watchconfig.open", open::getAsInt)
                .description("WatchConfig streams open on this replica (at most FLEETGATE_MAX_WATCHES)").register(registry);
    }

    /** Counts the fleet now and publishes it; a tenant with agents shows every liveness and status, zeros included. */
    Mono<Void> refresh() {
        return repository.countsByTenant(clock.instant(), properties.configPollInterval()).collectList()
                .doOnNext(this::publish)
                .doOnSuccess(counts -> {
                    if (failing.compareAndSet(true, false)) {
                        log.info("Agent metrics are counted again");
                    }
                })
                .onErrorResume(error -> {
                    if (failing.compareAndSet(false, true)) {
                        log.warn("Could not count agents for the metrics, keeping the last counts: {}", error.toString());
                    }
                    return Mono.empty();
                })
                .then();
    }

    private void publish(List<Count> counts) {
        // the database's rows, then a zero for every combination a tenant with agents lacks
        Map<Tags, Long> byTags = new LinkedHashMap<>();
        counts.forEach(count -> byTags.put(tags(count.tenant(), count.liveness(), count.configStatus()), count.agents()));
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (String tenant : counts.stream().map(Count::tenant).distinct().toList()) {
            for (AgentStatus.Liveness liveness : AgentStatus.Liveness.values()) {
                for (AgentStatus.ConfigStatus status : AgentStatus.ConfigStatus.values()) {
                    Tags tags = tags(tenant, liveness, status);
                    rows.add(MultiGauge.Row.of(tags, byTags.getOrDefault(tags, 0L)));
                }
            }
        }
        agents.register(rows, true);
    }

    private static Tags tags(String tenant, AgentStatus.Liveness liveness, AgentStatus.ConfigStatus status) {
        return Tags.of("tenant", tenant, "liveness", liveness.wireName(), "config_status", status.wireName());
    }

    /** One flush's statement: how many polls it carried, how long it took. */
    void flushed(int polls, Duration took) {
        flushes.record(took);
        pollsWritten.increment(polls);
    }

    void repeated(int polls) {
        pollsRepeated.increment(polls);
    }

    /** Refusals the latest flush wrote, by tenant slug. */
    void refused(Map<String, Long> byTenant) {
        byTenant.forEach((tenant, refusals) -> Counter.builder("fleetgate.agent.config.rejections")
                .description("agents refusing a config version they had not refused before, by tenant")
                .tag("tenant", tenant).register(registry).increment(refusals));
    }

    @Override
    protected Mono<?> round() {
        return refresh();
    }
}
