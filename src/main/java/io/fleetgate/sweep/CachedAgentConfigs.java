package io.fleetgate.sweep;

import io.fleetgate.changes.Change;
import io.fleetgate.changes.ChangeFeed;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Per-agent sweep configs, built once and kept until a change notification (from any replica)
 * says the agent's devices or its tenant's sources changed. An unchanged agent's config comes
 * from memory. Concurrent misses for one agent share one build. While the change feed is down
 * nothing is served from or stored in the cache, and every (re)connection drops it all, so a
 * missed notification can never leave a stale config behind.
 */
@Component
class CachedAgentConfigs implements AgentConfigCache {

    private static final Logger log = LoggerFactory.getLogger(CachedAgentConfigs.class);
    private static final int MAX_AGENTS = 200_000;

    private final SweepRepository repository;
    private final SweepDefaults defaults;
    private final ChangeFeed feed;
    private final Clock clock;
    private final SweepMetrics metrics;
    /** tenant → agent → config (or its build in progress). */
    private final Map<UUID, Map<String, Entry>> cache = new ConcurrentHashMap<>();
    private final Map<UUID, AtomicLong> generations = new ConcurrentHashMap<>();
    private final AtomicLong globalGeneration = new AtomicLong();

    private record Entry(Mono<AgentConfig> config) {
    }

    /** Changes seen so far: everything (resyncs) and the tenant's. */
    private record Stamp(long global, long tenant) {
    }

    CachedAgentConfigs(SweepRepository repository, SweepProperties properties, ChangeFeed feed, Clock clock, SweepMetrics metrics) {
        this.repository = repository;
        this.defaults = properties.defaults();
        this.feed = feed;
        this.clock = clock;
        this.metrics = metrics;
        metrics.size(this::size);
        feed.changes().subscribe(this::apply);
    }

    @Override
    public Mono<AgentConfig> current(UUID tenant, String agentUid) {
        if (!feed.isLive()) {
            return build(tenant, agentUid);
        }
        Map<String, Entry> agents = cache.computeIfAbsent(tenant, t -> new ConcurrentHashMap<>());
        Entry entry = agents.get(agentUid);
        if (entry != null) {
            metrics.hit();
            return entry.config();
        }
        Stamp seen = stamp(tenant);
        Entry created = new Entry(build(tenant, agentUid).cache(config -> Duration.ofMillis(Long.MAX_VALUE),
                error -> Duration.ZERO, () -> Duration.ZERO));
        Entry raced = agents.putIfAbsent(agentUid, created);
        if (raced != null) {
            metrics.hit();
            return raced.config();
        }
        metrics.miss();
        if (size() > MAX_AGENTS) {
            log.warn("More than {} agents' configs cached; dropping them all", MAX_AGENTS);
            cache.clear();
        }
        return created.config()
                // a change seen while building wins: the config may predate it
                .doOnSuccess(config -> {
                    if (!stamp(tenant).equals(seen)) {
                        agents.remove(agentUid, created);
                    }
                })
                .doOnError(error -> agents.remove(agentUid, created));
    }

    private Mono<AgentConfig> build(UUID tenant, String agentUid) {
        return repository.inputs(tenant, agentUid).map(inputs -> {
            SweepConfigBuilder.Built built = SweepConfigBuilder.build(inputs.devices(), inputs.sources(), defaults);
            metrics.built(built.truncated());
            if (built.truncated()) {
                log.warn("Sweep config of agent {} (tenant {}) cut to {} of {} targets (fleetgate.sweep.max-targets / max-config-size)",
                        agentUid, tenant, built.sweep().getDeviceTargetsCount(), built.targetsBeforeCut());
            }
            return new AgentConfig(built.version(), clock.instant(), built.sweep(), built.targetsBeforeCut());
        });
    }

    private void apply(Change change) {
        if (change instanceof Change.AgentsChanged agents) {
            generations.computeIfAbsent(agents.tenantId(), t -> new AtomicLong()).incrementAndGet();
            Map<String, Entry> cached = cache.get(agents.tenantId());
            if (cached != null) {
                int dropped = 0;
                for (String agent : agents.agentUids()) {
                    dropped += cached.remove(agent) == null ? 0 : 1;
                }
                metrics.invalidated(dropped);
            }
        } else if (change instanceof Change.TenantChanged tenant) {
            generations.computeIfAbsent(tenant.tenantId(), t -> new AtomicLong()).incrementAndGet();
            Map<String, Entry> dropped = cache.remove(tenant.tenantId());
            metrics.invalidated(dropped == null ? 0 : dropped.size());
        } else if (change instanceof Change.Resync) {
            globalGeneration.incrementAndGet();
            int dropped = size();
            cache.clear();
            metrics.invalidated(dropped);
        }
    }

    private Stamp stamp(UUID tenant) {
        AtomicLong tenantGeneration = generations.get(tenant);
        return new Stamp(globalGeneration.get(), tenantGeneration == null ? 0 : tenantGeneration.get());
    }

    private int size() {
        return cache.values().stream().mapToInt(Map::size).sum();
    }
}
