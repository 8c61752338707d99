package io.fleetgate.availability;

import static io.fleetgate.database.Timestamps.at;

import io.fleetgate.concurrency.PeriodicTask;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Keeps what sweep results leave behind bounded, every FLEETGATE_AVAILABILITY_PRUNE_EVERY: history
 * older than FLEETGATE_AVAILABILITY_RETENTION is deleted a batch at a time (each its own short
 * statement, so no long lock and no huge transaction), availability rows of devices that no longer
 * exist go, and devices decided by another rule than the configured one are decided again.
 * Replicas may all do it: each statement is idempotent.
 */
@Component
class Housekeeping extends PeriodicTask {

    static final int BATCH = 10_000;
    private static final Logger log = LoggerFactory.getLogger(Housekeeping.class);

    private final DatabaseClient database;
    private final AvailabilityIndex index;
    private final AvailabilityProperties properties;
    private final Clock clock;

    Housekeeping(DatabaseClient database, AvailabilityIndex index, AvailabilityProperties properties, Clock clock) {
        super("Sweep results housekeeping", Duration.ofSeconds(30), properties.pruneEvery());
        this.database = database;
        this.index = index;
        this.properties = properties;
        this.clock = clock;
    }

    /** One round; emits the transitions pruned. */
    Mono<Long> run() {
        return pruneHistory()
                .flatMap(pruned -> forgetVanishedDevices()
                        .then(index.reapplyRule(1000).reduce(0, Integer::sum)
                                .doOnNext(redecided -> {
                                    if (redecided > 0) {
                                        log.info("Availability of {} devices decided again by the rule '{}'", redecided, index.rule().wireName());
                                    }
                                }))
                        .thenReturn(pruned))
                .doOnNext(pruned -> {
                    if (pruned > 0) {
                        log.info("Pruned {} availability transitions older than {}", pruned, properties.retention());
                    }
                });
    }

    private Mono<Long> pruneHistory() {
        return Mono.defer(() -> database.sql("""
                        DELETE FROM availability_transitions WHERE (tenant_id, id) IN (
                            SELECT tenant_id, id FROM availability_transitions WHERE at < :before ORDER BY at LIMIT :batch)""")
                        .bind("before", at(clock.instant().minus(properties.retention())))
                        .bind("batch", BATCH)
                        .fetch().rowsUpdated())
                .repeat()
                .takeUntil(deleted -> deleted < BATCH)
                .reduce(0L, Long::sum);
    }

    private Mono<Void> forgetVanishedDevices() {
        return database.sql("""
                        DELETE FROM device_availability a
                         WHERE NOT EXISTS (SELECT 1 FROM discovered_devices d
                                            WHERE d.tenant_id = a.tenant_id AND d.canonical_device_id = a.canonical_device_id)""")
                .fetch().rowsUpdated().then();
    }

    @Override
    protected Mono<?> round() {
        return run();
    }
}
