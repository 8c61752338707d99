package io.fleetgate.sync;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Bounds of ingest: what one reported device may carry, and how many SyncDevices streams may
 * run at once (more are refused with RESOURCE_EXHAUSTED).
 */
@ConfigurationProperties("fleetgate.ingest")
public record IngestProperties(
        @DefaultValue("64") int maxStreams,
        @DefaultValue("64KB") DataSize maxRawData,
        @DefaultValue("256") int maxDeviceIdLength,
        @DefaultValue("64") int maxAddressesPerDevice,
        @DefaultValue("1024") int maxPortsPerDevice) {
}
