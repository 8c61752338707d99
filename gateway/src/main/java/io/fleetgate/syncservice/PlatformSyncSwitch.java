package io.fleetgate.syncservice;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Whether the platform's SaaS sync service is on (FLEETGATE_PLATFORM_SYNC_ENABLED): the one
 * platform setting sync services need, bound here so that {@code syncservice} does not depend on
 * {@code platform}, which starts everything.
 */
@ConfigurationProperties("fleetgate.platform.sync")
public record PlatformSyncSwitch(boolean enabled) {
}
