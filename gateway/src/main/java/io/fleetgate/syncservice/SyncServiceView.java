package io.fleetgate.syncservice;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A sync service as the REST API shows it (never a credential). */
public record SyncServiceView(UUID id, String name, String serviceType, String status, Instant lastHeartbeatAt,
                              boolean isPlatformSync, UUID tenantId, String endpoint, List<String> capabilities,
                              String version, String hostname, Instant registeredAt) {

    public static SyncServiceView of(SyncService s) {
        return new SyncServiceView(s.id(), s.name(), s.serviceType(), s.status().dbValue(), s.lastHeartbeatAt(),
                s.isPlatformSync(), s.tenantId(), s.endpoint(), s.capabilities(), s.version(), s.hostname(), s.registeredAt());
    }
}
