package io.fleetgate.tenant;

import io.fleetgate.error.GatewayException;
import io.fleetgate.security.CredentialKind;
import io.fleetgate.security.CredentialService;
import io.fleetgate.security.GatewayUser;
import io.fleetgate.security.Passwords;
import io.fleetgate.security.Role;
import io.fleetgate.security.UserRepository;
import java.util.UUID;
import java.util.function.Function;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Tenant onboarding, agent tokens and users. Platform admins manage every tenant; a tenant admin
 * only their own, and never a platform admin (docs/security.md).
 */
@Service
public class TenantService {

    private final TenantRepository tenants;
    private final UserRepository users;
    private final CredentialService credentials;
    private final Passwords passwords;
    private final SaasQuotaRepository quotas;

    TenantService(TenantRepository tenants, UserRepository users, CredentialService credentials, Passwords passwords,
                  SaasQuotaRepository quotas) {
        this.tenants = tenants;
        this.quotas = quotas;
        this.users = users;
        this.credentials = credentials;
        this.passwords = passwords;
    }

    /**
     * Onboards a tenant. Every tenant may use the platform sync service from the start: that
     * access is a rule of the sync service queries, not a row to forget.
     */
    Mono<Tenant> create(GatewayUser actor, String slug, String name) {
        actor.requirePlatformAdmin();
        if ("platform".equals(slug)) {
            return Mono.error(GatewayException.invalid("slug", "'platform' is reserved"));
        }
        return tenants.create(slug, name);
    }

    public Flux<Tenant> visibleTo(GatewayUser actor) {
        return actor.isPlatformAdmin() ? tenants.findAll() : tenants.find(actor.tenantId()).flux();
    }

    /** The tenant, if it exists and the actor may manage it (NOT_FOUND otherwise, so ids do not leak). */
    public Mono<Tenant> managed(GatewayUser actor, UUID tenantId) {
        if (!actor.mayManage(tenantId)) {
            return Mono.error(GatewayException.notFound("no tenant " + tenantId));
        }
        return tenants.find(tenantId).switchIfEmpty(Mono.error(() -> GatewayException.notFound("no tenant " + tenantId)));
    }

    Mono<CredentialService.IssuedCredential> issueAgentToken(GatewayUser actor, UUID tenantId, String label) {
        return managed(actor, tenantId).flatMap(tenant -> credentials.issueAgentToken(tenant.id(), label));
    }

    Mono<Void> revokeAgentToken(GatewayUser actor, UUID tenantId, UUID tokenId) {
        return managed(actor, tenantId).flatMap(tenant -> credentials.revoke(tenant.id(), CredentialKind.AGENT_ENROLLMENT, tokenId));
    }

    /** A new user and the login it signs in with: {@code <tenant slug>/<name>} for tenant admins, the bare name for platform admins. */
    record NewUser(UUID id, String username, String login, Role role) {
    }

    Mono<NewUser> createUser(GatewayUser actor, UUID tenantId, String username, String password, Role role) {
        if (role == Role.PLATFORM_ADMIN && !actor.isPlatformAdmin()) {
            return Mono.error(GatewayException.permissionDenied("only platform admins create platform admins"));
        }
        return managed(actor, tenantId)
                .flatMap(tenant -> {
                    if (role == Role.TENANT_ADMIN && tenant.isPlatform()) {
                        return Mono.error(GatewayException.invalid("role", "the platform tenant has platform admins only"));
                    }
                    boolean tenantAdmin = role == Role.TENANT_ADMIN;
                    String login = tenantAdmin ? UserRepository.login(tenant.slug(), username) : username;
                    return passwords.hash(password)
                            .flatMap(hash -> users.create(username, hash, role, tenantAdmin ? tenant.id() : null))
                            .map(id -> new NewUser(id, username, login, role));
                });
    }

    /** The tenant's SaaS sync quota, for its admins and platform admins. */
    Mono<SaasQuota> saasQuota(GatewayUser actor, UUID tenantId) {
        return managed(actor, tenantId).flatMap(tenant -> quotas.effective(tenant.id()));
    }

    /** A platform admin's overrides; null fields return to the defaults. */
    Mono<SaasQuota> overrideSaasQuota(GatewayUser actor, UUID tenantId, Integer maxSources, Integer maxDevicesPerRun,
                                      Integer minPollIntervalSec) {
        actor.requirePlatformAdmin();
        return managed(actor, tenantId)
                .flatMap(tenant -> quotas.save(tenant.id(), maxSources, maxDevicesPerRun, minPollIntervalSec)
                        .then(quotas.effective(tenant.id())));
    }

    /** The quota the SaaS sync work of that tenant is held to (no access check: for the services that enforce it). */
    public Mono<SaasQuota> saasQuota(UUID tenantId) {
        return quotas.effective(tenantId);
    }

    /** Every tenant's quota: the overrides, and the defaults for the rest. */
    public Mono<Function<UUID, SaasQuota>> saasQuotas() {
        SaasQuota defaults = quotas.defaults();
        return quotas.overridden().map(overridden -> tenant -> overridden.getOrDefault(tenant, defaults));
    }
}
