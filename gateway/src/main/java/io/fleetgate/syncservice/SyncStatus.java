package io.fleetgate.syncservice;

import java.time.Duration;
import java.time.Instant;

/**
 * Status of a sync service and the rule that derives it: online (or degraded, when it says it
 * is unhealthy) while its last heartbeat is younger than the threshold, offline otherwise.
 */
public enum SyncStatus {
    ONLINE, OFFLINE, DEGRADED;

    public String dbValue() {
        return name().toLowerCase();
    }

    public static SyncStatus fromDb(String value) {
        return valueOf(value.toUpperCase());
    }

    /** The status as of {@code now}, whatever the stored one says (the ticker may not have run yet). */
    public static SyncStatus effective(SyncStatus stored, Instant lastHeartbeat, Instant now, Duration offlineAfter) {
        if (lastHeartbeat == null || !lastHeartbeat.isAfter(now.minus(offlineAfter))) {
            return OFFLINE;
        }
        return stored == DEGRADED ? DEGRADED : ONLINE;
    }
}
