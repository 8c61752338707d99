package io.fleetgate.integration;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** An integration source as stored; credentials stay encrypted here. */
public record IntegrationSource(
        UUID id,
        UUID tenantId,
        String name,
        String sourceType,
        String endpoint,
        byte[] encryptedCredentials,
        UUID syncServiceId,
        String agentUid,
        String partition,
        int pollIntervalSec,
        List<Integer> defaultPorts,
        List<String> sweepModes,
        Integer networkPrefix,
        Map<String, Object> settings,
        boolean enabled,
        Instant lastSyncAt,
        int lastDeviceCount,
        Instant createdAt,
        Instant updatedAt) {
}
