package io.fleetgate.device;

import io.fleetgate.changes.Change;
import io.fleetgate.changes.Changes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Each tenant's device summary, counted at most every {@link #MAX_AGE} (a count over a million
 * devices takes a second, and every Devices page shows one), and sooner when the tenant's sweep
 * configs change or an operator unmerged. Requests that arrive while it is counted share the
 * count.
 */
@Component
class SummaryCache {

    static final Duration MAX_AGE = Duration.ofSeconds(10);

    private record Counted(Instant at, Mono<DeviceViews.Summary> summary) {
    }

    private final Map<UUID, Counted> summaries = new ConcurrentHashMap<>();
    private final Clock clock;

    SummaryCache(Changes changes, Clock clock) {
        this.clock = clock;
        changes.changes().subscribe(change -> {
            if (change instanceof Change.AgentsChanged agents) {
                summaries.remove(agents.tenantId());
            } else if (change instanceof Change.TenantChanged tenant) {
                summaries.remove(tenant.tenantId());
            } else if (change instanceof Change.Resync) {
                summaries.clear();
            }
        });
    }

    Mono<DeviceViews.Summary> get(UUID tenant, Supplier<Mono<DeviceViews.Summary>> count) {
        Instant now = clock.instant();
        Counted counted = summaries.compute(tenant, (key, current) -> current != null && current.at().plus(MAX_AGE).isAfter(now)
                ? current
                : new Counted(now, Mono.defer(count).cache(summary -> MAX_AGE, error -> Duration.ZERO, () -> Duration.ZERO)));
        return counted.summary().doOnError(error -> summaries.remove(tenant, counted));
    }

    void drop(UUID tenant) {
        summaries.remove(tenant);
    }
}
