package io.fleetgate.availability;

import io.fleetgate.concurrency.PeriodicTask;
import io.fleetgate.concurrency.Slots;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Sweep results in metrics, labelled by tenant slug and never by host or agent: hosts by outcome
 * (answered, silent, rejected) and transitions as batches commit, the batch latency, open streams,
 * batches waiting for a transaction, and {@code fleetgate_devices_availability} by state, counted
 * in the database every FLEETGATE_AVAILABILITY_METRICS_INTERVAL (every replica reports every
 * tenant: aggregate with max).
 */
@Component
class AvailabilityMetrics extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(AvailabilityMetrics.class);

    private final DatabaseClient database;
    private final MeterRegistry registry;
    private final Timer batches;
    private final MultiGauge availability;
    private final AtomicBoolean failing = new AtomicBoolean();

    AvailabilityMetrics(DatabaseClient database, MeterRegistry registry, AvailabilityProperties properties) {
        super("Counting device availability for the metrics", Duration.ZERO, properties.metricsInterval());
        this.database = database;
        this.registry = registry;
        this.batches = Timer.builder("fleetgate.sweep.results.batch").description("time to validate and store one batch of sweep results")
                .publishPercentileHistogram().register(registry);
        this.availability = MultiGauge.builder("fleetgate.devices.availability")
                .description("canonical devices by availability (available, unavailable, unknown), by tenant").register(registry);
    }

    void streams(Slots<?> streams) {
        Gauge.builder("fleetgate.sweep.results.streams.active", streams, Slots::open)
                .description("ReportSweepResults streams open").register(registry);
    }

    void waiting(ResultsService results) {
        Gauge.builder("fleetgate.sweep.results.waiting", results, ResultsService::waiting)
                .description("results batches waiting for a transaction (FLEETGATE_RESULTS_WRITERS are storing others)").register(registry);
    }

    void committed(ResultsService.Stored stored, int rejected, Duration took) {
        batches.record(took);
        hosts(stored.tenantSlug(), "answered").increment(stored.answered());
        hosts(stored.tenantSlug(), "silent").increment(stored.silent());
        hosts(stored.tenantSlug(), "rejected").increment(rejected);
        Counter.builder("fleetgate.availability.transitions").description("hosts whose state an agent saw change, by tenant")
                .tag("tenant", stored.tenantSlug()).register(registry).increment(stored.transitions());
    }

    private Counter hosts(String tenant, String outcome) {
        return Counter.builder("fleetgate.sweep.results.hosts")
                .description("host results stored (answered, silent) or rejected, by tenant; a replayed result is not counted again")
                .tags("tenant", tenant, "outcome", outcome).register(registry);
    }

    /** Counts every tenant's devices by availability now and publishes it. */
    Mono<Void> refresh() {
        return database.sql("""
                        WITH devices AS (
                            SELECT tenant_id, count(*) AS devices FROM (SELECT DISTINCT tenant_id, canonical_device_id FROM discovered_devices) d
                             GROUP BY tenant_id),
                        known AS (
                            SELECT tenant_id, count(*) FILTER (WHERE state = 'available') AS available,
                                   count(*) FILTER (WHERE state = 'unavailable') AS unavailable
                              FROM device_availability GROUP BY tenant_id)
                        SELECT t.slug, coalesce(k.available, 0) AS available, coalesce(k.unavailable, 0) AS unavailable,
                               greatest(d.devices - coalesce(k.available, 0) - coalesce(k.unavailable, 0), 0) AS unknown
                          FROM devices d JOIN tenants t ON t.id = d.tenant_id LEFT JOIN known k ON k.tenant_id = d.tenant_id""")
                .map((row, meta) -> {
                    String tenant = row.get("slug", String.class);
                    return List.of(row(tenant, "available", row.get("available", Long.class)), row(tenant, "unavailable",
                            row.get("unavailable", Long.class)), row(tenant, "unknown", row.get("unknown", Long.class)));
                })
                .all()
                .collectList()
                .doOnNext(rows -> {
                    List<MultiGauge.Row<?>> all = new ArrayList<>();
                    rows.forEach(all::addAll);
                    availability.register(all, true);
                    if (failing.compareAndSet(true, false)) {
                        log.info("Device availability is counted again for the metrics");
                    }
                })
                .onErrorResume(error -> {
                    if (failing.compareAndSet(false, true)) {
                        log.warn("Could not count device availability for the metrics, keeping the last counts: {}", error.toString());
                    }
                    return Mono.empty();
                })
                .then();
    }

    private static MultiGauge.Row<?> row(String tenant, String state, @Nullable Long count) {
        return MultiGauge.Row.of(Tags.of("tenant", tenant, "state", state), count == null ? 0 : count);
    }

    @Override
    protected Mono<?> round() {
        return refresh();
    }
}
