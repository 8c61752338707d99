/**
 * Inventory discoveries (faker, NetBox, Armis) behind {@link
 * io.fleetgate.client.sync.discovery.Discovery}; {@link
 * io.fleetgate.client.sync.discovery.HttpJson} is their guarded HTTP client (outbound policy,
 * same-origin redirects, bounded bodies).
 */
@NullMarked
package io.fleetgate.client.sync.discovery;

import org.jspecify.annotations.NullMarked;
