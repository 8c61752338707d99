package io.fleetgate.sweep;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/** Config cache metrics: size, hits and misses (the hit ratio), invalidations, evictions, configs cut to the bounds. */
@Component
class SweepMetrics {

    private final MeterRegistry registry;
    private final Counter hits;
    private final Counter misses;
    private final Counter invalidations;
    private final Counter truncated;
    private final Counter builds;

    SweepMetrics(MeterRegistry registry) {
        this.registry = registry;
        hits = Counter.builder("fleetgate.getconfig.cache.hits").description("sweep configs served from the cache").register(registry);
        misses = Counter.builder("fleetgate.getconfig.cache.misses").description("sweep configs built from the database").register(registry);
        invalidations = Counter.builder("fleetgate.getconfig.cache.invalidations")
                .description("cached sweep configs dropped because their devices or sources changed").register(registry);
        truncated = Counter.builder("fleetgate.getconfig.configs.truncated")
                .description("sweep configs cut to fleetgate.sweep.max-targets / max-config-size").register(registry);
        builds = Counter.builder("fleetgate.getconfig.configs.built").description("sweep configs built").register(registry);
    }

    /** Size and evictions, read from the cache itself (which the cache's owner holds, so the meters never go NaN). */
    void cache(TenantLru<?> cache) {
        Gauge.builder("fleetgate.getconfig.cache.size", cache, TenantLru::size)
                .description("agents' configs in the cache").register(registry);
        FunctionCounter.builder("fleetgate.getconfig.cache.evictions", cache, TenantLru::evictions)
                .description("cached sweep configs evicted by the cache's bounds (per tenant and in all)").register(registry);
    }

    void hit() {
        hits.increment();
    }

    void miss() {
        misses.increment();
    }

    void invalidated(int entries) {
        invalidations.increment(entries);
    }

    void built(boolean cut) {
        builds.increment();
        if (cut) {
            truncated.increment();
        }
    }
}
