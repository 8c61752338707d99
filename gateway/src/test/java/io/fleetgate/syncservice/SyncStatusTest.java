package io.fleetgate.syncservice;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SyncStatusTest {

    private final Instant now = Instant.parse("2026-11-25T12:00:00Z");
    private final Duration threshold = Duration.ofMinutes(2);

    @Test
    void onlineWhileTheLastHeartbeatIsYoungerThanTheThreshold() {
        assertThat(SyncStatus.effective(SyncStatus.ONLINE, now.minusSeconds(119), now, threshold)).isEqualTo(SyncStatus.ONLINE);
        assertThat(SyncStatus.effective(SyncStatus.OFFLINE, now.minusSeconds(1), now, threshold)).isEqualTo(SyncStatus.ONLINE);
        assertThat(SyncStatus.effective(SyncStatus.DEGRADED, now.minusSeconds(1), now, threshold)).isEqualTo(SyncStatus.DEGRADED);
    }

    @Test
    void offlineAtTheThresholdAndBeyondOrWithoutAnyHeartbeat() {
        assertThat(SyncStatus.effective(SyncStatus.ONLINE, now.minus(threshold), now, threshold)).isEqualTo(SyncStatus.OFFLINE);
        assertThat(SyncStatus.effective(SyncStatus.DEGRADED, now.minusSeconds(3600), now, threshold)).isEqualTo(SyncStatus.OFFLINE);
        assertThat(SyncStatus.effective(SyncStatus.ONLINE, null, now, threshold)).isEqualTo(SyncStatus.OFFLINE);
    }
}
