package io.fleetgate.sweep;

import io.fleetgate.changes.Change;
import io.fleetgate.changes.Changes;
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
 * missed notification can never leave a stale config behind. The cache is bounded per tenant and
 * in all ({@link TenantLru}): one tenant's agents cannot evict another's configs.
 */
@Component
class CachedAgentConfigs implements AgentConfigCache {

    private static final Logger log = LoggerFactory.getLogger(CachedAgentConfigs.class);

    private final SweepInputs repository;
    private final SweepDefaults defaults;
    private final Changes feed;
    private final Clock clock;
    private final SweepMetrics metrics;
    /** tenant → agent → config (or its build in progress), bounded per tenant and in all. */
    private final TenantLru<Entry> cache;
    private final Map<UUID, AtomicLong> generations = new ConcurrentHashMap<>();
    private final AtomicLong globalGeneration = new AtomicLong();

    private record Entry(Mono<AgentConfig> config) {
    }

    /** Changes seen so far: everything (resyncs) and the tenant's. */
    private record Stamp(long global, long tenant) {
    }

    CachedAgentConfigs(SweepInputs repository, SweepProperties properties, Changes feed, Clock clock, SweepMetrics metrics) {
        this.repository = repository;
        this.defaults = properties.defaults();
        this.feed = feed;
        this.clock = clock;
        this.metrics = metrics;
        this.cache = new TenantLru<>(properties.configCacheMaxEntries(), properties.configCacheMaxEntriesPerTenant());
        metrics.cache(cache);
        feed.changes().subscribe(this::apply);
    }

    @Override
    public Mono<AgentConfig> current(UUID tenant, String agentUid) {
        if (!feed.isLive()) {
            return build(tenant, agentUid);
        }
        Entry entry = cache.get(tenant, agentUid);
        if (entry != null) {
            metrics.hit();
            return entry.config();
        }
        Stamp seen = stamp(tenant);
        Entry created = new Entry(build(tenant, agentUid).cache(config -> Duration.ofMillis(Long.MAX_VALUE),
                error -> Duration.ZERO, () -> Duration.ZERO));
        Entry raced = cache.putIfAbsent(tenant, agentUid, created);
        if (raced != null) {
            metrics.hit();
            return raced.config();
        }
        metrics.miss();
        return created.config()
                // a change seen while building wins: the config may predate it
                .doOnSuccess(config -> {
                    if (!stamp(tenant).equals(seen)) {
                        cache.remove(tenant, agentUid, created);
                    }
                })
                .doOnError(error -> cache.remove(tenant, agentUid, created));
    }

    private Mono<AgentConfig> build(UUID tenant, String agentUid) {
        return repository.inputs(tenant, agentUid).map(inputs -> {
            SweepConfigBuilder.Built built = SweepConfigBuilder.build(inputs.devices(), inputs.sources(), defaults);
            metrics.built(built.truncated());
            if (built.truncated()) {
                log.atWarn().addKeyValue("tenant", tenant).addKeyValue("agent", agentUid)
                        .log("Sweep config of agent {} (tenant {}) cut to {} of {} targets (fleetgate.sweep.max-targets / max-config-size)",
                                agentUid, tenant, built.sweep().getDeviceTargetsCount(), built.targetsBeforeCut());
            }
            return new AgentConfig(built.version(), clock.instant(), built.sweep(), built.targetsBeforeCut());
        });
    }

    private void apply(Change change) {
        if (change instanceof Change.AgentsChanged agents) {
            generations.computeIfAbsent(agents.tenantId(), t -> new AtomicLong()).incrementAndGet();
            int dropped = 0;
            for (String agent : agents.agentUids()) {
                dropped += cache.remove(agents.tenantId(), agent) ? 1 : 0;
            }
            metrics.invalidated(dropped);
        } else if (change instanceof Change.TenantChanged tenant) {
            generations.computeIfAbsent(tenant.tenantId(), t -> new AtomicLong()).incrementAndGet();
            metrics.invalidated(cache.removeTenant(tenant.tenantId()));
        } else if (change instanceof Change.Resync) {
            globalGeneration.incrementAndGet();
            metrics.invalidated(cache.clear());
        }
    }

    private Stamp stamp(UUID tenant) {
        AtomicLong tenantGeneration = generations.get(tenant);
        return new Stamp(globalGeneration.get(), tenantGeneration == null ? 0 : tenantGeneration.get());
    }
}
