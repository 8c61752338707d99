package io.fleetgate.syncservice;

import java.time.Instant;
import java.util.UUID;

/** A sync service went from one status to another. */
public record StatusTransition(UUID syncServiceId, UUID tenantId, String name, SyncStatus from, SyncStatus to, Instant at) {
}
