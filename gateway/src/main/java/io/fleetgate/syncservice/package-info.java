/**
 * Sync services: what operators do with them ({@link io.fleetgate.syncservice.SyncServiceService}:
 * onboarding, credentials, REST) and what they do themselves ({@link
 * io.fleetgate.syncservice.SyncServiceLiveness}: hello, heartbeats, traffic, the status rule and its
 * ticker); {@link io.fleetgate.syncservice.SyncServiceRpc} is their gRPC side, {@link
 * io.fleetgate.syncservice.SyncStatus} the rule itself.
 */
@NullMarked
package io.fleetgate.syncservice;

import org.jspecify.annotations.NullMarked;
