package io.fleetgate.syncservice;

import io.fleetgate.changes.Change;
import io.fleetgate.changes.ChangePublisher;
import io.fleetgate.error.GatewayException;
import io.fleetgate.security.CredentialKind;
import io.fleetgate.security.CredentialService;
import io.fleetgate.security.GatewayUser;
import io.fleetgate.tenant.TenantService;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Sync services: on-prem onboarding and credentials, registration and heartbeats, and the
 * status rule. Every status transition is logged, counted once, and published to all replicas.
 */
@Service
public class SyncServiceService {

    private static final Logger log = LoggerFactory.getLogger(SyncServiceService.class);

    private final SyncServiceRepository repository;
    private final CredentialService credentials;
    private final TenantService tenants;
    private final ChangePublisher changes;
    private final TransactionalOperator transaction;
    private final Clock clock;
    private final SyncServiceProperties properties;
    private final PlatformSyncSwitch platformSync;
    private final SyncServiceMetrics metrics;
    private final Map<UUID, Instant> lastTrafficWrite = new ConcurrentHashMap<>();

    SyncServiceService(SyncServiceRepository repository, CredentialService credentials, TenantService tenants,
                       ChangePublisher changes, TransactionalOperator transaction, Clock clock,
                       SyncServiceProperties properties, PlatformSyncSwitch platformSync, SyncServiceMetrics metrics) {
        this.repository = repository;
        this.credentials = credentials;
        this.tenants = tenants;
        this.changes = changes;
        this.transaction = transaction;
        this.clock = clock;
        this.properties = properties;
        this.platformSync = platformSync;
        this.metrics = metrics;
    }

    /** A sync service just onboarded, with its credential (shown once). */
    public record Onboarded(SyncService syncService, String credential) {
    }

    public Mono<Onboarded> onboard(GatewayUser actor, UUID tenantId, String name) {
        String trimmed = validName(name);
        return tenants.managed(actor, tenantId)
                .flatMap(tenant -> repository.createOnPrem(tenant.id(), trimmed)
                        .flatMap(created -> credentials.issueSyncServiceCredential(tenant.id(), created.id(),
                                        CredentialKind.SYNC_SERVICE, "onboarding", false)
                                .map(issued -> new Onboarded(withReadRule(created), issued.token())))
                        .as(transaction::transactional))
                .doOnNext(onboarded -> log.info("On-prem sync service {} '{}' onboarded for tenant {} by {}",
                        onboarded.syncService().id(), trimmed, tenantId, actor.getUsername()));
    }

    /** A new credential for an on-prem sync service; the old ones stop working at once. */
    public Mono<String> rotateCredential(GatewayUser actor, UUID id) {
        return manageable(actor, id)
                .flatMap(service -> credentials.issueSyncServiceCredential(service.tenantId(), service.id(),
                        CredentialKind.SYNC_SERVICE, "rotated", true))
                .map(CredentialService.IssuedCredential::token);
    }

    /** Revokes every credential of an on-prem sync service (it can no longer connect until rotated). */
    public Mono<Void> revokeCredentials(GatewayUser actor, UUID id) {
        return manageable(actor, id).flatMap(service -> credentials.revokeSyncService(service.id()));
    }

    public Mono<Void> delete(GatewayUser actor, UUID id) {
        return manageable(actor, id)
                .flatMap(service -> repository.deleteOnPrem(service.id())
                        .then(changes.publish(new Change.CredentialsChanged()))
                        .then(changes.publish(new Change.SyncConfigChanged()))
                        .as(transaction::transactional));
    }

    /** What the actor may see: the platform sync service and its tenant's (all of them for platform admins). */
    public Flux<SyncService> visibleTo(GatewayUser actor, UUID tenantFilter) {
        UUID tenant = actor.isPlatformAdmin() ? tenantFilter : actor.tenantId();
        return repository.usableBy(tenant).filter(this::exists).map(this::withReadRule);
    }

    /** One sync service, if the actor may see it (NOT_FOUND otherwise). */
    public Mono<SyncService> visible(GatewayUser actor, UUID id) {
        return repository.find(id)
                .filter(service -> exists(service) && (service.isPlatformSync() || actor.mayManage(service.tenantId())))
                .map(this::withReadRule)
                .switchIfEmpty(Mono.error(() -> GatewayException.notFound("no sync service " + id)));
    }

    /** Sync services an integration of this tenant may use: the platform one and the tenant's own. */
    public Flux<SyncService> usableBy(UUID tenantId) {
        return repository.usableBy(tenantId).filter(this::exists).map(this::withReadRule);
    }

    /** Whether the tenant can use any sync service at all (the UI's availability question). */
    public Mono<Boolean> available(UUID tenantId) {
        return usableBy(tenantId).hasElements();
    }

    /** The sync service if an integration of this tenant may use it; INVALID_ARGUMENT otherwise. */
    public Mono<SyncService> requireUsable(UUID tenantId, UUID syncServiceId, String field) {
        return repository.find(syncServiceId)
                .filter(service -> exists(service) && (service.isPlatformSync() || service.tenantId().equals(tenantId)))
                .switchIfEmpty(Mono.error(() -> GatewayException.invalid(field,
                        "must be the platform sync service or one of the tenant's own: " + syncServiceId)));
    }

    private boolean exists(SyncService service) {
        // a platform sync switched off in configuration is gone for users, even if old rows remain
        return !service.isPlatformSync() || platformSync.enabled();
    }

    private Mono<SyncService> manageable(GatewayUser actor, UUID id) {
        return visible(actor, id).flatMap(service -> {
            if (service.isPlatformSync()) {
                return Mono.error(GatewayException.invalid("id",
                        "the SaaS sync service is managed by configuration (FLEETGATE_PLATFORM_SYNC_TOKEN)"));
            }
            return actor.mayManage(service.tenantId())
                    ? Mono.just(service)
                    : Mono.error(GatewayException.notFound("no sync service " + id));
        });
    }

    SyncService withReadRule(SyncService service) {
        return service.withStatus(SyncStatus.effective(service.status(), service.lastHeartbeatAt(), clock.instant(),
                properties.offlineAfter()));
    }

    // --- what sync services themselves do

    Mono<StatusTransition> register(UUID id, String endpoint, String version, java.util.List<String> capabilities, String hostname) {
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
        log.info("Sync service {} '{}' of tenant {}: {} -> {}", transition.syncServiceId(), transition.name(),
                transition.tenantId(), transition.from().dbValue(), transition.to().dbValue());
        metrics.transition(transition.to());
        return changes.publish(new Change.SyncServiceStatusChanged(transition.syncServiceId(), transition.tenantId(),
                        transition.to().dbValue()))
                .thenReturn(transition);
    }

    public int heartbeatIntervalSeconds() {
        return (int) properties.heartbeatInterval().toSeconds();
    }

    private static String validName(String name) {
        String trimmed = name == null ? "" : name.strip();
        if (trimmed.isEmpty() || trimmed.length() > 100) {
            throw GatewayException.invalid("name", "between 1 and 100 characters");
        }
        return trimmed;
    }
}
