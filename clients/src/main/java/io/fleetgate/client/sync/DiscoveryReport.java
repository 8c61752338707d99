package io.fleetgate.client.sync;

import java.time.Duration;

/** What one discovery run of one source did. {@code error} is null when it succeeded. */
public record DiscoveryReport(String sourceId, String sourceName, String sourceType, int run, int found, int sent, long created,
                              long updated, long rejected, int batches, int resentBatches, Duration took, String error) {

    public boolean succeeded() {
        return error == null;
    }
}
