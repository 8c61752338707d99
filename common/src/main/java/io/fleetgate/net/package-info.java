/**
 * IP addresses and CIDR blocks as pure values: literals only, never a DNS lookup. Start at {@link
 * io.fleetgate.net.IpAddress} and {@link io.fleetgate.net.Cidr}; {@link
 * io.fleetgate.net.OutboundPolicy} is the rule of which addresses the SaaS sync may reach.
 */
@NullMarked
package io.fleetgate.net;

import org.jspecify.annotations.NullMarked;
