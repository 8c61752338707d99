/**
 * Agents: Hello and GetConfig ({@link io.fleetgate.agent.AgentRpc}), the agents table, and what
 * an agent id is ({@link io.fleetgate.agent.AgentIds}).
 */
@NullMarked
package io.fleetgate.agent;

import org.jspecify.annotations.NullMarked;
