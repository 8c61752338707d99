package io.fleetgate.sync;

import java.util.UUID;

/** What ingest needs to know of the integration source a batch belongs to. */
record SourceInfo(UUID id, UUID tenantId, String sourceType, UUID syncServiceId, String partition, String defaultAgentUid) {
}
