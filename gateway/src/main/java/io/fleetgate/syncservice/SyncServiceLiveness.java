package io.fleetgate.syncservice;

import io.fleetgate.changes.Change;
import io.fleetgate.changes.ChangePublisher;
import io.fleetgate.error.GatewayException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What sync services do themselves: hello (registration), heartbeats, SyncDevices traffic
 * counted as heartbeats; and the status rule's ticker. Every status transition is logged,
 * counted once, and published to all replicas.
 */
@Service
public class SyncServiceLiveness {

    private static final Logger log = LoggerFactory.getLogger(SyncServiceLiveness.class);

    private final SyncServiceRepository repository;
    private final ChangePublisher changes;
    private final TransactionalOperator transaction;
    private final Clock clock;
    private final SyncServiceProperties properties;
    private final SyncServiceMetrics metrics;
    private final Map<UUID, Instant> lastTrafficWrite = new ConcurrentHashMap<>();

    SyncServiceLiveness(SyncServiceRepository repository, ChangePublisher changes, TransactionalOperator transaction, Clock clock,
                        SyncServiceProperties properties, SyncServiceMetrics metrics) {
        this.repository = repository;
        this.changes = changes;
        this.transaction = transaction;
        this.clock = clock;
        this.properties = properties;
        this.metrics = metrics;
    }


    Mono<StatusTransition> register(UUID id, String endpoint, String version, List<String> capabilities, String hostname) {
        return repository.hello(id, endpoint, version, capabilities, hostname, clock.instant())
                .switchIfEmpty(Mono.error(() -> GatewayException.notFound("sync service " + id + " no longer exists")))
                .flatMap(this::announce)
                .as(transaction::transactional)
                .doOnNext(transition -> metrics.hello());
    }

    Mono<StatusTransition> heartbeat(UUID id, boolean healthy) {
        return repository.heartbeat(id, healthy ? SyncStatus.ONLINE : SyncStatus.DEGRADED, clock.instant())
                .switchIfEmpty(Mono.error(() -> GatewayException.notFound("sync service " + id + " no longer exists")))
                .flatMap(this::announce)
                .as(transaction::transactional)
                .doOnNext(transition -> metrics.heartbeat());
    }

    /**
     * SyncDevices traffic of a sync service counts as a heartbeat, written at most once per
     * {@code trafficHeartbeatEvery} per service.
     */
    public Mono<Void> recordTraffic(UUID id) {
        Instant now = clock.instant();
        Instant notBefore = now.minus(properties.trafficHeartbeatEvery());
        // decided atomically: of streams of one service acknowledging at once, exactly one writes
        AtomicBoolean due = new AtomicBoolean();
        lastTrafficWrite.compute(id, (service, last) -> {
            if (last != null && last.isAfter(notBefore)) {
                return last;
            }
            due.set(true);
            return now;
        });
        if (!due.get()) {
            return Mono.empty();
        }
        return repository.traffic(id, now).flatMap(this::announce).as(transaction::transactional).then();
    }

    /** One tick of the status rule: stale services go offline; the gauge is refreshed. */
    public Flux<StatusTransition> tick() {
        Instant now = clock.instant();
        Instant cutoff = now.minus(properties.offlineAfter());
        Flux<StatusTransition> stale = repository.markStale(cutoff, now)
                .concatMap(this::announce)
                .as(transaction::transactional);
        return stale.concatWith(repository.countByStatus(cutoff)
                .collectMap(SyncServiceRepository.StatusCount::status, SyncServiceRepository.StatusCount::services)
                .doOnNext(counts -> {
                    for (SyncStatus status : SyncStatus.values()) {
                        metrics.count(status, counts.getOrDefault(status, 0L));
                    }
                })
                .thenMany(Flux.empty()));
    }

    private Mono<StatusTransition> announce(StatusTransition transition) {
        if (transition.from() == transition.to()) {
            return Mono.just(transition);
        }
        log.atInfo().addKeyValue("tenant", transition.tenantId()).addKeyValue("sync_service", transition.syncServiceId())
                .log("Sync service {} '{}' of tenant {}: {} -> {}", transition.syncServiceId(), transition.name(),
                        transition.tenantId(), transition.from().dbValue(), transition.to().dbValue());
        metrics.transition(transition.to());
        return changes.publish(new Change.SyncServiceStatusChanged(transition.syncServiceId(), transition.tenantId(),
                        transition.to().dbValue()))
                .thenReturn(transition);
    }

    public int heartbeatIntervalSeconds() {
        return (int) properties.heartbeatInterval().toSeconds();
    }
}
