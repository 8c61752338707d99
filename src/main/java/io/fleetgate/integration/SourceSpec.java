package io.fleetgate.integration;

import io.fleetgate.source.SourceType;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A validated, normalised integration source. {@code credentials} null means "keep the stored
 * ones" on update; {@code syncServiceId} null likewise.
 */
public record SourceSpec(
        UUID tenantId,
        String name,
        SourceType type,
        String endpoint,
        UUID syncServiceId,
        String agentUid,
        String partition,
        Map<String, String> credentials,
        int pollIntervalSec,
        List<Integer> defaultPorts,
        List<String> sweepModes,
        Integer networkPrefix,
        boolean enabled,
        Map<String, Object> settings) {
}
