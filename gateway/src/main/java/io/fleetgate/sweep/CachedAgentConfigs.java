package io.fleetgate.sweep;

import io.fleetgate.changes.Change;
import io.fleetgate.changes.Changes;
import io.fleetgate.concurrency.BoundedWork;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Per-agent sweep configs, built once and kept until a change notification (from any replica)
 * says the agent's devices or its tenant's sources changed.
 * <ul>
 *   <li>Bounded by memory: configs are held as their bytes in a {@link TenantLru} with a byte
 *       budget, so one tenant's agents cannot evict another's configs.</li>
 *   <li>Bounded builds: at most FLEETGATE_CONFIG_BUILDS_MAX_IN_FLIGHT configs are built at once
 *       ({@link BoundedWork}); a burst of first polls queues. Concurrent misses for one agent share
 *       one build.</li>
 *   <li>Coalesced invalidation: a change that names an agent whose build is still queued costs
 *       nothing (the build reads the database when its turn comes); one whose build is running
 *       marks it stale, so its result is served but not kept. A storm of changes then costs about
 *       one build per agent.</li>
 *   <li>Watched agents ({@link #watch}) are rebuilt as soon as a change names them, and each
 *       config built for them is handed to their listeners.</li>
 * </ul>
 * While the change feed is down nothing is served from or stored in the cache, and every
 * (re)connection drops it all, so a missed notification can never leave a stale config behind.
 */
@Component
class CachedAgentConfigs implements AgentConfigCache {

    private static final Logger log = LoggerFactory.getLogger(CachedAgentConfigs.class);

    private final SweepInputs repository;
    private final SweepDefaults defaults;
    private final Changes feed;
    private final Clock clock;
    private final SweepMetrics metrics;
    private final TenantLru<AgentConfig> cache;
    private final BoundedWork buildQueue;
    /** Builds queued or running, one per agent at most. */
    private final Map<Key, Build> builds = new ConcurrentHashMap<>();
    private final Map<Key, List<Consumer<AgentConfig>>> watchers = new ConcurrentHashMap<>();

    private record Key(UUID tenant, String agent) {
    }

    /** One build of an agent's config; {@code stale} once a change came in while it was reading. */
    private static final class Build {
        final Sinks.One<AgentConfig> result = Sinks.one();
        volatile BoundedWork.Job<AgentConfig> job;
        volatile boolean started;
        boolean stale;
    }

    CachedAgentConfigs(SweepInputs repository, SweepProperties properties, Changes feed, Clock clock, SweepMetrics metrics) {
        this.repository = repository;
        this.defaults = properties.defaults();
        this.feed = feed;
        this.clock = clock;
        this.metrics = metrics;
        this.cache = new TenantLru<>(properties.configCacheMaxEntries(), properties.configCacheMaxEntriesPerTenant(),
                properties.configCacheBytes(), AgentConfig::weight);
        this.buildQueue = new BoundedWork(properties.configBuildsMaxInFlight());
        metrics.cache(cache::size, cache::bytes, cache::evictions);
        metrics.builds(buildQueue::running, buildQueue::queued);
        feed.changes().subscribe(this::apply);
    }

    @Override
    public Mono<AgentConfig> current(UUID tenant, String agentUid) {
        return current(tenant, agentUid, true);
    }

    @Override
    public Mono<AgentConfig> currentInTurn(UUID tenant, String agentUid) {
        return current(tenant, agentUid, false);
    }

    private Mono<AgentConfig> current(UUID tenant, String agentUid, boolean urgent) {
        if (!feed.isLive()) {
            return buildQueue.submit(() -> build(tenant, agentUid), urgent).result();
        }
        AgentConfig cached = cached(tenant, agentUid);
        return cached != null ? Mono.just(cached) : startBuild(new Key(tenant, agentUid), urgent);
    }

    @Override
    public @Nullable AgentConfig cached(UUID tenant, String agentUid) {
        AgentConfig cached = feed.isLive() ? cache.get(tenant, agentUid) : null;
        if (cached != null) {
            metrics.hit();
        }
        return cached;
    }

    @Override
    public Registration watch(UUID tenant, String agentUid, Consumer<AgentConfig> listener) {
        Key key = new Key(tenant, agentUid);
        watchers.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(listener);
        return () -> watchers.computeIfPresent(key, (k, list) -> {
            list.remove(listener);
            return list.isEmpty() ? null : list;
        });
    }

    long bytesCached() {
        return cache.bytes();
    }

    /**
     * Starts (or joins) the agent's build. A caller waiting for its answer ({@code urgent}) goes
     * ahead of the rebuilds a change started for watchers, and moves a queued one it joins ahead
     * too: an agent polling during a storm is not stuck behind 100,000 background rebuilds. Work
     * nobody waits on must not be urgent: the watches' keep-alives were, and within one keep-alive
     * interval of a storm they had moved every watcher's rebuild ahead, polls queued behind them all.
     */
    private Mono<AgentConfig> startBuild(Key key, boolean urgent) {
        Build build = new Build();
        Build running = builds.putIfAbsent(key, build);
        if (running != null) {
            metrics.hit();
            BoundedWork.Job<AgentConfig> queued = running.job;
            if (urgent && queued != null) {
                queued.promote();
            }
            return running.result.asMono();
        }
        metrics.miss();
        build.job = buildQueue.submit(() -> {
            build.started = true;
            return build(key.tenant(), key.agent());
        }, urgent);
        build.job.result().subscribe(config -> finished(key, build, config), error -> {
            builds.remove(key, build);
            build.result.tryEmitError(error);
        });
        return build.result.asMono();
    }

    private void finished(Key key, Build build, AgentConfig config) {
        boolean stale;
        synchronized (build) {
            stale = build.stale;
            if (!stale && feed.isLive()) {
                cache.put(key.tenant(), key.agent(), config);
            }
        }
        builds.remove(key, build);
        build.result.tryEmitValue(config);
        List<Consumer<AgentConfig>> watching = watchers.get(key);
        if (watching != null) {
            watching.forEach(watcher -> watcher.accept(config));
            if (stale) {
                startBuild(key, false); // the config may predate the change: its watchers get the next one too
            }
        }
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
            return AgentConfig.of(built.version(), clock.instant(), built.sweep(), built.targetsBeforeCut());
        });
    }

    private void apply(Change change) {
        if (change instanceof Change.AgentsChanged agents) {
            int dropped = 0;
            for (String agent : agents.agentUids()) {
                Key key = new Key(agents.tenantId(), agent);
                markStale(builds.get(key));
                dropped += cache.remove(key.tenant(), key.agent()) ? 1 : 0;
                if (watchers.containsKey(key)) {
                    startBuild(key, false);
                }
            }
            metrics.invalidated(dropped);
        } else if (change instanceof Change.TenantChanged tenant) {
            invalidateWhere(key -> key.tenant().equals(tenant.tenantId()), () -> cache.removeTenant(tenant.tenantId()));
        } else if (change instanceof Change.Resync) {
            invalidateWhere(key -> true, cache::clear);
        }
    }

    /**
     * Builds already reading are marked stale before the cache drops the configs (so none of them
     * can store its result in between), then watched agents are rebuilt.
     */
    private void invalidateWhere(Predicate<Key> affected, IntSupplier drop) {
        builds.forEach((key, build) -> {
            if (affected.test(key)) {
                markStale(build);
            }
        });
        metrics.invalidated(drop.getAsInt());
        if (feed.isLive()) {
            watchers.keySet().stream().filter(affected).forEach(key -> startBuild(key, false));
        }
    }

    /** A build that has not read the database yet will read what the change wrote: only a running one is stale. */
    private static void markStale(Build build) {
        if (build != null && build.started) {
            synchronized (build) {
                build.stale = true;
            }
        }
    }
}
