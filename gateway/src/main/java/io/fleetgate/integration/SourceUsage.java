package io.fleetgate.integration;

import java.time.Instant;
import java.util.UUID;

/** An integration source seen from the sync service that runs it. */
public record SourceUsage(UUID id, UUID tenantId, String name, String sourceType, boolean enabled, Instant lastSyncAt,
                          long deviceCount) {
}
