package io.fleetgate.security;

import io.fleetgate.error.GatewayException;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is calling the gRPC API, as its credential says. The tenant of a call comes only from
 * here; a request that names anything else is denied and logged.
 *
 * @param syncServiceId the sync service the credential is bound to; null for agent credentials
 */
public record Caller(UUID credentialId, CredentialKind kind, UUID tenantId, UUID syncServiceId) {

    private static final Logger audit = LoggerFactory.getLogger("io.fleetgate.audit");

    public boolean isPlatformSync() {
        return kind == CredentialKind.PLATFORM_SYNC;
    }

    public boolean isAgent() {
        return kind == CredentialKind.AGENT_ENROLLMENT;
    }

    public boolean isSyncService() {
        return kind == CredentialKind.SYNC_SERVICE || kind == CredentialKind.PLATFORM_SYNC;
    }

    /** Denies and logs: the caller's credential is valid but does not allow this. */
    public GatewayException deny(String operation, String why) {
        audit.warn("permission denied: operation={} credential={} kind={} tenant={} sync_service={} reason=\"{}\"",
                operation, credentialId, kind.dbValue(), tenantId, syncServiceId, why);
        return GatewayException.permissionDenied(why);
    }

    /** Only agent credentials may do this. */
    public Caller requireAgent(String operation) {
        if (!isAgent()) {
            throw deny(operation, "an agent credential is required");
        }
        return this;
    }

    /** Only sync service credentials (on-prem or platform) may do this. */
    public Caller requireSyncService(String operation) {
        if (!isSyncService()) {
            throw deny(operation, "a sync service credential is required");
        }
        return this;
    }

    /**
     * The tenant a request acts for: the caller's own, or for the platform sync the one the
     * request names. A request naming another tenant is denied.
     */
    public UUID actingTenant(String requested, String operation) {
        if (requested == null || requested.isBlank()) {
            if (isPlatformSync()) {
                throw GatewayException.invalid("tenant_id", "the platform sync service must name the tenant it acts for");
            }
            return tenantId;
        }
        UUID tenant = Ids.parse("tenant_id", requested);
        if (!isPlatformSync() && !tenant.equals(tenantId)) {
            throw deny(operation, "tenant " + tenant + " is not the caller's tenant");
        }
        return tenant;
    }

    /** The sync service a request acts as: the one the credential is bound to. */
    public UUID actingSyncService(String requested, String operation) {
        if (requested != null && !requested.isBlank()) {
            UUID named = Ids.parse("sync_service_id", requested);
            if (!named.equals(syncServiceId)) {
                throw deny(operation, "sync service " + named + " is not the caller's sync service");
            }
        }
        return syncServiceId;
    }
}
