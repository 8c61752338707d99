package io.fleetgate.integration;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/** An integration source as a REST client sends it (create or full update). */
public record SourceRequest(
        UUID tenantId,
        String name,
        String sourceType,
        String endpoint,
        UUID syncServiceId,
        String agentUid,
        String partition,
        Map<String, String> credentials,
        Integer pollIntervalSec,
        List<Integer> defaultPorts,
        List<String> sweepModes,
        Integer networkPrefix,
        Boolean enabled,
        Map<String, Object> settings) {

    public SourceRequest withName(String newName) {
        return new SourceRequest(tenantId, newName, sourceType, endpoint, syncServiceId, agentUid, partition, credentials,
                pollIntervalSec, defaultPorts, sweepModes, networkPrefix, enabled, settings);
    }
}
