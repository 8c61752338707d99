package io.fleetgate.sweep;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Where sweep configs go ({@link SweepSource}), the gateway-wide sweep defaults (used where no
 * source says otherwise) and the bounds of a sweep config: at most {@code maxTargets} targets and {@code maxConfigSize} bytes per response (agents'
 * gRPC clients accept 4 MiB by default), how many configs the GetConfig cache holds, in all and
 * per tenant, what they may weigh in all ({@code configCacheMaxBytes}; 0 B: a quarter of the heap), and
 * how many configs are built at once.
 */
@ConfigurationProperties("fleetgate.sweep")
public record SweepProperties(
        SweepSource source,
        List<String> modes,
        Duration interval,
        List<Integer> ports,
        int concurrency,
        Duration timeout,
        int maxTargets,
        DataSize maxConfigSize,
        int configCacheMaxEntries,
        int configCacheMaxEntriesPerTenant,
        DataSize configCacheMaxBytes,
        int configBuildsMaxInFlight) {

    /** The byte budget when none is set: a quarter of the heap leaves the rest to calls, streams and watches. */
    static final int HEAP_FRACTION = 4;

    public SweepProperties {
        modes.forEach(mode -> SweepMode.parse("fleetgate.sweep.modes", mode));
        if (ports.isEmpty() && modes.stream().map(m -> SweepMode.parse("fleetgate.sweep.modes", m)).anyMatch(SweepMode::usesPorts)) {
            throw new IllegalArgumentException("fleetgate.sweep.ports: a TCP sweep mode needs a default port list");
        }
        if (ports.stream().anyMatch(port -> port < 1 || port > 65535)) {
            throw new IllegalArgumentException("fleetgate.sweep.ports: ports are 1-65535");
        }
        if (configCacheMaxBytes.isNegative()) {
            throw new IllegalArgumentException("FLEETGATE_CONFIG_CACHE_MAX_BYTES: 0 (a quarter of the heap) or a size such as 64MB");
        }
        if (configBuildsMaxInFlight < 1) {
            throw new IllegalArgumentException("FLEETGATE_CONFIG_BUILDS_MAX_IN_FLIGHT: at least 1");
        }
    }

    /** The cache's byte budget: as configured, or a quarter of the heap. */
    long configCacheBytes() {
        long configured = configCacheMaxBytes.toBytes();
        return configured > 0 ? configured : Runtime.getRuntime().maxMemory() / HEAP_FRACTION;
    }

    SweepDefaults defaults() {
        return new SweepDefaults(modes, (int) interval.toSeconds(), ports, concurrency, (int) timeout.toMillis(), maxTargets,
                (int) Math.min(Integer.MAX_VALUE, maxConfigSize.toBytes()));
    }
}
