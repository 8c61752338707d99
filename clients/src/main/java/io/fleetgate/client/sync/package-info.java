/**
 * The reference sync service ({@code sync}): {@link io.fleetgate.client.sync.SyncRunner} says
 * hello, heartbeats, reads GetSyncConfig and runs each source on its schedule; {@link
 * io.fleetgate.client.sync.BatchSender} streams an inventory through SyncDevices with a window of
 * unacknowledged batches.
 */
@NullMarked
package io.fleetgate.client.sync;

import org.jspecify.annotations.NullMarked;
