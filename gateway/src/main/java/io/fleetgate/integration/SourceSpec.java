package io.fleetgate.integration;

import io.fleetgate.source.SourceType;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A validated, normalised integration source. {@code credentials} null means "keep the stored
 * ones" on update; {@code syncServiceId} null likewise.
 */
public record SourceSpec(
        UUID tenantId,
        String name,
        SourceType type,
        @Nullable String endpoint,
        @Nullable UUID syncServiceId,
        @Nullable String agentUid,
        @Nullable String partition,
        @Nullable Map<String, String> credentials,
        int pollIntervalSec,
        List<Integer> defaultPorts,
        List<String> sweepModes,
        @Nullable Integer networkPrefix,
        boolean enabled,
        Map<String, Object> settings) {
}
