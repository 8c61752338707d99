/**
 * Pure identity rules, no I/O: {@link io.fleetgate.identity.MacAddresses} (notation, which MACs
 * identify a device) and {@link io.fleetgate.identity.IdentityResolver}, which decides which
 * reported devices are one canonical device.
 */
@NullMarked
package io.fleetgate.identity;

import org.jspecify.annotations.NullMarked;
