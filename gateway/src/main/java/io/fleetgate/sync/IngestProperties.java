package io.fleetgate.sync;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Bounds of ingest: what one reported device may carry, how many SyncDevices streams may run at
 * once, in all and per sync service (more are refused with RESOURCE_EXHAUSTED: the per-service
 * cap below the global one keeps one sync service from taking every slot), how long a
 * stream may wait for its next batch, and how long storing one batch may take before the stream
 * ends UNAVAILABLE (the batch rolled back, never acknowledged), and the merge guard: the most
 * previously distinct devices one batch's merges may join into one.
 */
@ConfigurationProperties("fleetgate.ingest")
public record IngestProperties(
        int maxStreams,
        int maxStreamsPerSyncService,
        Duration idleTimeout,
        DataSize maxRawData,
        @DefaultValue("256") int maxDeviceIdLength,
        @DefaultValue("64") int maxAddressesPerDevice,
        @DefaultValue("1024") int maxPortsPerDevice,
        Duration batchTimeout,
        int mergeGuardMax) {

    public IngestProperties {
        if (mergeGuardMax < 2) {
            throw new IllegalArgumentException("fleetgate.ingest.merge-guard-max: " + mergeGuardMax + " (expected: 2 or more)");
        }
    }
}
