/**
 * Start-up: the first-boot bootstrap of the platform tenant and its SaaS sync service ({@link
 * io.fleetgate.platform.PlatformBootstrap}), readiness ({@link
 * io.fleetgate.platform.GatewayStartup}) and the in-process SaaS sync.
 */
@NullMarked
package io.fleetgate.platform;

import org.jspecify.annotations.NullMarked;
