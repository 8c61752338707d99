package io.fleetgate.sweep;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.springframework.stereotype.Component;

/** Config cache metrics: size and bytes, hits and misses (the hit ratio), invalidations, evictions, builds running and queued, configs cut to the bounds. */
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

    /** Size, weight and evictions, read from the cache itself (which the cache's owner holds, so the meters never go NaN). */
    void cache(IntSupplier entries, LongSupplier bytes, LongSupplier evictions) {
        Gauge.builder("fleetgate.getconfig.cache.size", entries::getAsInt).description("agents' configs in the cache").register(registry);
        Gauge.builder("fleetgate.getconfig.cache.bytes", bytes::getAsLong).baseUnit("bytes")
                .description("what the cached configs weigh (their bytes and a fixed overhead each), against FLEETGATE_CONFIG_CACHE_MAX_BYTES")
                .register(registry);
        FunctionCounter.builder("fleetgate.getconfig.cache.evictions", evictions, LongSupplier::getAsLong)
                .description("cached sweep configs evicted by the cache's bounds (entries per tenant and in all, bytes in all)").register(registry);
    }

    void builds(IntSupplier running, IntSupplier queued) {
        Gauge.builder("fleetgate.getconfig.builds.running", running::getAsInt)
                .description("sweep configs being built from the database now (at most FLEETGATE_CONFIG_BUILDS_MAX_IN_FLIGHT)").register(registry);
        Gauge.builder("fleetgate.getconfig.builds.queued", queued::getAsInt)
                .description("sweep config builds waiting for their turn").register(registry);
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
