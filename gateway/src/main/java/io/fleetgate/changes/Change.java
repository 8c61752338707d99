package io.fleetgate.changes;

import java.util.List;
import java.util.UUID;

/**
 * What changed in the database, as every gateway replica learns it through PostgreSQL
 * LISTEN/NOTIFY. Caches drop what a change names; {@link Resync} drops everything.
 */
public sealed interface Change {

    /** The sweep configs of these agents of a tenant may have changed. */
    record AgentsChanged(UUID tenantId, List<String> agentUids) implements Change {
        public AgentsChanged {
            agentUids = List.copyOf(agentUids);
        }
    }

    /** Anything of this tenant's sweep configs may have changed (e.g. a source's defaults). */
    record TenantChanged(UUID tenantId) implements Change {
    }

    /** A credential was revoked or rotated. */
    record CredentialsChanged() implements Change {
    }

    /** Integration sources or sync services changed: sync configs must be rebuilt. */
    record SyncConfigChanged() implements Change {
    }

    /** A sync service changed status (online, offline, degraded). */
    record SyncServiceStatusChanged(UUID syncServiceId, UUID tenantId, String status) implements Change {
    }

    /** The feed (re)connected or lost its connection: nothing cached can be trusted. */
    record Resync() implements Change {
    }
}
