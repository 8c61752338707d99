/**
 * Sweep configs: the pure builder ({@link io.fleetgate.sweep.SweepConfigBuilder}) with its CIDR
 * cover and content hash, and the per-agent cache GetConfig answers from ({@link
 * io.fleetgate.sweep.AgentConfigCache}).
 */
@NullMarked
package io.fleetgate.sweep;

import org.jspecify.annotations.NullMarked;
