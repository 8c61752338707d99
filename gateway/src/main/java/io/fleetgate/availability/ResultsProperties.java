package io.fleetgate.availability;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Bounds of ReportSweepResults: streams open at once (in all, per tenant; one per agent), hosts
 * per batch and ports per host, how far an observation's time may be ahead of the gateway's clock
 * or behind it, how long a stream may wait for its next batch, how long storing one batch may
 * take before the stream ends UNAVAILABLE, and how many transactions store batches at once
 * (batches arriving meanwhile wait and share the next one).
 */
@ConfigurationProperties("fleetgate.results")
public record ResultsProperties(int maxStreams, int maxStreamsPerTenant, int maxHostsPerBatch, int maxPortsPerHost,
                                Duration maxClockSkew, Duration maxAge, Duration idleTimeout, Duration batchTimeout,
                                int writers) {

    public ResultsProperties {
        if (writers < 1) {
            throw new IllegalArgumentException("FLEETGATE_RESULTS_WRITERS: " + writers + " (expected: 1 or more)");
        }
    }

    HostResults.Limits limits() {
        return new HostResults.Limits(maxHostsPerBatch, maxPortsPerHost, maxClockSkew, maxAge);
    }
}
