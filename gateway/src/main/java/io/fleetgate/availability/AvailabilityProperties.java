package io.fleetgate.availability;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How hosts' states and devices' availability follow from sweep results: a host goes down after
 * {@code downAfter} silent sweeps in a row; a device is available by {@code rule}; transitions are
 * kept for {@code retention}, pruned every {@code pruneEvery} in batches; the availability gauges
 * are counted every {@code metricsInterval}.
 */
@ConfigurationProperties("fleetgate.availability")
public record AvailabilityProperties(int downAfter, DeviceAvailability.Rule rule, Duration retention, Duration pruneEvery,
                                     Duration metricsInterval) {

    public AvailabilityProperties {
        if (downAfter < 1) {
            throw new IllegalArgumentException("fleetgate.availability.down-after: " + downAfter + " (expected: 1 or more)");
        }
    }
}
