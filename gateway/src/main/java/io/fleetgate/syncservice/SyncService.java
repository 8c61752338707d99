package io.fleetgate.syncservice;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A sync service as stored, with its status as the read rule computes it. */
public record SyncService(
        UUID id,
        UUID tenantId,
        String name,
        String serviceType,
        String endpoint,
        SyncStatus status,
        boolean isPlatformSync,
        List<String> capabilities,
        Instant lastHeartbeatAt,
        Instant registeredAt,
        String version,
        String hostname,
        Instant createdAt) {

    public SyncService withStatus(SyncStatus effective) {
        return new SyncService(id, tenantId, name, serviceType, endpoint, effective, isPlatformSync, capabilities,
                lastHeartbeatAt, registeredAt, version, hostname, createdAt);
    }
}
