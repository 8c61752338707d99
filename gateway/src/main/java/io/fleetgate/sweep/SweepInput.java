package io.fleetgate.sweep;

import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** What a sweep config is built from: the agent's devices and the sources that reported them. */
public final class SweepInput {

    private SweepInput() {
    }

    /**
     * A device assigned to the agent. {@code ips} are the IPs it holds (an IP that moved to
     * another device is not among them).
     */
    public record Device(String deviceId, String sourceType, UUID sourceId, UUID canonicalId, List<String> ips,
                         List<Integer> ports, List<Integer> rawPorts, String hostname, String deviceType,
                         String manufacturer, String model) {
    }

    /** A source's sweep settings; an empty list or a null number means "not set". */
    public record Source(UUID id, List<Integer> defaultPorts, List<String> modes, @Nullable Integer networkPrefix,
                         @Nullable Integer intervalSec, @Nullable Integer concurrency, @Nullable Integer timeoutMs) {
    }
}
