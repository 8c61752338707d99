package io.fleetgate.integration;

import io.fleetgate.changes.Change;
import io.fleetgate.changes.ChangePublisher;
import io.fleetgate.error.GatewayException;
import io.fleetgate.security.GatewayUser;
import io.fleetgate.syncservice.SyncService;
import io.fleetgate.syncservice.SyncServiceService;
import io.fleetgate.tenant.TenantService;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Integration sources: validated, tenant-scoped, credentials encrypted at rest. Every change
 * tells all replicas that the tenant's sweep configs and the sync configs may have changed.
 */
@Service
public class IntegrationSourceService {

    private final IntegrationSourceRepository repository;
    private final TenantService tenants;
    private final SyncServiceService syncServices;
    private final CredentialCipher cipher;
    private final ChangePublisher changes;
    private final TransactionalOperator transaction;
    private final JsonMapper json = JsonMapper.shared();

    IntegrationSourceService(IntegrationSourceRepository repository, TenantService tenants, SyncServiceService syncServices,
                             CredentialCipher cipher, ChangePublisher changes, TransactionalOperator transaction) {
        this.repository = repository;
        this.tenants = tenants;
        this.syncServices = syncServices;
        this.cipher = cipher;
        this.changes = changes;
        this.transaction = transaction;
    }

    public Mono<IntegrationSource> create(GatewayUser actor, SourceRequest request) {
        return Mono.fromCallable(() -> SourceRules.validate(request, true))
                .flatMap(spec -> tenants.managed(actor, spec.tenantId())
                        .then(syncServices.requireUsable(spec.tenantId(), spec.syncServiceId(), "sync_service_id"))
                        .flatMap(service -> {
                            UUID id = UUID.randomUUID();
                            return withinSaasQuota(service, id, spec).then(repository.insert(id, spec, encrypt(spec.credentials(), id)));
                        }))
                .flatMap(source -> announce(source.tenantId()).thenReturn(source))
                .as(transaction::transactional);
    }

    public Mono<IntegrationSource> update(GatewayUser actor, UUID id, SourceRequest request) {
        return visible(actor, id)
                .flatMap(current -> Mono.fromCallable(() -> SourceRules.validate(request, false))
                        .flatMap(spec -> {
                            if (!spec.tenantId().equals(current.tenantId())) {
                                return Mono.error(GatewayException.invalid("tenant_id", "an integration cannot move to another tenant"));
                            }
                            UUID syncService = SourceRules.syncServiceOf(spec, current.syncServiceId());
                            SourceSpec complete = new SourceSpec(spec.tenantId(), spec.name(), spec.type(), spec.endpoint(),
                                    syncService, spec.agentUid(), spec.partition(), spec.credentials(), spec.pollIntervalSec(),
                                    spec.defaultPorts(), spec.sweepModes(), spec.networkPrefix(), spec.enabled(), spec.settings());
                            SourceRules.requireCredentialsToMove(current, spec.endpoint(), syncService, spec.credentials() != null);
                            byte[] credentials = spec.credentials() == null ? current.encryptedCredentials()
                                    : encrypt(spec.credentials(), id);
                            return syncServices.requireUsable(spec.tenantId(), syncService, "sync_service_id")
                                    .flatMap(service -> withinSaasQuota(service, id, complete))
                                    .then(repository.update(id, complete, credentials));
                        }))
                .flatMap(source -> announce(source.tenantId()).thenReturn(source))
                .as(transaction::transactional);
    }

    public Mono<Void> delete(GatewayUser actor, UUID id) {
        return visible(actor, id)
                .flatMap(source -> repository.delete(id, source.tenantId()).then(announce(source.tenantId())))
                .as(transaction::transactional);
    }

    /** The source if the actor may see it; NOT_FOUND otherwise (ids of other tenants do not leak). */
    public Mono<IntegrationSource> visible(GatewayUser actor, UUID id) {
        return repository.find(id)
                .filter(source -> actor.mayManage(source.tenantId()))
                .switchIfEmpty(Mono.error(() -> GatewayException.notFound("no integration source " + id)));
    }

    /** The actor's sources: a tenant admin's tenant; for platform admins every tenant or the one asked for. */
    public Flux<IntegrationSource> list(GatewayUser actor, UUID tenantFilter) {
        if (!actor.isPlatformAdmin()) {
            return repository.findByTenant(actor.tenantId());
        }
        return repository.findByTenant(tenantFilter);
    }

    /** Devices stored per source of the tenant. */
    public Mono<Map<UUID, Long>> deviceCounts(UUID tenantId) {
        return repository.deviceCounts(tenantId).collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    /** Sources using a sync service that the actor may see, with device counts. */
    public Flux<SourceUsage> usage(GatewayUser actor, UUID syncServiceId) {
        return repository.usage(syncServiceId, actor.isPlatformAdmin() ? null : actor.tenantId());
    }

    /**
     * The SaaS sync runs whatever tenants ask inside the operator's budget: a source on it must keep
     * to the tenant's quota of sources, of devices per run and of time between runs.
     */
    private Mono<Void> withinSaasQuota(SyncService service, UUID sourceId, SourceSpec spec) {
        if (!service.isPlatformSync()) {
            return Mono.empty();
        }
        return tenants.saasQuota(spec.tenantId()).flatMap(quota -> {
            if (spec.pollIntervalSec() < quota.minPollIntervalSec()) {
                return Mono.error(GatewayException.invalid("poll_interval_sec", "the SaaS sync runs this tenant's sources at most every "
                        + quota.minPollIntervalSec() + " s (its quota; a platform admin may change it)"));
            }
            if (spec.settings().get("count") instanceof Number count && count.longValue() > quota.maxDevicesPerRun()) {
                return Mono.error(GatewayException.invalid("settings.count", "the SaaS sync brings at most " + quota.maxDevicesPerRun()
                        + " devices per run of this tenant's sources (its quota; a platform admin may change it)"));
            }
            return repository.saasSourceCount(spec.tenantId(), sourceId).flatMap(others -> others >= quota.maxSources()
                    ? Mono.error(GatewayException.exhausted("the SaaS sync runs at most " + quota.maxSources()
                            + " sources of this tenant (its quota; a platform admin may raise it)"))
                    : Mono.empty());
        });
    }

    private byte[] encrypt(Map<String, String> credentials, UUID sourceId) {
        return credentials == null ? null : cipher.encrypt(json.writeValueAsString(credentials), sourceId);
    }

    private Mono<Void> announce(UUID tenantId) {
        return changes.publish(new Change.TenantChanged(tenantId)).then(changes.publish(new Change.SyncConfigChanged()));
    }
}
