/**
 * SyncDevices: the stream adapter ({@link io.fleetgate.sync.SyncDevicesRpc}), validation, and the
 * set-based store with identity ({@link io.fleetgate.sync.IngestService}).
 */
@NullMarked
package io.fleetgate.sync;

import org.jspecify.annotations.NullMarked;
