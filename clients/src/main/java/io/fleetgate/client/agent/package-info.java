/**
 * The reference agent ({@code agent}): {@link io.fleetgate.client.agent.AgentRunner} says Hello
 * and polls GetConfig, {@link io.fleetgate.client.agent.SweepService} probes the targets (ICMP,
 * TCP connect) and writes the results file; the KV store and sweep.json are fallbacks.
 */
@NullMarked
package io.fleetgate.client.agent;

import org.jspecify.annotations.NullMarked;
