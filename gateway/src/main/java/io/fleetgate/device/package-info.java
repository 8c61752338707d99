/**
 * Devices as operators see them: canonical devices (the source records identity joined) listed,
 * searched by hostname, IP, CIDR, MAC, source and agent ({@link io.fleetgate.device.DeviceQuery}),
 * one device with its source records, merges and sweeping agents, the tenant's summary, and the
 * unmerge that splits a wrongly joined source record out and keeps the pair apart for good.
 * Start at {@link io.fleetgate.device.DeviceService}.
 */
@NullMarked
package io.fleetgate.device;

import org.jspecify.annotations.NullMarked;
