package io.fleetgate.syncservice;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Sync service liveness: the heartbeat interval told to sync services, how long without a
 * heartbeat makes one offline (FLEETGATE_HEARTBEAT_OFFLINE_AFTER), how often the status ticker
 * runs (FLEETGATE_STATUS_TICK), and how often SyncDevices traffic is written as a heartbeat.
 */
@ConfigurationProperties("fleetgate.sync")
public record SyncServiceProperties(
        Duration heartbeatInterval,
        Duration offlineAfter,
        Duration statusTick,
        @DefaultValue("5s") Duration trafficHeartbeatEvery) {
}
