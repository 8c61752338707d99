package io.fleetgate.tenant;

import java.time.Instant;
import java.util.UUID;

/** A tenant as stored. */
public record Tenant(UUID id, String slug, String name, boolean isPlatform, Instant createdAt) {
}
