/**
 * Sync services: onboarding and credentials (REST), SyncServiceHello and heartbeats ({@link
 * io.fleetgate.syncservice.SyncServiceRpc}), the status rule ({@link
 * io.fleetgate.syncservice.SyncStatus}) and its ticker, live status events. Start at {@link
 * io.fleetgate.syncservice.SyncServiceService}.
 */
@NullMarked
package io.fleetgate.syncservice;

import org.jspecify.annotations.NullMarked;
