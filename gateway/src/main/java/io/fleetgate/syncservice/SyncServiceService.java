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
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What operators do with sync services: onboard on-prem ones, rotate and revoke their
 * credentials, delete them, see them (with the status rule applied on read). What sync services
 * do themselves is {@link SyncServiceLiveness}.
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

    SyncServiceService(SyncServiceRepository repository, CredentialService credentials, TenantService tenants,
                       ChangePublisher changes, TransactionalOperator transaction, Clock clock,
                       SyncServiceProperties properties, PlatformSyncSwitch platformSync) {
        this.repository = repository;
        this.credentials = credentials;
        this.tenants = tenants;
        this.changes = changes;
        this.transaction = transaction;
        this.clock = clock;
        this.properties = properties;
        this.platformSync = platformSync;
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
                .doOnNext(onboarded -> log.atInfo().addKeyValue("tenant", tenantId).addKeyValue("sync_service", onboarded.syncService().id())
                        .log("On-prem sync service {} '{}' onboarded for tenant {} by {}",
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

    private static String validName(String name) {
        String trimmed = name == null ? "" : name.strip();
        if (trimmed.isEmpty() || trimmed.length() > 100) {
            throw GatewayException.invalid("name", "between 1 and 100 characters");
        }
        return trimmed;
    }
}
